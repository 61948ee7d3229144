"""Readers' accounts: sign up with a display name, log in and out, change and reset passwords."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import resolve, reverse

from annotations.models import Profile, display_name

User = get_user_model()
PASSWORD = "Transformer-2017"


@pytest.fixture
def reader(db):
    user = User.objects.create_user("reader", "reader@example.com", PASSWORD)
    Profile.objects.create(user=user, display_name="小读者")
    return user


def header(response):
    html = response.content.decode()
    return html[html.index('<header class="site-header">') : html.index("</header>")]


@pytest.mark.parametrize(
    ("name", "kwargs", "path"),
    [
        ("accounts:signup", {}, "/accounts/signup/"),
        ("accounts:login", {}, "/accounts/login/"),
        ("accounts:logout", {}, "/accounts/logout/"),
        ("accounts:profile", {}, "/accounts/profile/"),
        ("accounts:password-change", {}, "/accounts/password/change/"),
        ("accounts:password-reset", {}, "/accounts/password/reset/"),
        (
            "accounts:password-reset-confirm",
            {"uidb64": "MQ", "token": "set-password"},
            "/accounts/password/reset/MQ/set-password/",
        ),
    ],
)
def test_urls_round_trip(name, kwargs, path):
    """Each account URL name reverses to its path and resolves back."""
    assert reverse(name, kwargs=kwargs) == path
    assert resolve(path).view_name == name


def test_sign_up_creates_account_profile_and_logs_in(client, db):
    """Signing up stores the user and display name, logs in and returns to `next`."""
    response = client.post(
        "/accounts/signup/?next=/notes/x/%23comment-form",
        {
            "username": "newbie",
            "display_name": "新读者",
            "email": "",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/notes/x/#comment-form"
    user = User.objects.get(username="newbie")
    assert (user.profile.display_name, user.email) == ("新读者", "")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sign_up_errors_are_shown(client, reader):
    """A taken username, mismatched passwords and a taken email are form errors."""
    response = client.post(
        "/accounts/signup/",
        {
            "username": "reader",
            "display_name": "x",
            "email": "READER@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD + "!",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "已存在一位使用该名字的用户。" in html
    assert "这个邮箱已被其他账户使用。" in html
    assert User.objects.count() == 1


def test_sign_up_ignores_an_offsite_next(client, db):
    """`next` pointing elsewhere falls back to the home page."""
    response = client.post(
        "/accounts/signup/?next=https://evil.example.com/",
        {"username": "n", "display_name": "n", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response["Location"] == "/"


def test_header_offers_login_and_sign_up_to_anonymous_readers(client, db):
    """The header links to log in and sign up, returning to the current page."""
    html = header(client.get("/archive/"))
    assert '<a class="site-account__link" href="/accounts/login/?next=/archive/">登录</a>' in html
    assert '<a class="site-account__link" href="/accounts/signup/?next=/archive/">注册</a>' in html


def test_log_in_shows_display_name_in_header(client, reader):
    """Logging in through the form redirects to `next` and the header shows the display name."""
    page = client.get("/accounts/login/?next=/archive/")
    assert 'name="next" value="/archive/"' in page.content.decode()
    response = client.post(
        "/accounts/login/", {"username": "reader", "password": PASSWORD, "next": "/archive/"}
    )
    assert response["Location"] == "/archive/"
    html = header(client.get("/archive/"))
    assert ">小读者</a>" in html
    assert '<button class="site-account__button" type="submit">退出</button>' in html


def test_wrong_password_is_an_error(client, reader):
    """A wrong password keeps the reader on the login page with an error."""
    response = client.post("/accounts/login/", {"username": "reader", "password": "nope"})
    assert response.status_code == 200
    assert "请输入一个正确的用户名和密码" in response.content.decode()


def test_log_out_is_a_post(client, reader):
    """Logging out takes a POST and returns to `next`; GET is not allowed."""
    client.force_login(reader)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/", {"next": "/archive/"})
    assert response["Location"] == "/archive/"
    assert "_auth_user_id" not in client.session


def test_password_change(client, reader):
    """A signed-in reader changes their password and stays logged in."""
    client.force_login(reader)
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "Attention-Is-All",
            "new_password2": "Attention-Is-All",
        },
    )
    assert response["Location"] == "/accounts/password/change/done/"
    reader.refresh_from_db()
    assert reader.check_password("Attention-Is-All")
    assert "密码已修改。" in client.get(response["Location"]).content.decode()


def test_password_change_page_is_the_sites(client, reader):
    """The page uses the site's layout, not the admin's."""
    client.force_login(reader)
    html = client.get("/accounts/password/change/").content.decode()
    assert 'class="site-header"' in html
    assert 'class="form"' in html


def test_password_reset_by_email(client, reader):
    """Reset mails a link; following it sets a new password that logs in."""
    response = client.post("/accounts/password/reset/", {"email": "reader@example.com"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "[notesite] 重设密码"
    assert message.to == ["reader@example.com"]
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "输入新密码" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Attention-Is-All", "new_password2": "Attention-Is-All"},
    )
    assert done["Location"] == "/accounts/password/reset/complete/"
    assert client.login(username="reader", password="Attention-Is-All")


def test_password_reset_for_unknown_email_sends_nothing(client, db):
    """An unknown address gets the same page and no email."""
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_profile_updates_display_name_and_email(client, reader):
    """The profile page changes the display name and email."""
    client.force_login(reader)
    response = client.post(
        "/accounts/profile/", {"display_name": "大读者", "email": "new@example.com"}
    )
    assert response["Location"] == "/accounts/profile/"
    reader.refresh_from_db()
    assert (reader.profile.display_name, reader.email) == ("大读者", "new@example.com")


def test_profile_requires_login(client, db):
    """Anonymous readers are sent to log in."""
    response = client.get("/accounts/profile/")
    assert response["Location"] == "/accounts/login/?next=/accounts/profile/"


def test_display_name_falls_back_to_username(db):
    """Accounts without a profile (createsuperuser) show their username."""
    assert display_name(User.objects.create_user("bare")) == "bare"
