"""Passage annotations: checking, creating and editing them, and re-anchoring them when a note
changes.

The API (annotations.api) calls these plain functions; `reanchor_edited_notes` listens to
`papers.writes.notes_changed`, the one write path's signal, which every writer of notes (the
admin, the importer, restores) goes through. Offsets count code points over
`papers.rendering.plain_text(note.body_html)`, the same text static/js/plain-text.js computes in
the browser.

Re-anchoring runs in the writer's transaction, not after commit: the new body and the new
offsets become visible together, so no reader loads highlights on the wrong words, and two quick
edits cannot be applied out of order.

Anonymous readers' pages show public annotations only (through the API, which the page cache
keeps): writes to a private one leave the content version alone, and make only the pages kept
for each reader stale (`personal.changed`, papers.caching.personal).
"""

import re
from dataclasses import dataclass, field
from itertools import groupby
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from papers.caching import personal, versions
from papers.models import NoteRevision
from papers.rendering import plain_text
from papers.writes import Notice

from .anchoring import find_again, reanchor, selector_at
from .models import Annotation, joined_tags

BODY_MAX_LENGTH = 3000
TAG_MAX_LENGTH = 30
TAGS_MAX = 10
# What no text of a reader's may hold (PostgreSQL refuses NUL): controls but tab and new lines.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
EXACT_MAX_LENGTH = 2000
OLD_BODY_ATTRIBUTE = "_annotations_old_body_html"
SELECTOR_FIELDS = ["exact", "prefix", "suffix", "start", "end", "state"]


def note_text(note):
    """The plain text annotations on `note` anchor to."""
    return plain_text(note.body_html)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def clean_selector(text, data):
    """(selector, errors) for the passage `data` names in `text`.

    `exact` must be a non-empty string of at most EXACT_MAX_LENGTH characters, `start` and `end`
    whole numbers inside the text, and the text between them equal to `exact`. The context is
    taken from the server's text, whatever the client sent.
    """
    errors = {}
    exact, start, end = data.get("exact"), data.get("start"), data.get("end")
    if not isinstance(exact, str) or not exact:
        errors["exact"] = ["请选择一段原文。"]
    elif len(exact) > EXACT_MAX_LENGTH:
        errors["exact"] = [f"选中的原文不能超过 {EXACT_MAX_LENGTH} 个字符。"]
    if not _is_int(start) or not 0 <= start <= len(text):
        errors["start"] = ["起点不在正文范围内。"]
    if not _is_int(end) or not 0 <= end <= len(text):
        errors["end"] = ["终点不在正文范围内。"]
    elif _is_int(start) and end <= start:
        errors["end"] = ["终点必须在起点之后。"]
    if not errors and text[start:end] != exact:
        errors["exact"] = ["选中的原文与正文不符,请刷新页面后重新选择。"]
    return (None, errors) if errors else (selector_at(text, start, end), {})


def clean_body(data, partial=False, required=False):
    """(fields, errors) for a reader's Markdown `body` in `data` (annotations and replies)."""
    if "body" not in data and partial:
        return {}, {}
    body = data.get("body", "")
    if not isinstance(body, str):
        return {}, {"body": ["内容必须是文字。"]}
    if len(body) > BODY_MAX_LENGTH:
        return {}, {"body": [f"内容不能超过 {BODY_MAX_LENGTH} 个字符。"]}
    if CONTROL_CHARACTERS.search(body):
        return {}, {"body": ["内容里有无法保存的控制字符(如 NUL),请删掉后再试。"]}
    if required and not body.strip():
        return {}, {"body": ["请写点内容。"]}
    return {"body": body.strip()}, {}


def clean_tags(value):
    """(tags, error) for a list of tag names: trimmed, a leading `#` dropped, repeats dropped."""
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        return None, "标签必须是文字的列表。"
    tags = []
    for raw in value:
        tag = " ".join(raw.split()).removeprefix("#").strip()
        if CONTROL_CHARACTERS.search(tag):
            return None, "标签里有无法保存的控制字符。"
        if len(tag) > TAG_MAX_LENGTH:
            return None, f"每个标签最多 {TAG_MAX_LENGTH} 个字符。"
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > TAGS_MAX:
        return None, f"最多 {TAGS_MAX} 个标签。"
    return tags, None


def clean_fields(data, partial=False):
    """(fields, errors) for `body`, `visibility` and `tags` in `data`; `partial` allows any
    missing."""
    fields, errors = clean_body(data, partial)
    if "visibility" in data or not partial:
        visibility = data.get("visibility", Annotation.Visibility.PRIVATE)
        if visibility not in Annotation.Visibility.values:
            errors["visibility"] = ["可见性只能是 private 或 public。"]
        else:
            fields["visibility"] = visibility
    if "tags" in data or not partial:
        tags, error = clean_tags(data.get("tags", []))
        if error:
            errors["tags"] = [error]
        else:
            fields["tags"] = joined_tags(tags)
    return fields, errors


