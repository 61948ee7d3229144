from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from .models import Profile

User = get_user_model()

DISPLAY_NAME_HELP = "显示在你的评论旁,最多 50 个字符。"
EMAIL_HELP = "可不填;只用于找回密码,不会公开。"


def clean_unique_email(email, user=None):
    """`email` unless another account already uses it (password reset mails every match)."""
    others = User.objects.filter(email__iexact=email)
    if user is not None:
        others = others.exclude(pk=user.pk)
    if email and others.exists():
        raise forms.ValidationError("这个邮箱已被其他账户使用。")
    return email


class SignUpForm(UserCreationForm):
    display_name = forms.CharField(label="显示名", max_length=50, help_text=DISPLAY_NAME_HELP)
    email = forms.EmailField(label="邮箱", required=False, help_text=EMAIL_HELP)

    field_order = ["username", "display_name", "email", "password1", "password2"]

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "email"]

    def clean_email(self):
        return clean_unique_email(self.cleaned_data["email"])

    def save(self):
        user = super().save()
        Profile.objects.create(user=user, display_name=self.cleaned_data["display_name"])
        return user


class ProfileForm(forms.Form):
    display_name = forms.CharField(label="显示名", max_length=50, help_text=DISPLAY_NAME_HELP)
    email = forms.EmailField(label="邮箱", required=False, help_text=EMAIL_HELP)

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_email(self):
        return clean_unique_email(self.cleaned_data["email"], self.user)

    def save(self):
        Profile.objects.update_or_create(
            user=self.user, defaults={"display_name": self.cleaned_data["display_name"]}
        )
        self.user.email = self.cleaned_data["email"]
        self.user.save(update_fields=["email"])
