"""Changing a password, and resetting a forgotten one by email."""

import re

from django.core import mail

from tests.accounts.conftest import PASSWORD


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
