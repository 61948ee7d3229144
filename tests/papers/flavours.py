"""Small blogs written as Hexo, Hugo (YAML and TOML), Jekyll and an Obsidian vault write them, one
tree per flavour, for tests that import them and look at what readers get (tests/papers/
test_flavours.py, tests/browser/test_imported_notes.py). The text is our own; the shapes are
those the real blogs of tests' CORPORA.md have: asset folders, site-root images, lists right
after a paragraph, two-space nesting, math with spaces inside, indented fences, callouts,
wikilinks across folders.

`build_blogs(root)` writes every tree under `root` and returns {flavour: folder to import}.
"""

import struct
import zlib
from pathlib import Path
from textwrap import dedent


def tiny_png(shade=0):
    """A real 1×1 grey PNG; each shade is a different file."""

    def chunk(kind, data):
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1×1, 8-bit greyscale
    pixels = zlib.compress(bytes([0, shade]))  # filter byte, one pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def put(root, files):
    """Write {relative path: text or bytes} under root."""
    for name, content in files.items():
        path = Path(root) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(dedent(content).lstrip("\n"), encoding="utf-8")
        else:
            path.write_bytes(content)


HEXO = {
    "_config.yml": """
        title: 旧博客
        permalink: posts/:abbrlink/
        """,
    "source/images/arch.png": tiny_png(10),
    "source/_posts/clip/image-1.png": tiny_png(11),
    "source/_posts/clip/image-2.png": tiny_png(12),
    "source/_posts/clip.md": """
        ---
        title: CLIP 论文笔记
        date: 2023-05-01 10:00:00
        categories:
          - 深度学习
          - 多模态
        tags: [CLIP, 对比学习]
        abbrlink: 3f2a1b
        ---
        # CLIP 论文笔记

        ## 导言
        可编程内存：
        - 寄存器
        - 共享内存
          - 每个 block 一份
          - 延迟低

        损失为 $ \\mathcal{L} = -\\log p $，温度 $\\tau$ 可学习，价格 $5 不是公式。

        <!-- more -->

        1. 相似度
           $$
           s_{ij} = \\frac{q_i \\cdot k_j}{\\tau}
           $$
        2. 对称交叉熵

        <img src="clip/image-1.png" alt="架构图" width="300">

        {% asset_img image-2.png 训练流程 %}

        ![整体结构](/images/arch.png)

          ```python
          logits = image @ text.T
          ```
        ## 导言
        | 模型 | 准确率 |
        |---|---|
        | ViT-L | $76.2\\%$ |

        回到[第二个导言](#导言-1)。
        """,
    "source/_posts/vit.md": """
        ---
        title: ViT 笔记
        date: 2023-06-02 09:00:00
        categories: [深度学习]
        tags: [ViT]
        ---
        对比 [CLIP 的导言](clip.md#导言)，ViT 把图像切成 $16 \\times 16$ 的块。
        """,
}

HUGO_YAML = {
    "config.yaml": "baseURL: https://example.org/\n",
    "static/images/heads.png": tiny_png(20),
    "content/cn/posts/multi-head-attention/cover.png": tiny_png(21),
    "content/cn/posts/multi-head-attention/index.md": """
        ---
        title: "注意力机制"
        date: 2022-03-04T08:00:00+08:00
        categories: ["深度学习"]
        tags: ["attention"]
        aliases: ["/2022/03/attention.html"]
        ---
        多头注意力：
        * 每个头独立投影
        * 拼接后再投影

        {{< figure src="cover.png" title="多头注意力" >}}

        ![各头的权重](/images/heads.png)

        <img src="cover.png" alt="封面" style="width: 50%">

        $$\\mathrm{Attention}(Q,K,V)=\\mathrm{softmax}\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right)V$$

        其中 \\(d_k\\) 是键的维度。
        """,
}

HUGO_TOML = {
    "config.toml": 'baseURL = "https://example.org/"\n',
    "static/ox-hugo/graph.png": tiny_png(30),
    "content/posts/layer-norm.md": """
        +++
        title = "Layer Normalization"
        date = 2021-07-08
        tags = ["normalization"]
        categories = ["DL论文"]
        arxiv = "1607.06450"
        +++
        Normalize over features:

        \\begin{equation}
        \\mu = \\frac{1}{H}\\sum_{i=1}^{H} a_i
        \\end{equation}

        ![计算图](/ox-hugo/graph.png)

        - [x] read the paper
        - [ ] reproduce
        """,
}

JEKYLL = {
    "_config.yml": """
        permalink: pretty
        """,
    "assets/img/maml.png": tiny_png(40),
    "_posts/2020-09-10-maml.md": """
        ---
        layout: post
        title: MAML 元学习
        date: 2020-09-10 12:00:00 +0800
        categories: [DL论文]
        tags: [meta-learning]
        math: true
        ---
        两层优化：
        - 内循环
          - 每个任务几步梯度下降 $\\theta' = \\theta - \\alpha \\nabla L$
          - 只在支持集上
        - 外循环

        ![流程](/assets/img/maml.png)

        ~~旧结论~~，见 https://arxiv.org/abs/1703.03400。
        """,
}

OBSIDIAN = {
    ".obsidian/app.json": "{}",
    ".trash/old.md": "# 已删除\n",
    "Templates/论文模板.md": "# {{title}}\n\n## 摘要\n",
    "attachments/fig.png": tiny_png(50),
    "papers/Transformer.md": """
        ---
        aliases: [Attention Is All You Need]
        tags: [nlp]
        ---
        # Transformer

        核心是 [[concepts/Attention|注意力]]，见 [[concepts/Attention#缩放点积]]。#论文

        ![[fig.png|200]]

        > [!note]- 展开细节
        > 位置编码 $PE_{(pos, 2i)} = \\sin(pos / 10000^{2i/d})$

        ==重点==：残差连接^[见 ResNet]。%%草稿：再核对%%

        - [x] 读完
        - [ ] 复现
        """,
    "concepts/Attention.md": """
        # Attention

        ## 缩放点积
        $$
        \\mathrm{softmax}(QK^\\top / \\sqrt{d})V
        $$

        被 [[Attention Is All You Need]] 使用。 ^def
        """,
}

FLAVOURS = {
    "hexo": (HEXO, "source/_posts"),
    "hugo-yaml": (HUGO_YAML, "content"),
    "hugo-toml": (HUGO_TOML, "content"),
    "jekyll": (JEKYLL, "_posts"),
    "obsidian": (OBSIDIAN, "."),
}


def build_blogs(root):
    """Every flavour's tree under root/<flavour>; {flavour: the folder to import}."""
    folders = {}
    for flavour, (files, notes_folder) in FLAVOURS.items():
        put(Path(root) / flavour, files)
        folders[flavour] = Path(root) / flavour / notes_folder
    return folders
