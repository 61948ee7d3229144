"""Time search against the home page over generated notes, on SQLite and PostgreSQL.

    .venv/bin/python scripts/bench_search.py                 # both backends, 1,000 and 20,000
    .venv/bin/python scripts/bench_search.py --backends sqlite --sizes 1000 5000 --runs 5
    BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python scripts/...

For each backend the script builds a scratch database (a temporary SQLite file; a PostgreSQL
database `notesite_bench`, created on the server of BENCH_POSTGRES_URL and dropped afterwards),
migrates it, bulk-creates notes with pre-rendered HTML (tags, topics, papers; a few percent of
the notes are about any one subject), fills the search index with `papers.search.rebuild_index()`
and runs ANALYZE. It then requests `/` and `/search/?q=...` through Django's test client and
prints the median of several runs after one warm-up. Each size extends the previous data set,
so the 20,000-note figures include the first 1,000 notes.

Goals (issue "Finding notes"): search within 3x of `/` at 20,000 notes, and growing by less
than 2x from 1,000 to 20,000 notes. One- and two-character queries use the `grams` index (see
papers/search.py) and are held to the same goals, except a character found in every note: its
hits, and so their ranking, grow with the notes; it is timed for information only. The database
size and the time to re-index one note are printed with each data set.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "notesite_bench"
QUERIES = {
    "CJK": "对比学习",
    "English": "contrastive",
    "2-char CJK": "蒸馏",
    "1-char CJK": "蒸",
    "1-char, all notes": "的",
}
INFO_ONLY = {"1-char, all notes"}  # no goal: it finds (and ranks) every note
# One subject per note: the Chinese term, its English name, a tag.
SUBJECTS = [
    ("对比学习", "contrastive learning", "SimCLR"),
    ("注意力机制", "attention mechanism", "Transformer"),
    ("扩散模型", "diffusion models", "DDPM"),
    ("知识蒸馏", "knowledge distillation", "蒸馏"),
    ("强化学习", "reinforcement learning", "PPO"),
    ("图神经网络", "graph neural networks", "GNN"),
    ("检索增强生成", "retrieval augmented generation", "RAG"),
    ("混合专家", "mixture of experts", "MoE"),
    ("量化", "quantization", "INT8"),
    ("剪枝", "network pruning", "Pruning"),
    ("位置编码", "positional encoding", "RoPE"),
    ("归一化", "normalization layers", "LayerNorm"),
    ("目标检测", "object detection", "DETR"),
    ("语义分割", "semantic segmentation", "UNet"),
    ("语音识别", "speech recognition", "ASR"),
    ("机器翻译", "machine translation", "NMT"),
    ("推荐系统", "recommender systems", "CTR"),
    ("联邦学习", "federated learning", "FedAvg"),
    ("元学习", "meta learning", "MAML"),
    ("生成对抗网络", "generative adversarial networks", "GAN"),
]
FILLER = [
    "这篇文章的实验设置比较完整,基线覆盖了常见的方法。",
    "作者在附录里给出了超参数,复现时需要注意学习率的预热。",
    "损失函数由两部分组成,第二项起正则化的作用。",
    "The ablation shows that the gain mostly comes from the data pipeline.",
    "Training takes about two days on eight GPUs with mixed precision.",
    "实验部分在三个公开数据集上报告了结果,提升在一个百分点左右。",
    "We follow the original implementation and keep the batch size fixed.",
    "模型结构并不复杂,关键在于训练目标的设计。",
    "The appendix lists every hyper-parameter, which makes replication easy.",
    "与之前的工作相比,这里去掉了一个额外的编码器。",
    "评价指标沿用了先前工作的定义,便于直接比较。",
    "Results on the larger benchmark are less convincing than the headline numbers.",
]
CODE = (
    '<div class="highlight"><pre><span></span><code><span class="kn">import</span> '
    '<span class="nn">torch</span>\nx = torch.randn(8, 512)\n</code></pre></div>'
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 20000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser.parse_args()


def main():
    args = parse_args()
    if args.child:
        run_backend(args.child, args.sizes, args.runs)
        return
    rows = []
    for backend in args.backends:
        print(f"{backend}: generating and timing…", file=sys.stderr, flush=True)
        command = [sys.executable, __file__, "--child", backend, "--runs", str(args.runs)]
        command += ["--sizes", *map(str, args.sizes)]
        output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        rows += json.loads(output.stdout)
    print_table(rows, args.sizes)


def print_table(rows, sizes):
    first = {(r["backend"], r["query"]): r["search_ms"] for r in rows if r["n"] == sizes[0]}
    header = f"{'backend':<11}{'N':>7}  {'query':<18}{'/ ms':>8}{'search ms':>11}"
    header += f"{'ratio':>8}{'growth':>8}  {'goal':<7} term"
    print(header)
    print("-" * (len(header) + 4))
    for r in rows:
        ratio = r["search_ms"] / r["home_ms"]
        growth = r["search_ms"] / first[(r["backend"], r["query"])]
        verdict = "info"
        if r["query"] not in INFO_ONLY and r["n"] == sizes[-1] and len(sizes) > 1:
            verdict = "met" if ratio <= 3 and growth < 2 else "MISSED"
        term = QUERIES[r["query"]]
        print(
            f"{r['backend']:<11}{r['n']:>7}  {r['query']:<18}{r['home_ms']:>8.1f}"
            f"{r['search_ms']:>11.1f}{ratio:>8.2f}{growth:>8.2f}  {verdict:<7} {term}"
        )


# --- the child process: one backend ----------------------------------------------------------


def run_backend(backend, sizes, runs):
    scratch = tempfile.mkdtemp(prefix="notesite-bench-")
    if backend == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    else:
        server = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        recreate_postgres_database(server)
        os.environ["DATABASE_URL"] = server.rsplit("/", 1)[0] + f"/{BENCH_DATABASE}"
    os.environ["MEDIA_ROOT"] = scratch
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notesite.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.DEBUG = False  # no query log while timing
    try:
        call_command("migrate", verbosity=0)
        results = []
        for size in sizes:
            started = time.perf_counter()
            indexing = generate_notes(size)
            print(
                f"  {backend} {size}: data ready in {time.perf_counter() - started:.0f}s "
                f"(rebuild_index {indexing:.1f}s), database {database_mb(backend):.0f} MB, "
                f"re-indexing one note {reindex_ms():.1f} ms",
                file=sys.stderr,
                flush=True,
            )
            home = median_ms("/", runs)
            for name, query in QUERIES.items():
                search_ms = median_ms(f"/search/?q={query}", runs)
                row = {"backend": backend, "n": size, "query": name}
                results.append(row | {"home_ms": home, "search_ms": search_ms})
        print(json.dumps(results))
    finally:
        connection.close()
        if backend == "postgresql":
            drop_postgres_database(server)
        shutil.rmtree(scratch, ignore_errors=True)


def recreate_postgres_database(server):
    import psycopg

    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
        admin.execute(f"CREATE DATABASE {BENCH_DATABASE}")


def drop_postgres_database(server):
    import psycopg

    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")


def database_mb(backend):
    from django.db import connection

    with connection.cursor() as cursor:
        if backend == "sqlite":
            cursor.execute("SELECT page_count * page_size FROM pragma_page_count, pragma_page_size")
        else:
            cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0] / 1e6


def reindex_ms(count=100):
    """Median time `index_notes` takes to rewrite one note's search row, as a save does."""
    from papers.models import Note
    from papers.search import index_notes

    timings = []
    for pk in Note.objects.order_by("pk").values_list("pk", flat=True)[:count]:
        started = time.perf_counter()
        index_notes([pk])
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def median_ms(url, runs):
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    assert client.get(url).status_code == 200, url  # warm-up
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return statistics.median(timings)


