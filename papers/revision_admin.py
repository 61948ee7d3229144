"""The admin's pages of a note's history: its revisions, two of them compared, and a restore.

Mixed into NoteAdmin, so they share its permissions and its place in the admin's URLs:
`<note id>/revisions/`, `.../compare/?old=<id>&new=<id>`, `.../<id>/restore/`.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from . import revision_diff, revisions
from .admin_notices import tell
from .models import NoteRevision


class NoteRevisionPages:
    def get_urls(self):
        wrap = self.admin_site.admin_view  # staff only, CSRF-protected, never cached
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<int:note_id>/revisions/", wrap(self.revisions_view), name=f"{name}_revisions"),
            path(
                "<int:note_id>/revisions/compare/",
                wrap(self.compare_view),
                name=f"{name}_compare",
            ),
            path(
                "<int:note_id>/revisions/<int:revision_id>/restore/",
                wrap(self.restore_view),
                name=f"{name}_restore",
            ),
            *super().get_urls(),
        ]

    def revisions_view(self, request, note_id):
        """Every revision, newest first, two of them picked to compare (the latest two)."""
        note = self._note(request, note_id, self.has_view_or_change_permission)
        kept = list(note.revisions.select_related("author"))
        return self._render(
            request,
            "admin/papers/note/revisions.html",
            note,
            title=f"“{note}”的历史版本",
            revisions=kept,
            newest=kept[0].pk if kept else None,
            older=kept[1].pk if len(kept) > 1 else None,
        )

    def compare_view(self, request, note_id):
        note = self._note(request, note_id, self.has_view_or_change_permission)
        chosen = self._chosen_revisions(request, note)
        if chosen is None:
            self.message_user(request, "请选择两个不同的版本再比较。", messages.ERROR)
            return HttpResponseRedirect(self._url("revisions", note))
        old, new = chosen
        return self._render(
            request,
            "admin/papers/note/revision_compare.html",
            note,
            title=f"比较版本 #{old.pk} 与 #{new.pk}",
            old=old,
            new=new,
            diffs=revision_diff.compare(old, new),
        )

    def restore_view(self, request, note_id, revision_id):
        """GET: what restoring the revision would change in the note; POST: restore it."""
        note = self._note(request, note_id, self.has_change_permission)
        revision = get_object_or_404(NoteRevision, pk=revision_id, note=note)
        if request.method == "POST":
            notices = revisions.restore(revision, request.user)
            if notices is None:
                self.message_user(request, f"笔记已与版本 #{revision.pk} 相同,没有修改。")
            else:
                self.message_user(
                    request, f"已恢复到版本 #{revision.pk},另存为新版本。", messages.SUCCESS
                )
                tell(self, request, notices)
            return HttpResponseRedirect(self._url("revisions", note))
        diffs = revision_diff.compare(note, revision)
        return self._render(
            request,
            "admin/papers/note/revision_restore.html",
            note,
            title=f"恢复到版本 #{revision.pk}?",
            revision=revision,
            diffs=diffs,
            unchanged=not any(diff.changed for diff in diffs),
        )

    def _note(self, request, note_id, permission):
        note = get_object_or_404(self.get_queryset(request), pk=note_id)
        if not permission(request, note):
            raise PermissionDenied
        return note

    def _chosen_revisions(self, request, note):
        """The two revisions `old` and `new` of the query name, older first; None unless they
        are two different revisions of the note."""
        values = [request.GET.get(name, "") for name in ("old", "new")]
        if not all(value.isascii() and value.isdigit() for value in values):
            return None
        # One exact lookup each: an id too large for the column finds nothing (not a crash).
        either = Q(pk=int(values[0])) | Q(pk=int(values[1]))
        chosen = list(note.revisions.filter(either).select_related("author").order_by("id"))
        return chosen if len(chosen) == 2 else None

    def _url(self, view, note):
        return reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{view}",
            args=[note.pk],
        )

    def _render(self, request, template, note, **context):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "note": note,
                "can_restore": self.has_change_permission(request, note),
                **context,
            },
        )
