"""Generated notes for the benchmarks (bench_search.py, bench_load.py): data, not timing.

`generate_notes(total)` bulk-creates notes the way `Note.save()` would store them (Markdown
source, sanitized HTML, table of contents, excerpt; papers with rendered abstracts, topics,
tags), one hour apart going back from now, so 100,000 notes span some eleven years. Each call
extends what is there, so a larger size includes the smaller one. With `discussion=True` a
fraction of the notes also get public comments and public passage annotations, and the note
`BUSY_SLUG` gets exactly `BUSY_COUNT` of each. Callers run it after `django.setup()`.
"""

import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import cache
from unittest import mock

import psycopg

BUSY_SLUG = "bench-1"
BUSY_COUNT = 50
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
# The Markdown every note body ends with (one of them): headings for a table of contents,
# display and inline math, highlighted code, a table.
SECTIONS = [
    """## 方法

目标函数为

$$
\\mathcal{L} = -\\log \\frac{\\exp(s_{i,j}/\\tau)}{\\sum_{k \\ne i} \\exp(s_{i,k}/\\tau)}
$$

其中 $\\tau$ 是温度系数,$s_{i,j}$ 是两个表示的余弦相似度。

```python
import torch

def loss(z, tau=0.1):
    z = torch.nn.functional.normalize(z, dim=1)
    return torch.logsumexp(z @ z.T / tau, dim=1).mean()
```

## 实验

| 数据集 | 指标 | 结果 |
| --- | --- | --- |
| ImageNet | Top-1 | 76.5 |
| CIFAR-10 | Acc | 94.0 |
""",
    """## 模型结构

每一层先做 $\\mathrm{LayerNorm}(x)$,再接注意力 $\\mathrm{softmax}(QK^\\top/\\sqrt{d})V$。

```python
class Block(torch.nn.Module):
    def forward(self, x):
        return x + self.attn(self.norm(x))
```

## 训练细节

学习率按余弦退火:

$$
\\eta_t = \\eta_{\\min} + \\tfrac{1}{2}(\\eta_{\\max} - \\eta_{\\min})(1 + \\cos(\\pi t / T))
$$
""",
    """## 复现记录

1. 数据预处理沿用官方脚本。
2. 批大小 256,训练 100 个 epoch。
3. 评估时关闭 dropout。

## 小结

收敛速度与 $O(1/\\sqrt{T})$ 一致,结果见下表。

| 设置 | 结果 |
| --- | --- |
| 原文 | 81.2 |
| 复现 | 80.7 |
""",
]
ABSTRACTS = [
    "We present a simple framework for learning representations with a "
    "contrastive objective $\\mathcal{L}$, and show that **composition of augmentations** matters.",
    "本文提出一种新的训练目标,在三个基准上取得了 state-of-the-art 的结果,"
    "并分析了温度 $\\tau$ 的作用。",
    "We study scaling laws for this family of models and find that loss follows a power law "
    "$L(N) \\propto N^{-\\alpha}$ in the number of parameters.",
]
COMMENTS = (
    "同意,**温度系数**的影响很大。",
    "复现时 `batch_size` 需要调大,否则效果差很多。",
    "公式里的 $\\tau$ 取 0.1 比较稳。",
    "请问附录的超参数在哪里?参见 [原文](https://arxiv.org/abs/2002.05709)。",
    "The ablation is convincing, but the baseline seems weak.",
    "谢谢分享,笔记写得很清楚。",
)
ANNOTATION_BODIES = (
    "这里的说法和原文 *Table 2* 不太一致。",
    "关键句。",
    "Worth comparing with the `v2` of the paper.",
    "这一步的推导见附录 A,$O(n^2)$ 的复杂度。",
)
READERS = 20
# Distinct texts per subject: few enough to render each once, enough to vary the notes.
VARIANTS = 6


def postgres_url(server, name):
    """The URL of database `name` on the server of `server` (a URL of any database there)."""
    return server.rsplit("/", 1)[0] + f"/{name}"


def recreate_postgres_database(server, name):
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")


def create_postgres_database(server, name):
    """Create database `name` unless it exists."""
    with psycopg.connect(server, autocommit=True) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not found:
            admin.execute(f"CREATE DATABASE {name}")


def drop_postgres_database(server, name):
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@cache
def rendered_abstracts():
    from papers.rendering import render_markdown

    return [(source, render_markdown(source).html) for source in ABSTRACTS]


@cache
def rendered_comments(sources):
    from annotations.comments import render_comment

    return [(source, render_comment(source)) for source in sources]


