"""Time re-anchoring 1,000 annotations on a 100 KB note after an edit, against one render.

    .venv/bin/python scripts/bench_anchoring.py
    .venv/bin/python scripts/bench_anchoring.py --size 100000 --annotations 1000 --runs 5

The script generates a note of about `--size` characters of Markdown (Chinese and English
prose, inline and display math, code blocks, a table), renders it, takes its plain text
(papers.rendering.plain_text, what annotations anchor to) and places `--annotations` passages
of 4 to 60 characters over it. The edit inserts paragraphs at the top and in the middle,
changes a word and adds a typo in 40 paragraphs (some inside annotated passages) and deletes
one paragraph.

It then times `annotations.anchoring.reanchor` for all passages (one diff, every selector
mapped or anchored again) and `papers.rendering.render_markdown` of the edited source once,
and prints the median of `--runs` runs of each and their ratio. Goal (issue "Passage
annotations"): re-anchoring costs at most as much as one render (ratio ≤ 1). For information
it then times the worst kind of edit for the diff: every paragraph of the note reordered.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notesite.settings")

import django  # noqa: E402

django.setup()

from annotations.anchoring import reanchor, selector_at  # noqa: E402
from papers.rendering import render_markdown  # noqa: E402

CHINESE = [
    "自注意力的计算量随序列长度平方增长",
    "稀疏注意力只看局部窗口和少数全局位置",
    "对比学习把同一图像的两个增强视图拉近",
    "知识蒸馏让小模型模仿大模型的输出分布",
    "位置编码给模型提供了词序信息",
    "混合专家模型按输入选择少数专家计算",
    "实验表明这种方法在长文档上效果显著",
    "我们在三个数据集上复现了论文的结果",
]
ENGLISH = [
    "the attention matrix grows with the square of the sequence length",
    "we fine-tune the model on eight GPUs for three days",
    "contrastive learning pulls two augmented views together",
    "the student matches the teacher's softened distribution",
    "rotary embeddings encode relative positions",
    "a router sends each token to its top two experts",
]
MATH = [r"$O(n^2 d)$", r"$\mathrm{softmax}(QK^\top/\sqrt{d})V$", r"$\tau = 0.07$", r"$p_\theta(x)$"]


def paragraph(rng):
    parts = []
    for _ in range(rng.randint(3, 6)):
        parts.append(rng.choice(CHINESE) + "," + rng.choice(ENGLISH) + " " + rng.choice(MATH))
    return "。".join(parts) + "。"


def generate(size, rng):
    blocks, length, section = [], 0, 0
    while length < size:
        if len(blocks) % 12 == 0:
            section += 1
            block = f"## 第 {section} 节 Section {section}"
        elif len(blocks) % 12 == 5:
            block = "```python\nscores = q @ k.T / math.sqrt(d)\nweights = scores.softmax(-1)\n```"
        elif len(blocks) % 12 == 9:
            block = "$$\n\\mathcal{L} = -\\log \\frac{e^{s_i/\\tau}}{\\sum_j e^{s_j/\\tau}}\n$$"
        elif len(blocks) % 24 == 11:
            block = "| 模型 | 参数 | 准确率 |\n| --- | --- | --- |\n| Base | 110M | 84.1 |"
        else:
            block = paragraph(rng)
        blocks.append(block)
        length += len(block) + 2
    return blocks


def edit(blocks, rng):
    """Paragraphs inserted at the top and in the middle, words changed, one paragraph deleted."""
    blocks = list(blocks)
    middle = len(blocks) // 2
    blocks.insert(middle, paragraph(rng))
    blocks.insert(0, "新增的开头段落:" + paragraph(rng))
    prose = [i for i, block in enumerate(blocks) if block.startswith(tuple(CHINESE))]
    for i in rng.sample(prose, 40):  # a changed word and a typo in 40 paragraphs
        blocks[i] = blocks[i].replace("模型", "网络", 1).replace("sequence", "sequense", 1)
    del blocks[rng.choice(prose)]
    return blocks


def passages(text, count, rng):
    selectors = []
    for _ in range(count):
        length = rng.randint(4, 60)
        start = rng.randrange(len(text) - length)
        selectors.append(selector_at(text, start, start + length))
    return sorted(selectors, key=lambda selector: selector["start"])


def median_seconds(function, runs):
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - began)
    return statistics.median(timings), result


def report(label, old_text, new_source, selectors, runs):
    """Time reanchor for the edit to `new_source` against rendering it once; print both."""
    new_text = render_markdown(new_source).text
    render_markdown(new_source)  # warm-up: Pygments lexers
    reanchor(old_text, new_text, selectors)
    render_time, _ = median_seconds(lambda: render_markdown(new_source), runs)
    anchor_time, spans = median_seconds(lambda: reanchor(old_text, new_text, selectors), runs)
    pairs = list(zip(selectors, spans, strict=True))
    moved = sum(1 for selector, span in pairs if span and span[0] != selector["start"])
    reworded = sum(
        1 for selector, span in pairs if span and new_text[span[0] : span[1]] != selector["exact"]
    )
    orphans = sum(1 for span in spans if span is None)
    print(f"{label}: plain text {len(old_text):,} → {len(new_text):,} characters")
    print(
        f"  annotations: {len(selectors):,} ({moved:,} moved, {reworded:,} on edited words, "
        f"{orphans:,} orphaned)"
    )
    print(f"  render_markdown once:    {render_time * 1000:8.1f} ms (median of {runs})")
    print(f"  reanchor all:            {anchor_time * 1000:8.1f} ms (median of {runs})")
    print(f"  ratio reanchor / render: {anchor_time / render_time:8.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="Markdown characters")
    parser.add_argument("--annotations", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    blocks = generate(args.size, rng)
    old_source = "\n\n".join(blocks)
    old_text = render_markdown(old_source).text
    selectors = passages(old_text, args.annotations, rng)
    print(f"note: {len(old_source):,} characters of Markdown, {len(selectors):,} annotations")

    edited = "\n\n".join(edit(blocks, rng))
    report("the edit (goal: ratio ≤ 1)", old_text, edited, selectors, args.runs)
    shuffled = list(blocks)
    rng.shuffle(shuffled)
    report("worst case, every paragraph reordered", old_text, "\n\n".join(shuffled), selectors, 1)


if __name__ == "__main__":
    main()
