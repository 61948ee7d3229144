import pytest

from tests.notesite.test_settings import PRODUCTION, manage


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """collectstatic's output under production settings (hashed names), once per run."""
    static_root = tmp_path_factory.mktemp("static")
    result = manage("collectstatic", "--noinput", **PRODUCTION, STATIC_ROOT=str(static_root))
    assert result.returncode == 0, result.stdout + result.stderr
    return static_root
