from django import forms
from django.contrib import admin

from .models import Topic


class TopicPositionForm(forms.ModelForm):
    """The list's editable position, named for screen readers by its row's topic: a column of
    inputs has no label of its own."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].widget.attrs["aria-label"] = f"“{self.instance.name}”的位置"


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent", "position"]
    list_editable = ["position"]
    list_select_related = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    autocomplete_fields = ["parent"]

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=TopicPositionForm, **kwargs)
