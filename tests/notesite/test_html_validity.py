"""Every page kind is valid HTML for the Nu HTML checker (npm `vnu-jar`, run with Java)."""

import json
import shutil
import subprocess
from pathlib import Path

from tests.services import require_program
from tests.site_pages import PAGES, READER, build_site

VNU = (
    Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)


def require_checker():
    missing = [
        what for what, there in [("java", shutil.which("java")), (VNU, VNU.exists())] if not there
    ]
    if missing:
        require_program(f"{missing} missing: apt-get install default-jre-headless; npm ci")


def test_every_page_kind_has_no_html_errors(client, django_user_model, tmp_path):
    """All PAGES, rendered for a guest or the signed-in reader, checked in one run: 0 errors."""
    require_checker()
    build_site(django_user_model)
    reader = django_user_model.objects.get(username=READER)
    files = {}
    for page in PAGES:
        if page.signed_in:
            client.force_login(reader)
        else:
            client.logout()
        response = client.get(page.url)
        assert response.status_code == page.status, page.kind
        path = tmp_path / f"{page.kind}.html"
        path.write_bytes(response.content)
        files[path] = page.kind

    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr)["messages"]
    kinds = {f"file:{path}": kind for path, kind in files.items()}
    assert len(files) == len(PAGES)
    errors = [
        f"{kinds.get(m.get('url'), m.get('url'))}:{m.get('lastLine')}: {m['message']} "
        f"[{m.get('extract', '').strip()}]"
        for m in messages
    ]
    assert errors == []
