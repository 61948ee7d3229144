from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS

from . import abuse
from .models import Comment

BODY_MAX_LENGTH = 3000
NAME_MAX_LENGTH = 50
BODY_HELP = "支持 *强调*、`代码`、[链接](https://…) 与 $公式$。"
# Errors that mean "not a person using our form": answered with an opaque 400, form not shown.
REFUSED = {"tampered", "honeypot"}


class BodyField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label="评论",
            max_length=BODY_MAX_LENGTH,
            help_text=BODY_HELP,
            widget=forms.Textarea(attrs={"rows": 5}),
            error_messages={"required": "评论内容不能为空。"},
            **kwargs,
        )


class CommentForm(forms.Form):
    """A new comment or reply on `note`, with the anti-abuse fields of django-contrib-comments.

    `timestamp` and `security_hash` sign the note and the time the form was rendered;
    `website` is a honeypot, hidden by CSS, that people leave empty.
    """

    body = BodyField()
    name = forms.CharField(
        label="署名",
        max_length=NAME_MAX_LENGTH,
        error_messages={"required": "请填写署名。"},
    )
    email = forms.EmailField(label="邮箱", required=False, help_text="可不填,不会公开。")
    website = forms.CharField(
        label="网站(请留空)",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    timestamp = forms.IntegerField(widget=forms.HiddenInput)
    security_hash = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, note, user, *args, **kwargs):
        self.note = note
        super().__init__(*args, **kwargs)
        if user.is_authenticated:
            del self.fields["name"], self.fields["email"]

    @property
    def target(self):
        return f"papers.note:{self.note.pk}"

    def clean_parent(self):
        pk = self.cleaned_data["parent"]
        if pk is None:
            return None
        parent = Comment.objects.filter(pk=pk).first()
        if parent is None:
            raise forms.ValidationError("要回复的评论不存在。", code="invalid_parent")
        if parent.note_id != self.note.pk:
            raise forms.ValidationError("要回复的评论不在这篇笔记下。", code="invalid_parent")
        if parent.parent_id is not None:
            raise forms.ValidationError("只能回复顶层评论,不能回复回复。", code="reply_to_reply")
        if parent.state != Comment.State.PUBLIC:
            raise forms.ValidationError("这条评论已不能回复。", code="invalid_parent")
        return parent

    def clean(self):
        data = super().clean()
        timestamp = data.get("timestamp")
        if timestamp is None or not abuse.hash_matches(
            self.target, timestamp, data.get("security_hash")
        ):
            raise forms.ValidationError("表单无效。", code="tampered")
        if data.get("website"):
            raise forms.ValidationError("提交被拒绝。", code="honeypot")
        age = abuse.form_age(timestamp)
        if age < settings.COMMENTS_MIN_SECONDS:
            raise forms.ValidationError("提交得太快了,请稍等几秒再提交。", code="too_fast")
        if age > settings.COMMENTS_FORM_MAX_AGE:
            raise forms.ValidationError("这个表单打开太久,已经过期,请再提交一次。", code="too_old")
        return data

    def refusal(self):
        """The error that refuses the post outright (tampering, honeypot), or None."""
        for error in self.errors.as_data().get(NON_FIELD_ERRORS, []):
            if error.code in REFUSED:
                return error.messages[0]
        return None


class CommentEditForm(forms.Form):
    body = BodyField()
