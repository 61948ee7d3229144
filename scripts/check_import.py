"""Import a blog or vault into a scratch site and look at every note in Chromium.

    .venv/bin/python scripts/check_import.py PATH [PATH ...] [--show 5] [--math-in-code]

For a real blog an author is about to move (CORPORA.md names public ones): imports PATHs with
`--skip-invalid` into a new SQLite database and media folder of its own (nothing of the
developer's site is touched), serves them with runserver, opens each note in Debian's chromium
and prints what readers would see differ from the old site:

- files, notes, refused files and warnings, each grouped by their message's kind, with up to
  `--show` examples `path:line: message`;
- per page: KaTeX errors, local images that do not load (naturalWidth 0), remote images
  (which cannot load on a machine without the internet, so counted apart), and old tools'
  syntax left as text outside code (`$`, `[[`, `^[`, `==`, `%%`, `[!`, `{%`, `{{<`).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RAW_SYNTAX = ["$", "[[", "^[", "==", "%%", "[!", "{%", "{{<"]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
# What one page shows: its body's text outside code, math errors and its images.
PAGE_VIEW = """() => {
  const body = document.querySelector(".note__body").cloneNode(true);
  body.querySelectorAll("pre, code, .katex, .headerlink").forEach((element) => element.remove());
  const images = [...document.querySelectorAll(".note__body img")];
  const remote = (image) => !image.src.startsWith(location.origin);
  return {
    text: body.textContent,
    mathErrors: [...document.querySelectorAll(".katex-error")].map((e) => e.title),
    broken: images.filter((i) => !remote(i) && i.naturalWidth === 0).map((i) => i.src),
    localImages: images.filter((i) => !remote(i)).length,
    remoteImages: images.filter(remote).length,
  };
}"""


def kind_of(message):
    """A message's kind: its words before the first ':' or quote, numbers folded."""
    head = re.split(r"[:'\"]", message, maxsplit=1)[0]
    return re.sub(r"\d+", "N", head).strip()


def scratch_site(folder):
    os.environ.update(
        DJANGO_SETTINGS_MODULE="notesite.settings",
        DATABASE_URL=f"sqlite:///{folder}/db.sqlite3",
        MEDIA_ROOT=str(folder / "media"),
        DEBUG="1",
        PAGE_CACHE_SECONDS="0",
        REDIS_URL="",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def import_paths(paths, math_in_code):
    from papers.importing import import_notes

    started = time.perf_counter()
    paths = [Path(path) for path in paths]
    report = import_notes(paths, skip_invalid=True, math_in_code=math_in_code)
    return report, time.perf_counter() - started


def print_grouped(title, problems, show):
    kinds = defaultdict(list)
    for problem in problems:
        kinds[kind_of(problem.message)].append(problem)
    print(f"{title}: {len(problems)}")
    for kind, found in sorted(kinds.items(), key=lambda item: -len(item[1])):
        print(f"  {len(found):5}  {kind}")
        for problem in found[:show]:
            print(f"           {problem}")


def serve():
    port = 8000 + os.getpid() % 1000
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1)
            return server, url
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("runserver did not start")


def look_at_pages(url, note_urls):
    from playwright.sync_api import sync_playwright

    views = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        for note_url in note_urls:
            page.goto(f"{url}{note_url}")
            page.wait_for_load_state("networkidle")
            views[note_url] = page.evaluate(PAGE_VIEW)
        browser.close()
    return views


def print_pages(views, show):
    raw, pages_with, examples = Counter(), Counter(), defaultdict(list)
    for url, view in views.items():
        for marker in RAW_SYNTAX:
            if count := view["text"].count(marker):
                raw[marker] += count
                pages_with[marker] += 1
                at = view["text"].index(marker)
                examples[marker].append((url, " ".join(view["text"][at - 30 : at + 30].split())))
    errors = [(url, error) for url, view in views.items() for error in view["mathErrors"]]
    broken = [(url, src) for url, view in views.items() for src in view["broken"]]
    print(f"pages opened: {len(views)}")
    print(f"  KaTeX errors: {len(errors)}")
    for note_url, error in errors[:show]:
        print(f"           {note_url}  {error[:120]}")
    local = sum(view["localImages"] for view in views.values())
    print(f"  local images: {local}, not loading: {len(broken)}")
    for note_url, src in broken[:show]:
        print(f"           {note_url}  {src}")
    remote = sum(view["remoteImages"] for view in views.values())
    print(f"  remote images (not counted as broken): {remote}")
    for marker in RAW_SYNTAX:
        print(f"  {marker!r:7} left as text: {raw[marker]} times on {pages_with[marker]} pages")
        for note_url, text in examples[marker][:show]:
            print(f"           {note_url}  …{text}…")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--show", type=int, default=5, help="examples shown per kind")
    parser.add_argument("--math-in-code", action="store_true", help="as import_notes has it")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        scratch_site(Path(folder))
        report, seconds = import_paths(options.paths, options.math_in_code)
        from papers.models import Note

        refused = len({problem.path for problem in report.problems})
        files = report.created + report.updated + report.unchanged + refused
        print(f"files: {files} (+{report.skipped} skipped), imported in {seconds:.1f} s")
        print(f"notes: {Note.objects.count()} ({Note.objects.published().count()} published)")
        print_grouped(f"refused files: {refused}; problems", report.problems, options.show)
        print_grouped("warnings", report.warnings, options.show)
        server, url = serve()
        try:
            note_urls = [note.get_absolute_url() for note in Note.objects.published()]
            print_pages(look_at_pages(url, note_urls), options.show)
        finally:
            server.terminate()


if __name__ == "__main__":
    main()
