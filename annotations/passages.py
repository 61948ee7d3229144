"""Passage annotations: checking a new one's selector, and re-anchoring them when a note changes.

The API (annotations.api) and the signal handlers that AnnotationsConfig.ready() connects to
Note's pre_save / post_save call these plain functions. Offsets count code points over
`papers.rendering.plain_text(note.body_html)`, the same text static/js/plain-text.js computes in
the browser.

Re-anchoring runs inside the note's save, in its transaction, not after commit: the new body and
the new offsets become visible together, so no reader loads highlights on the wrong words, and
two quick edits cannot be applied out of order.
"""

from papers.models import Note
from papers.rendering import plain_text

from .anchoring import reanchor, selector_at
from .models import Annotation

BODY_MAX_LENGTH = 3000
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


def clean_fields(data, partial=False):
    """(fields, errors) for `body` and `visibility` in `data`; `partial` allows either missing."""
    fields, errors = {}, {}
    if "body" in data or not partial:
        body = data.get("body", "")
        if not isinstance(body, str):
            errors["body"] = ["批注内容必须是文字。"]
        elif len(body) > BODY_MAX_LENGTH:
            errors["body"] = [f"批注不能超过 {BODY_MAX_LENGTH} 个字符。"]
        else:
            fields["body"] = body.strip()
    if "visibility" in data or not partial:
        visibility = data.get("visibility", Annotation.Visibility.PRIVATE)
        if visibility not in Annotation.Visibility.values:
            errors["visibility"] = ["可见性只能是 private 或 public。"]
        else:
            fields["visibility"] = visibility
    return fields, errors


def create_annotation(note, user, selector, body="", visibility=Annotation.Visibility.PRIVATE):
    return Annotation.objects.create(
        note=note, user=user, body=body, visibility=visibility, **selector
    )


def edit_annotation(annotation, **fields):
    for name, value in fields.items():
        setattr(annotation, name, value)
    annotation.save(update_fields=[*fields, "updated_at"])
    return annotation


# --- re-anchoring on note save -----------------------------------------------------------------


def remember_old_body(sender, instance, raw=False, update_fields=None, **kwargs):
    """pre_save of Note: keep the stored body HTML before it is overwritten (one query)."""
    old = None
    body_saved = update_fields is None or "body_html" in update_fields
    if not raw and instance.pk is not None and body_saved:
        old = Note.objects.filter(pk=instance.pk).values_list("body_html", flat=True).first()
    setattr(instance, OLD_BODY_ATTRIBUTE, old)


def note_saved(sender, instance, created=False, raw=False, **kwargs):
    """post_save of Note: re-anchor its annotations when the body changed."""
    old = instance.__dict__.pop(OLD_BODY_ATTRIBUTE, None)
    if raw or created or old is None or old == instance.body_html:
        return
    reanchor_note(instance, plain_text(old), note_text(instance))


def reanchor_note(note, old_text, new_text):
    """Move `note`'s anchored annotations from `old_text` to `new_text`; return how many changed.

    One diff for all of them (annotations.anchoring.reanchor). A found passage takes its new
    offsets, words and context; a lost one becomes an orphan and keeps its quote. Orphans are
    not looked for again: their offsets belong to a text that no longer exists.
    """
    annotations = list(
        Annotation.objects.filter(note=note, state=Annotation.State.ANCHORED).order_by("start")
    )
    if not annotations:
        return 0
    spans = reanchor(old_text, new_text, [annotation.selector for annotation in annotations])
    changed = []
    for annotation, span in zip(annotations, spans, strict=True):
        before = (annotation.selector, annotation.state)
        if span is None:
            annotation.state = Annotation.State.ORPHANED
        else:
            for name, value in selector_at(new_text, *span).items():
                setattr(annotation, name, value)
        if (annotation.selector, annotation.state) != before:
            changed.append(annotation)
    Annotation.objects.bulk_update(changed, SELECTOR_FIELDS, batch_size=500)
    return len(changed)
