"""Every kind of page a reader can reach, and a small site that fills them all.

The accessibility crawl (tests/browser/test_accessibility.py) and the HTML check
(tests/notesite/test_html_validity.py) both walk PAGES over the site build_site() makes.
"""

from dataclasses import dataclass
from datetime import timedelta

from accounts.models import Profile
from annotations import moderation, replies
from annotations.models import Comment
from papers.models import Note, Paper
from tests.annotations.helpers import annotate_in_code
from tests.papers.helpers import shanghai
from topics.models import Topic

READER = "reader"
READER_PASSWORD = "Transformer-2017"


@dataclass(frozen=True)
class Page:
    kind: str
    url: str
    signed_in: bool = False  # as READER
    status: int = 200


PAGES = [
    Page("home", "/"),
    Page("home-page-2", "/?page=2"),
    Page("topic-list", "/topics/"),
    Page("topic", "/topics/deep-learning/"),
    Page("tag-index", "/tags/"),
    Page("tag", "/tags/kv-cache/"),
    Page("archive", "/archive/"),
    Page("year", "/2024/"),
    Page("month", "/2024/11/"),
    Page("day", "/2024/11/25/"),
    Page("note", "/notes/attention/", signed_in=True),
    Page("note-guest", "/notes/attention/"),
    Page("paper-list", "/papers/"),
    Page("paper", "/papers/1706.03762/"),
    Page("search", "/search/?q=注意力"),
    Page("search-empty", "/search/?q=没有这个词"),
    Page("login", "/accounts/login/"),
    Page("signup", "/accounts/signup/"),
    Page("profile", "/accounts/profile/", signed_in=True),
    Page("password-change", "/accounts/password/change/", signed_in=True),
    Page("my-annotations", "/annotations/mine/", signed_in=True),
    Page("not-found", "/no-such-page/", status=404),
]

NOTE_BODY = r"""## 缩放点积注意力

注意力把查询 $q$ 与键 $k$ 的相似度变成权重,详见 [原论文](https://arxiv.org/abs/1706.03762)
与 `softmax` 的定义[^scale]。

$$
\operatorname{Attention}(Q, K, V) = \operatorname{softmax}\left(\frac{Q K^{\top}}{\sqrt{d_k}} + M\right) V
= \sum_{i=1}^{n} \frac{\exp(q \cdot k_i / \sqrt{d_k})}{\sum_{j=1}^{n} \exp(q \cdot k_j / \sqrt{d_k})} v_i
+ \lambda \left\lVert W_Q \right\rVert_F^2 + \lambda \left\lVert W_K \right\rVert_F^2
$$

## 实现

```python
def attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))  # (batch, heads, n, n): the long line scrolls
    if mask is not None:
        scores = scores.masked_fill(mask == 0, float("-inf"))
    return scores.softmax(dim=-1) @ v
```

## 待办

- [x] 读完第 3 节
- [ ] 复现 KV cache 的显存估算

> 引用:==注意力就是你需要的一切==。

| 模型 | 参数量 |
| --- | --- |
| Transformer base | 65M |

[^scale]: 除以 $\sqrt{d_k}$ 是为了让点积的方差保持在 1 附近。
"""  # noqa: E501


def build_site(django_user_model):
    """The notes, paper, topics, tags, comments, annotations and reader that PAGES show."""
    reader = django_user_model.objects.create_user(READER, "reader@example.com", READER_PASSWORD)
    Profile.objects.create(user=reader, display_name="小读者")
    other = django_user_model.objects.create_user("other", "other@example.com", READER_PASSWORD)
    Profile.objects.create(user=other, display_name="另一位")

    deep_learning = Topic.objects.create(name="深度学习", slug="deep-learning", position=1)
    Topic.objects.create(name="大模型推理", slug="llm-inference", parent=deep_learning)
    paper = Paper.objects.create(
        arxiv_id="1706.03762",
        title="Attention Is All You Need",
        authors="Ashish Vaswani, Noam Shazeer, Niki Parmar",
        abstract="The dominant sequence transduction models are based on $O(n^2)$ attention.",
    )
    note = Note.objects.create(
        title="注意力机制:Attention Is All You Need",
        slug="attention",
        status=Note.Status.PUBLISHED,
        published_at=shanghai(2024, 11, 25, 10, 30),
        topic=deep_learning,
        paper=paper,
        summary="用 $\\operatorname{softmax}(QK^\\top)$ 加权求和,**并行**地建模长距离依赖。",
        body=NOTE_BODY,
    )
    note.tags.add("KV cache", "attention")
    # Thirteen more, so that the home page has a second page.
    for number in range(13):
        filler = Note.objects.create(
            title=f"论文笔记 {number + 1}:Scaling Laws 第 {number + 1} 部分",
            slug=f"scaling-{number + 1}",
            status=Note.Status.PUBLISHED,
            published_at=shanghai(2024, 10, 1, 9) + timedelta(days=number),
            topic=deep_learning if number % 2 else None,
            body=f"## 要点\n\n模型越大,损失按幂律下降,注意力的代价是 $O(n^2)$。第 {number} 段。",
        )
        filler.tags.add("KV cache")
    Note.objects.create(title="草稿", slug="draft", body="未发布", status=Note.Status.DRAFT)

    comment = moderation.post_comment(
        note=note, body="写得清楚,$\\sqrt{d_k}$ 这步很关键。", name="路人甲"
    )
    moderation.moderate(Comment.objects.filter(pk=comment.pk), Comment.State.PUBLIC)
    answer = moderation.post_comment(note=note, body="同意。", user=other, parent=comment)
    moderation.moderate(Comment.objects.filter(pk=answer.pk), Comment.State.PUBLIC)

    public = annotate_in_code(note, other, "相似度变成权重", "这里的权重和为 1。", "public")
    replies.create_reply(public, reader, "对,softmax 保证了这一点。")
    annotate_in_code(note, reader, "原论文", "只有我能看到的批注。", "private")
    return note