def generate_notes(total, discussion=False):
    """Bulk-create notes until there are `total`, then index them and refresh statistics.

    Around papers.writes, for speed: generated notes get search rows (rebuilt at the end) but
    no revisions, which no page the benchmarks measure reads. Returns the seconds
    `rebuild_index()` took.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone
    from taggit.models import Tag, TaggedItem

    from papers.models import Note, Paper
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
    readers = reader_accounts() if discussion else []
    content_type = ContentType.objects.get_for_model(Note)
    now = timezone.now()
    batch = 1000
    for offset in range(start, total, batch):
        numbers = range(offset, min(offset + batch, total))
        papers = Paper.objects.bulk_create(
            [paper(n, now) for n in numbers if n % 2 == 0], batch_size=batch
        )
        paper_of = {n: papers[i] for i, n in enumerate(n for n in numbers if n % 2 == 0)}
        notes = [note(n, rng, now, topics[n % 3], paper_of.get(n)) for n in numbers]
        created = Note.objects.bulk_create(notes, batch_size=batch)
        TaggedItem.objects.bulk_create(
            [
                TaggedItem(tag=tags[name], content_type=content_type, object_id=note.pk)
                for n, note in zip(numbers, created, strict=True)
                for name in {SUBJECTS[n % len(SUBJECTS)][2], rng.choice(["论文", "复现", "综述"])}
            ],
            batch_size=5000,
        )
        if discussion:
            add_discussion(created, readers, rng)
    indexing = rebuild_search_index()
    with connection.cursor() as cursor:
        # VACUUM too: bulk-loaded tables otherwise get autovacuumed in the middle of a
        # measurement, and index-only scans need the visibility map it sets.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return indexing


def rebuild_search_index():
    """`papers.search.rebuild_index()`, sped up for generated notes; returns its seconds.

    The rows are the same. Generated notes share a few texts, so `math_text.pieces` (the
    parse of their HTML into text and formulas, most of the Python time) is cached. On
    PostgreSQL the GIN indexes of the search table are dropped while the rows are written and
    built afterwards, side by side: growing them row by row is several times slower, and
    PostgreSQL 15 builds each on one core.
    """
    from django.db import connection

    from papers import math_text, search

    started = time.perf_counter()
    gin_indexes = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s"
                " AND indexdef LIKE '%%USING gin%%'",
                [search.TABLE],
            )
            gin_indexes = cursor.fetchall()
            for name, _definition in gin_indexes:
                cursor.execute(f"DROP INDEX {name}")
    try:
        with mock.patch.object(math_text, "pieces", cache(math_text.pieces)):
            search.rebuild_index()
    finally:
        with ThreadPoolExecutor(max(1, len(gin_indexes))) as pool:
            list(pool.map(create_index, [definition for _name, definition in gin_indexes]))
    return time.perf_counter() - started


def create_index(definition):
    """Run one CREATE INDEX on this thread's own connection."""
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            # A GIN build flushes its sorted entries whenever this fills: less often is faster
            # (100,000 notes: 2 GB builds the grams index in 170 s, 256 MB in 230 s).
            cursor.execute("SET maintenance_work_mem = '2GB'")
            cursor.execute(definition)
    finally:
        connection.close()


def paper(n, now):
    from papers.models import Paper

    abstract, abstract_html = rendered_abstracts()[n % len(ABSTRACTS)]
    return Paper(
        arxiv_id=f"23{n // 99999 % 12 + 1:02d}.{n % 99999 + 1:05d}",  # numbers start at 00001
        title=f"Paper {n}: on {SUBJECTS[n % len(SUBJECTS)][1]}",
        authors=f"Author {n % 97}, Author {n % 89}",
        abstract=abstract,
        abstract_html=abstract_html,
        published_on=(now - timedelta(hours=n, days=30)).date(),
    )


def note(n, rng, now, topic, paper):
    """Note number `n`, its text one of VARIANTS per subject, rendered once by `Note.render()`."""
    from papers.models import Note

    chinese = SUBJECTS[n % len(SUBJECTS)][0]
    return Note(
        title=f"{chinese}笔记 {n}",
        slug=f"bench-{n}",
        topic=topic,
        paper=paper,
        status=Note.Status.DRAFT if n % 50 == 0 else Note.Status.PUBLISHED,
        published_at=now - timedelta(hours=n),
        **rendered_text(n % len(SUBJECTS), rng.randrange(VARIANTS)),
    )


