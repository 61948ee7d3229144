"""The production server: gunicorn with DEBUG=0 serves pages, /healthz and hashed static files."""

import json
import re
from pathlib import Path

import pytest
from django.core.cache import caches

from tests.notesite.servers import Client, gunicorns, production_env
from tests.notesite.test_settings import PRODUCTION, manage


@pytest.fixture(scope="module")
def server(tmp_path_factory, static_root):
    """gunicorn over a migrated SQLite database of its own and the collected static files."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('gunicorn') / 'db.sqlite3'}"
    result = manage("migrate", "--noinput", **PRODUCTION, DATABASE_URL=database_url)
    assert result.returncode == 0, result.stdout + result.stderr
    env = production_env(DATABASE_URL=database_url, STATIC_ROOT=str(static_root))
    with gunicorns(server=env) as urls:
        yield urls["server"]


def test_gunicorn_serves_the_site(server):
    """/healthz and / answer 200 with the policy; hashed static files are cached for long."""
    client = Client()
    health = client.get(f"{server}/healthz")
    assert (health.status, json.loads(health.text)) == (200, {"database": "ok", "cache": "ok"})

    page = client.get(f"{server}/")
    assert page.status == 200
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]

    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page.text).group(1)
    response = client.get(f"{server}{stylesheet}")
    assert response.status == 200
    max_age = re.search(r"max-age=(\d+)", response.headers["Cache-Control"]).group(1)
    assert int(max_age) >= 365 * 24 * 3600


def test_module_imports_use_hashed_names(server, static_root):
    """comments.js as served imports math.js by its hashed name, so it loads once."""
    paths = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    script = Client().get(f"{server}/static/{paths['js/comments.js']}").text
    math = Path(paths["js/math.js"]).name
    assert re.fullmatch(r"math\.[0-9a-f]{12}\.js", math)
    assert f'from "./{math}"' in script
    assert 'from "./math.js"' not in script


CREATE_NOTE = """
from django.utils import timezone
from papers.models import Note
Note.objects.create(
    title="看过的笔记", slug="seen", body="正文", status=Note.Status.PUBLISHED,
    published_at=timezone.now(),
)
"""


def test_a_stopped_worker_pushes_the_views_it_holds(tmp_path, static_root, redis_url, settings):
    """gunicorn stopped (a deploy, a worker restarted) pushes the note views its worker holds
    to Redis as it exits, though its thread would push them only an hour later."""
    database_url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    for command in (("migrate", "--noinput"), ("shell", "-c", CREATE_NOTE)):
        result = manage(*command, **PRODUCTION, DATABASE_URL=database_url)
        assert result.returncode == 0, result.stdout + result.stderr
    env = production_env(
        DATABASE_URL=database_url,
        STATIC_ROOT=str(static_root),
        REDIS_URL=redis_url,
        CACHE_KEY_PREFIX=settings.CACHES["default"]["KEY_PREFIX"],
        VIEW_COUNT_PUSH_SECONDS="3600",
    )
    cache = caches["default"]
    views = cache.make_key("note-views")
    client = Client()
    with gunicorns(server=env) as urls:
        for _ in range(3):
            assert client.get(f"{urls['server']}/notes/seen/").status == 200
        assert cache.redis().hvals(views) == []  # held by the worker
    assert cache.redis().hvals(views) == [b"3"]
