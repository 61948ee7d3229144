"""Accounts under /accounts/: Django's auth views with the site's templates, sign-up, profile.

The password-change templates have their own names: the admin renders
`registration/password_change_form.html` for its own password page.
"""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views
from .limits import limit_login_attempts, limit_posts

app_name = "accounts"
urlpatterns = [
    path(
        "signup/",
        limit_posts("signup", "SIGNUP_RATE_LIMIT")(views.SignUpView.as_view()),
        name="signup",
    ),
    path(
        "login/",
        limit_login_attempts(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="papers:index"), name="logout"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="registration/password_change.html",
            success_url=reverse_lazy("accounts:password-change-done"),
        ),
        name="password-change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_changed.html"
        ),
        name="password-change-done",
    ),
    path(
        "password/reset/",
        limit_posts("password-reset", "PASSWORD_RESET_RATE_LIMIT", "email")(
            auth_views.PasswordResetView.as_view(
                email_template_name="registration/password_reset_email.txt",
                subject_template_name="registration/password_reset_subject.txt",
                success_url=reverse_lazy("accounts:password-reset-done"),
            )
        ),
        name="password-reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("accounts:password-reset-complete"),
        ),
        name="password-reset-confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
]