@cache
def rendered_text(subject, variant):
    """The text fields of a note on SUBJECTS[subject], as `Note.save()` stores them."""
    from papers.models import Note

    rng = random.Random(subject * VARIANTS + variant)
    chinese, english, _tag = SUBJECTS[subject]
    paragraphs = [
        f"本文讨论{chinese}({english})的一个变体。"
        + "".join(rng.sample(FILLER, 3))
        + f"和常见的{chinese}方法相比,作者改了训练目标。"
        for _ in range(4)
    ] + ["".join(rng.sample(FILLER, 4)) for _ in range(4)]
    note = Note(
        summary=f"{chinese}:{rng.choice(FILLER)}",
        body="\n\n".join([*paragraphs, SECTIONS[variant % len(SECTIONS)]]),
    )
    note.render()
    fields = ["summary", "body", "summary_html", "body_html", "toc_html", "excerpt"]
    return {name: getattr(note, name) for name in fields}


def reader_accounts():
    """READERS accounts with profiles, created once: comment and annotation authors."""
    from django.contrib.auth.models import User

    from accounts.models import Profile

    names = [f"reader{i:02d}" for i in range(READERS)]
    if not User.objects.filter(username__in=names).exists():
        # A password starting with "!" is unusable: these accounts cannot log in.
        users = User.objects.bulk_create([User(username=name, password="!") for name in names])
        Profile.objects.bulk_create(
            [Profile(user=user, display_name=f"读者{user.username[-2:]}") for user in users]
        )
    return list(User.objects.filter(username__in=names).select_related("profile"))


def add_discussion(notes, readers, rng):
    """Public comments on a tenth of the published `notes` and public annotations on a
    twentieth; the busy note gets BUSY_COUNT of each. Keeps `Note.comment_count` in step."""
    from annotations.models import Annotation, Comment
    from papers.models import Note
    from papers.rendering import plain_text

    comment_counts, annotations = {}, []
    for note in notes:
        number = int(note.slug.removeprefix("bench-"))
        busy = note.slug == BUSY_SLUG
        if note.status != Note.Status.PUBLISHED:
            continue
        if busy or number % 10 == 3:
            comment_counts[note] = BUSY_COUNT if busy else rng.randint(1, 4)
        if busy or number % 20 == 7:
            text = plain_text(note.body_html)
            count = BUSY_COUNT if busy else rng.randint(1, 3)
            annotations += [annotation(note, text, rng.choice(readers), rng) for _ in range(count)]
    Annotation.objects.bulk_create(annotations, batch_size=2000)
    # Top-level comments first: every third comment of a note replies to its first one.
    top, replies = [], []
    for note, count in comment_counts.items():
        for i in range(count):
            (replies if i % 3 == 2 else top).append(comment(note, i, rng.choice(readers), rng))
    Comment.objects.bulk_create(top, batch_size=2000)
    first = {c.note_id: c for c in reversed(top)}
    for reply in replies:
        reply.parent = first[reply.note_id]
    Comment.objects.bulk_create(replies, batch_size=2000)
    for note, count in comment_counts.items():
        note.comment_count = count
    Note.objects.bulk_update(list(comment_counts), ["comment_count"], batch_size=2000)


def comment(note, i, reader, rng):
    """Comment `i` under `note`: a reader's account or an anonymous name, every other one."""
    from annotations.models import Comment

    body, body_html = rng.choice(rendered_comments(COMMENTS))
    user = reader if i % 2 == 0 else None
    return Comment(
        note=note,
        user=user,
        name=reader.profile.display_name if user else f"匿名{i}",
        body=body,
        body_html=body_html,
        state=Comment.State.PUBLIC,
        created_at=note.published_at + timedelta(minutes=i + 1),
    )


def annotation(note, text, reader, rng):
    """A public annotation on a random passage of `text`, checked as the API checks one."""
    from annotations.models import Annotation
    from annotations.passages import clean_selector

    start = rng.randrange(len(text) - 40)
    passage = {"start": start, "end": start + rng.randint(4, 30)}
    selector, errors = clean_selector(text, passage | {"exact": text[start : passage["end"]]})
    assert not errors, errors
    body, body_html = rng.choice(rendered_comments(ANNOTATION_BODIES))
    return Annotation(
        note=note,
        user=reader,
        body=body,
        body_html=body_html,
        visibility=Annotation.Visibility.PUBLIC,
        state=Annotation.State.ANCHORED,
        quote=selector["exact"],
        **selector,
    )
