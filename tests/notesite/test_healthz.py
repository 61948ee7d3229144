"""/healthz: whether the database and the cache answer, for load balancers and monitors."""

from unittest import mock

from django.db import DatabaseError

from notesite import views
from tests.services import REDIS_DOWN_CACHES


def test_healthy(client, db):
    """Both answer: 200 {"database": "ok", "cache": "ok"}, never cached."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_failing_cache(client, db, settings):
    """A Redis that does not answer: 503 naming the cache (pages themselves still render)."""
    settings.CACHES = REDIS_DOWN_CACHES
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "error"}


def test_cache_that_forgets(client, db):
    """A cache that stores nothing: 503 naming the cache."""
    with mock.patch.object(views.cache, "get", return_value=None):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "error"}


def test_failing_database(client, db):
    """A database that raises: 503 naming the database."""
    with mock.patch.object(views.connection, "cursor", side_effect=DatabaseError("gone")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "error", "cache": "ok"}


def test_not_in_the_sitemap(client, db):
    """The sitemap lists pages for readers, not /healthz."""
    assert b"healthz" not in client.get("/sitemap.xml").content
