from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client, RequestFactory
from django.views.defaults import server_error


def test_server_error_page_renders_in_site_style_without_a_database():
    """500.html renders with no request context or queries, in the site's layout."""
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错了" in html
    assert 'class="site-header"' in html
    assert "/static/css/site.css" in html


@pytest.fixture
def browser():
    """A client that gets the error page, as a browser would, instead of the exception."""
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_database_that_does_not_answer_is_a_503_with_retry_after(browser, db, error):
    with mock.patch.object(connection, "cursor", side_effect=error("connection refused")):
        response = browser.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "网站暂时无法访问" in response.content.decode()


def test_the_next_request_after_the_database_is_back_is_served(browser, make_note):
    make_note(title="恢复之后")
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        assert browser.get("/notes/note-1/").status_code == 503
    assert "恢复之后" in browser.get("/notes/note-1/").content.decode()


def test_other_errors_are_still_a_500(browser, db):
    with mock.patch("papers.views.LatestNotesView.get", side_effect=ValueError("a bug")):
        response = browser.get("/")
    assert response.status_code == 500
    assert "服务器出错了" in response.content.decode()
    assert "Retry-After" not in response