def create_annotation(
    note, user, selector, body="", visibility=Annotation.Visibility.PRIVATE, tags=""
):
    """A new annotation on the passage `selector` names, on the note's latest revision."""
    annotation = Annotation.objects.create(
        note=note,
        user=user,
        body=body,
        visibility=visibility,
        tags=tags,
        quote=selector["exact"],
        revision=NoteRevision.objects.filter(note=note).order_by("-id").first(),
        **selector,
    )
    personal.changed(shown_to_everyone=annotation.visibility == Annotation.Visibility.PUBLIC)
    return annotation


def edit_annotation(annotation, **fields):
    """Its author's new `fields`; a changed text marks it edited ("已编辑" on its card)."""
    was_public = annotation.visibility == Annotation.Visibility.PUBLIC
    changed = [name for name, value in fields.items() if getattr(annotation, name) != value]
    for name in changed:
        setattr(annotation, name, fields[name])
    if "body" in changed:
        annotation.edited_at = timezone.now()
        changed.append("edited_at")
    annotation.save(update_fields=[*changed, "updated_at"])
    is_public = annotation.visibility == Annotation.Visibility.PUBLIC
    personal.changed(shown_to_everyone=was_public or is_public)
    return annotation


def annotation_deleted(sender, instance, **kwargs):
    """`post_delete` receiver (the API, the admin, a note or reader deleted with theirs)."""
    personal.changed(shown_to_everyone=instance.visibility == Annotation.Visibility.PUBLIC)


# --- re-anchoring when notes change --------------------------------------------------------------


def reanchor_edited_notes(sender, changes, **kwargs):
    """`notes_changed` receiver: move the annotations of the notes whose body changed, and
    anchor again the orphans whose words are back.

    One query for the annotations of all of them, one diff per note, one bulk update. Returns
    notices for the author: how many passages now read differently from what their readers
    chose, how many were lost, and how many were found again.
    """
    edited = {change.note.pk: change for change in changes if change.body_changed}
    if not edited:
        return []
    annotations = Annotation.objects.filter(note__in=edited).order_by("note", "start")
    outcome = Reanchored()
    for note_id, rows in groupby(annotations, lambda a: a.note_id):
        change, on_note = edited[note_id], list(rows)
        new_text = note_text(change.note)
        anchored = [a for a in on_note if a.state == Annotation.State.ANCHORED]
        reanchor_note(anchored, plain_text(change.before["body_html"]), new_text, outcome)
        orphans = [a for a in on_note if a.state == Annotation.State.ORPHANED]
        find_orphans(orphans, new_text, outcome)
    Annotation.objects.bulk_update(outcome.moved, SELECTOR_FIELDS, batch_size=500)
    if any(a.visibility == Annotation.Visibility.PUBLIC for a in outcome.found):
        versions.changed()  # back from 未定位 on the page (the note's write draws one too)
    return outcome.notices()


@dataclass
class Reanchored:
    """What re-anchoring did to annotations (changed in memory, saved by the caller)."""

    moved: list = field(default_factory=list)  # selector or state changed: to be saved
    reworded: list = field(default_factory=list)  # found on other words than before
    orphaned: list = field(default_factory=list)
    found: list = field(default_factory=list)  # orphans whose passage is back

    def notices(self):
        found = [
            (self.reworded, "条批注所在的原文已修改,已移到修改后的文字上"),
            (self.orphaned, "条批注找不到原文,已标为“原文已删除”"),
            (self.found, "条“原文已删除”的批注找回了原文"),
        ]
        return [
            Notice(f"{len(annotations)} {message}", admin_list_url(annotations))
            for annotations, message in found
            if annotations
        ]


def reanchor_note(annotations, old_text, new_text, outcome):
    """Move anchored `annotations` of one note from `old_text` to `new_text`, noting in
    `outcome` (a Reanchored) what changed; nothing is saved.

    One diff for all of them (annotations.anchoring.reanchor). A found passage takes its new
    offsets, words and context; its `quote`, what the reader chose, stays. A lost one becomes
    an orphan and keeps its selector. Orphans are looked for by `find_orphans`, by their words:
    their offsets belong to a text that no longer exists.
    """
    spans = reanchor(old_text, new_text, [annotation.selector for annotation in annotations])
    for annotation, span in zip(annotations, spans, strict=True):
        before = (annotation.selector, annotation.state)
        if span is None:
            annotation.state = Annotation.State.ORPHANED
            outcome.orphaned.append(annotation)
        else:
            for name, value in selector_at(new_text, *span).items():
                setattr(annotation, name, value)
            if annotation.exact != before[0]["exact"] and annotation.text_changed:
                outcome.reworded.append(annotation)
        if (annotation.selector, annotation.state) != before:
            outcome.moved.append(annotation)


def find_orphans(orphans, new_text, outcome):
    """Anchor again the `orphans` whose passage is back in `new_text` (an undo, a restore), by
    their words and context (annotations.anchoring.find_again), noting them in `outcome`."""
    for annotation in orphans:
        span = find_again(new_text, annotation.selector)
        if span is not None:
            for name, value in selector_at(new_text, *span).items():
                setattr(annotation, name, value)
            annotation.state = Annotation.State.ANCHORED
            outcome.found.append(annotation)
            outcome.moved.append(annotation)


def admin_list_url(annotations):
    ids = ",".join(str(annotation.pk) for annotation in annotations)
    return f"{reverse('admin:annotations_annotation_changelist')}?{urlencode({'id__in': ids})}"
