"""Notes imported from each flavour's small blog (tests/papers/flavours.py), opened in Chromium:
math typesets, every image loads, and no syntax of the old tools shows as text."""

import pytest

from papers.importing import import_notes
from papers.models import Note
from tests.papers.flavours import build_blogs

# Visible text the old sites never showed: TeX delimiters (a price "$5" aside), wikilinks,
# inline footnotes, highlights, Obsidian comments and callouts, Hexo tags, Hugo shortcodes.
RAW_SYNTAX = ["$", "[[", "^[", "==", "%%", "[!", "{%", "{{<", "\\("]
PRICE = "价格 $5"

READER_VIEW = """() => {
  const body = document.querySelector(".note__body");
  body.querySelectorAll("details").forEach((details) => { details.open = true; });
  return {
    text: body.innerText,
    mathErrors: document.querySelectorAll(".katex-error").length,
    typeset: body.querySelectorAll(".katex").length,
    brokenImages: [...document.images]
      .filter((image) => !image.complete || image.naturalWidth === 0)
      .map((image) => image.getAttribute("src")),
  };
}"""


@pytest.fixture
def imported_notes(transactional_db, tmp_path, django_capture_on_commit_callbacks):
    for folder in build_blogs(tmp_path).values():
        with django_capture_on_commit_callbacks(execute=True):
            import_notes([folder])
    return list(Note.objects.order_by("slug"))


def test_imported_notes_look_as_on_the_old_sites(page, live_server, imported_notes, artifacts):
    seen = {}
    for note in imported_notes:
        page.goto(f"{live_server.url}{note.get_absolute_url()}")
        page.wait_for_load_state("networkidle")
        view = page.evaluate(READER_VIEW)
        raw = [marker for marker in RAW_SYNTAX if marker in view["text"].replace(PRICE, "")]
        seen[note.slug] = (view["mathErrors"], view["brokenImages"], raw)
        if note.slug == "clip":
            page.screenshot(path=artifacts / "imported-hexo-note.png", full_page=True)
        assert view["typeset"] or "$" not in note.body, note.slug
    assert seen == {note.slug: (0, [], []) for note in imported_notes}
    assert len(seen) == 7
