"""Production settings: `check --deploy` is clean, and unsafe configurations refuse to start."""

import os
import re
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k3V9q-production-secret-for-tests-only-7Jx2LmP0wQ8rT5yZ1nB4cD6",
    "ALLOWED_HOSTS": "notes.example.com",
}


# Set for the browser tests in this process; a deployment must not have it.
NOT_INHERITED = {*PRODUCTION, "DJANGO_ALLOW_ASYNC_UNSAFE"}


def manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_is_clean_with_production_settings():
    """DEBUG=0 with a real SECRET_KEY and ALLOWED_HOSTS passes check --deploy with no warning."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    """DEBUG=0 without SECRET_KEY stops with a message naming the variable."""
    result = manage("check", DEBUG="0", ALLOWED_HOSTS="notes.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    """DEBUG=0 without ALLOWED_HOSTS stops with a message naming the variable."""
    result = manage("check", DEBUG="0", SECRET_KEY=PRODUCTION["SECRET_KEY"])
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_development_defaults_need_no_environment():
    """With no variables set, the project starts on its development defaults."""
    result = manage("check")
    assert result.returncode == 0, result.stderr


def test_readme_lists_every_environment_variable():
    """Each variable the settings or gunicorn's configuration read has a row in README.md."""
    sources = (PROJECT / "notesite" / "settings.py").read_text()
    sources += (PROJECT / "notesite" / "gunicorn.conf.py").read_text()
    read = set(re.findall(r'(?:environ\.get|env_bool|env_list)\("([A-Z_]+)"', sources))
    readme = (PROJECT / "README.md").read_text()
    assert read > {"DEBUG", "REDIS_URL", "GUNICORN_WORKERS"}
    assert {name for name in read if f"`{name}`" not in readme} == set()
