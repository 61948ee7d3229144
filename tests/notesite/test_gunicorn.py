"""The production server: gunicorn with DEBUG=0 serves pages, /healthz and hashed static files."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.notesite.test_settings import NOT_INHERITED, PRODUCTION, PROJECT


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.headers, response.read().decode()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn on a free port over a migrated SQLite database and collected static files."""
    tmp_path = tmp_path_factory.mktemp("gunicorn")
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env = {
        **environment,
        **PRODUCTION,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "PORT": str(port),
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
    }
    env.pop("REDIS_URL", None)
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=PROJECT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "notesite/gunicorn.conf.py", "notesite.wsgi"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                get(f"{url}/healthz")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url, tmp_path / "static"
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
        print(output)  # shown when the test fails


def test_gunicorn_serves_the_site(server):
    """/healthz and / answer 200 with the policy; hashed static files are cached for long."""
    url, _ = server
    status, headers, body = get(f"{url}/healthz")
    assert (status, json.loads(body)) == (200, {"database": "ok", "cache": "ok"})

    status, headers, page = get(f"{url}/")
    assert status == 200
    assert "script-src 'self'" in headers["Content-Security-Policy"]

    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page).group(1)
    status, headers, _ = get(f"{url}{stylesheet}")
    assert status == 200
    max_age = re.search(r"max-age=(\d+)", headers["Cache-Control"]).group(1)
    assert int(max_age) >= 365 * 24 * 3600


def test_module_imports_use_hashed_names(server):
    """comments.js as served imports math.js by its hashed name, so it loads once."""
    url, static_root = server
    paths = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    _, _, script = get(f"{url}/static/{paths['js/comments.js']}")
    math = Path(paths["js/math.js"]).name
    assert re.fullmatch(r"math\.[0-9a-f]{12}\.js", math)
    assert f'from "./{math}"' in script
    assert 'from "./math.js"' not in script
