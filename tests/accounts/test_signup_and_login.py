"""Signing up with a display name, logging in and out."""

from django.contrib.auth import get_user_model

from tests.accounts.conftest import PASSWORD

User = get_user_model()


def header(response):
    html = response.content.decode()
    return html[html.index('<header class="site-header">') : html.index("</header>")]


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
