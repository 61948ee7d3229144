"""The display name readers see, and the page where a reader changes it and their email."""

from django.contrib.auth import get_user_model

from accounts.models import display_name

User = get_user_model()


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


def test_admin_finds_profiles_by_username(admin_client, reader):
    """Profiles are under 读者账户 in the admin, searchable by the account's username."""
    index = admin_client.get("/admin/").content.decode()
    assert '<a href="/admin/accounts/profile/">读者资料</a>' in index
    assert ">读者账户</a>" in index
    html = admin_client.get("/admin/accounts/profile/", {"q": "READER"}).content.decode()
    assert f'href="/admin/accounts/profile/{reader.profile.pk}/change/?' in html
    assert "小读者" in html