def generate_notes(total):
    """Bulk-create notes until there are `total`, then index them and refresh statistics.

    Returns the seconds `rebuild_index()` took.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone
    from django.utils.html import escape
    from taggit.models import Tag, TaggedItem

    from papers.models import Note, Paper
    from papers.search import rebuild_index
    from topics.models import Topic

    start = Note.objects.count()
    if start >= total:
        return 0.0
    rng = random.Random(total)
    topics = [
        Topic.objects.get_or_create(name=name, slug=slug, defaults={"position": i})[0]
        for i, (name, slug) in enumerate(
            [("深度学习", "dl"), ("DL论文", "papers"), ("工具使用", "tools")]
        )
    ]
    tags = {
        name: Tag.objects.get_or_create(name=name, slug=name.lower())[0]
        for name in {tag for *_, tag in SUBJECTS} | {"论文", "复现", "综述"}
    }
    content_type = ContentType.objects.get_for_model(Note)
    now = timezone.now()
    batch = 1000
    for offset in range(start, total, batch):
        numbers = range(offset, min(offset + batch, total))
        papers = Paper.objects.bulk_create(
            [
                Paper(
                    arxiv_id=f"23{n // 100000 % 12 + 1:02d}.{n % 100000:05d}",
                    title=f"Paper {n}: on {SUBJECTS[n % len(SUBJECTS)][1]}",
                    authors=f"Author {n % 97}, Author {n % 89}",
                )
                for n in numbers
                if n % 2 == 0
            ]
        )
        paper_of = {n: papers[i] for i, n in enumerate(n for n in numbers if n % 2 == 0)}
        notes = []
        for n in numbers:
            chinese, english, _tag = SUBJECTS[n % len(SUBJECTS)]
            paragraphs = [
                f"本文讨论{chinese}({english})的一个变体。"
                + "".join(rng.sample(FILLER, 3))
                + f"和常见的{chinese}方法相比,作者改了训练目标。"
                for _ in range(4)
            ] + ["".join(rng.sample(FILLER, 4)) for _ in range(4)]
            body_html = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
            body_html += '<p>公式 <span class="arithmatex">\\(L = -\\log p(x)\\)</span></p>' + CODE
            summary = f"{chinese}:{rng.choice(FILLER)}"
            notes.append(
                Note(
                    title=f"{chinese}笔记 {n}",
                    slug=f"bench-{n}",
                    topic=topics[n % 3],
                    paper=paper_of.get(n),
                    summary=summary,
                    summary_html=f"<p>{escape(summary)}</p>",
                    body="(generated)",
                    body_html=body_html,
                    excerpt=(summary + paragraphs[0])[:350] + "...",
                    status=Note.Status.DRAFT if n % 50 == 0 else Note.Status.PUBLISHED,
                    published_at=now - timedelta(hours=n),
                )
            )
        created = Note.objects.bulk_create(notes)
        TaggedItem.objects.bulk_create(
            [
                TaggedItem(tag=tags[name], content_type=content_type, object_id=note.pk)
                for n, note in zip(numbers, created, strict=True)
                for name in {SUBJECTS[n % len(SUBJECTS)][2], rng.choice(["论文", "复现", "综述"])}
            ]
        )
    started = time.perf_counter()
    rebuild_index()
    indexing = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return indexing


if __name__ == "__main__":
    main()
