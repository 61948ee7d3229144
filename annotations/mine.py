"""A reader's own annotations across notes ("我的批注"): the filters, and the two exports.

Filters are a plain form over the query string (note, tag, visibility, text), so the page, its
pages and its exports read the same parameters. The Markdown export is a file an Obsidian vault
takes as it is: front matter (title, time, the notes' titles), a heading per note linking back
to it, each passage as a `>` quote, the reader's text, `#tags` and a link to the annotation.
The JSON-LD export is a W3C Web Annotation collection, the same items as a note's collection
(annotations.api).
"""

import re

import yaml
from django import forms
from django.db.models import Prefetch, Q
from django.utils import timezone

from accounts.models import display_name
from papers.models import Note

from .models import Annotation, Reply
from .passages import CONTROL_CHARACTERS

# What Obsidian takes as one tag: letters, digits, `_`, `-` and `/`; other characters become `-`.
NOT_IN_OBSIDIAN_TAG = re.compile(r"[^\w/-]+")


class MyAnnotationsFilter(forms.Form):
    note = forms.ModelChoiceField(Note.objects.none(), label="笔记", required=False)
    tag = forms.CharField(label="标签", required=False, max_length=30)
    visibility = forms.ChoiceField(
        label="可见性", choices=[("", "全部"), *Annotation.Visibility.choices], required=False
    )
    q = forms.CharField(label="文字", required=False, max_length=100)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].queryset = notes_annotated_by(user)

    def clean_q(self):
        return " ".join(without_controls(self.cleaned_data["q"]).split())

    def clean_tag(self):
        # As tags are stored (passages.clean_tags): whitespace collapsed, no leading `#`.
        return " ".join(without_controls(self.cleaned_data["tag"]).split()).removeprefix("#")


def without_controls(text):
    """`text`, refused when it holds control characters (PostgreSQL refuses NUL in a query)."""
    if CONTROL_CHARACTERS.search(text):
        raise forms.ValidationError("不能包含控制字符。")
    return text


def notes_annotated_by(user):
    return Note.objects.published().filter(annotations__user=user).distinct().order_by("title")


def annotations_of(user, filters=None):
    """`user`'s annotations on published notes, newest first, with their note and replies,
    narrowed by the cleaned `filters` of a MyAnnotationsFilter."""
    replies = Reply.objects.visible_to(user).select_related("user__profile")
    annotations = (
        Annotation.objects.filter(user=user, note__in=Note.objects.published())
        .select_related("note", "user__profile")
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="shown_replies"))
        .order_by("-created_at", "-id")
    )
    filters = filters or {}
    if filters.get("note"):
        annotations = annotations.filter(note=filters["note"])
    if filters.get("tag"):
        annotations = annotations.tagged(filters["tag"])
    if filters.get("visibility"):
        annotations = annotations.filter(visibility=filters["visibility"])
    if text := filters.get("q"):
        annotations = annotations.filter(Q(quote__icontains=text) | Q(body__icontains=text))
    return annotations


def obsidian_tag(tag):
    return "#" + NOT_IN_OBSIDIAN_TAG.sub("-", tag).strip("-")


def quoted(text):
    """`text` as a Markdown block quote, every line of it."""
    return "\n".join(f"> {line}".rstrip() for line in text.splitlines() or [""])


def front_matter(fields):
    """YAML front matter written by PyYAML, so that quotes, colons or `#` in a reader's name or a
    note's title stay text (Obsidian reads it as properties)."""
    return f"---\n{yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)}---\n"


def as_markdown(annotations, absolute_url, reader_name):
    """The annotations as one Markdown file, grouped by note in the order given."""
    lines, titles = [], []
    note = None
    for annotation in annotations:
        if annotation.note != note:
            note = annotation.note
            titles.append(note.title)
            lines += [f"## [{note.title}]({absolute_url(note.get_absolute_url())})", ""]
        lines += [quoted(annotation.quote), ""]
        if annotation.state == Annotation.State.ORPHANED:
            lines += ["(原文已删除)", ""]
        if annotation.body:
            lines += [annotation.body, ""]
        replies = [
            f"- {display_name(reply.user)} 回复:{' '.join(reply.body.split())}"
            for reply in annotation.shown_replies
        ]
        lines += [*replies, ""] if replies else []
        lines += [annotation_footer(annotation, absolute_url), "", "---", ""]
    fields = {
        "title": f"{reader_name} 的批注",
        "exported": timezone.localtime().isoformat(timespec="seconds"),
        "source": "notesite",
        "notes": titles,
    }
    return front_matter(fields) + "\n" + "\n".join(lines)


def annotation_footer(annotation, absolute_url):
    """When, who sees it, tags, a link back: `2026-12-05 17:03 · 公开 · #RL · [原文](…)`."""
    when = timezone.localtime(annotation.created_at).strftime("%Y-%m-%d %H:%M")
    tags = " ".join(obsidian_tag(tag) for tag in annotation.tag_list)
    link = f"[原文]({absolute_url(annotation.get_absolute_url())})"
    parts = [when, annotation.get_visibility_display(), tags, link]
    return " · ".join(part for part in parts if part)
