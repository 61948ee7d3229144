"""Time the admin editor's live preview on a 20 KB note with 100 formulas, against a page.

    .venv/bin/python scripts/bench_preview.py
    .venv/bin/python scripts/bench_preview.py --size 20000 --formulas 100 --runs 50

It builds a test database (as the tests do: SQLite in memory unless DATABASE_URL says
otherwise), a superuser and a published note of about `--size` characters of Markdown
(Chinese and English prose, `--formulas` inline and display formulas, code blocks, a table),
then POSTs its body to the preview endpoint (papers.editor.preview: render, sanitize, line
markers, JSON) `--runs` times through Django's test client, and GETs the note's page as a
reader with the page cache off as many times. It prints p50 and p90 of each and the ratio of
the p50s. Goal (issue 14): preview under 150 ms at p50. The browser's part (KaTeX typesetting
the 100 formulas) is not in these figures.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notesite.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from papers.models import Note  # noqa: E402

PROSE = (
    "自注意力的计算量随序列长度平方增长,the attention matrix grows with the square of the "
    "sequence length;稀疏注意力只看局部窗口和少数全局位置。"
)
INLINE = [r"$O(n^2 d)$", r"$\mathrm{softmax}(QK^\top/\sqrt{d})V$", r"$\tau = 0.07$"]
DISPLAY = "$$\n\\mathcal{L} = -\\log \\frac{e^{s_i/\\tau}}{\\sum_j e^{s_j/\\tau}}\n$$"
CODE = "```python\nscores = q @ k.T / math.sqrt(d)\nweights = scores.softmax(-1)\n```"
TABLE = "| 模型 | 参数 | 准确率 |\n| --- | --- | --- |\n| Base | 110M | 84.1 |"


def generate(size, formulas):
    """Markdown of about `size` characters holding `formulas` formulas, a fifth of them display."""
    blocks, placed, section = [], 0, 0
    while placed < formulas or sum(map(len, blocks)) < size:
        index = len(blocks)
        if index % 10 == 0:
            section += 1
            blocks.append(f"## 第 {section} 节 Section {section}")
        elif index % 10 == 4:
            blocks.append(CODE)
        elif index % 10 == 7:
            blocks.append(TABLE)
        elif placed < formulas and index % 5 == 3:
            blocks.append(DISPLAY)
            placed += 1
        elif placed < formulas:
            blocks.append(f"{PROSE} {INLINE[placed % 3]} {PROSE}")
            placed += 1
        else:
            blocks.append(PROSE * 2)
    return "\n\n".join(blocks)


def timed(action, runs):
    action()  # warm: imports, lexers, the first query
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = action()
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def percentiles(times):
    cuts = statistics.quantiles(times, n=10)
    return statistics.median(times), cuts[8]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--formulas", type=int, default=100)
    parser.add_argument("--runs", type=int, default=30)
    options = parser.parse_args()

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    body = generate(options.size, options.formulas)
    note = Note.objects.create(
        title="基准", slug="bench-preview", body=body, status=Note.Status.PUBLISHED
    )
    admin = get_user_model().objects.create_superuser("bench", password="x")
    writer, reader = Client(), Client()
    writer.force_login(admin)
    preview_url = reverse("admin:papers_note_preview")

    preview = timed(lambda: writer.post(preview_url, {"body": body}), options.runs)
    with override_settings(PAGE_CACHE_SECONDS=0):
        page = timed(lambda: reader.get(note.get_absolute_url()), options.runs)

    formulas = body.count(DISPLAY) + sum(body.count(formula) for formula in INLINE)
    print(f"note: {len(body):,} characters, {formulas} formulas")
    print(f"runs: {options.runs} each, {connection.vendor}")
    for name, times in [("preview (POST)", preview), ("note page (GET)", page)]:
        p50, p90 = percentiles(times)
        print(f"{name:16} p50 {p50:7.1f} ms   p90 {p90:7.1f} ms")
    ratio = percentiles(preview)[0] / percentiles(page)[0]
    print(f"preview / page at p50: {ratio:.1f}")


if __name__ == "__main__":
    main()
