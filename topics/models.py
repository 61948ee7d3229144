from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse


class Topic(models.Model):
    """A category of notes, as the source blog had them (深度学习, 工具使用, DL论文), inside a
    parent topic or at the top (Hexo's `categories: [深度学习, NLP]` puts NLP in 深度学习)."""

    name = models.CharField("名称", max_length=100, unique=True)
    slug = models.SlugField("网址名", max_length=100, unique=True, allow_unicode=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级主题",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    description = models.TextField("简介", blank=True)
    position = models.PositiveIntegerField("排序", default=0, help_text="小的排在前面。")

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "主题"
        verbose_name_plural = "主题"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("papers:topic", kwargs={"slug": self.slug})

    def clean(self):
        """A topic cannot sit inside itself, however far down."""
        parent, seen = self.parent, set()
        while parent is not None and parent.pk not in seen:
            if self.pk is not None and parent.pk == self.pk:
                raise ValidationError({"parent": "上级主题不能是它自己或它的下级主题。"})
            seen.add(parent.pk)
            parent = parent.parent


class TopicTree:
    """Every topic, loaded in one query, with who is inside whom: a topic page shows its
    ancestors and children and lists its descendants' notes, at any depth, with no query per
    level (topics are a short list)."""

    def __init__(self, topics):
        self.topics = list(topics)
        self.by_id = {topic.pk: topic for topic in self.topics}
        self.children = {topic.pk: [] for topic in self.topics}
        for topic in self.topics:
            if topic.parent_id in self.children:
                self.children[topic.parent_id].append(topic)

    @classmethod
    def load(cls):
        return cls(Topic.objects.all())

    def get(self, slug):
        return next((topic for topic in self.topics if topic.slug == slug), None)

    def ancestors(self, topic):
        """From the top down to `topic`'s parent."""
        chain, seen = [], {topic.pk}
        parent = self.by_id.get(topic.parent_id)
        while parent is not None and parent.pk not in seen:  # a cycle written in SQL stops here
            chain.append(parent)
            seen.add(parent.pk)
            parent = self.by_id.get(parent.parent_id)
        return chain[::-1]

    def descendant_ids(self, topic):
        """`topic`'s id and those of every topic inside it."""
        ids, stack = [], [topic]
        while stack:
            current = stack.pop()
            if current.pk not in ids:
                ids.append(current.pk)
                stack += self.children[current.pk]
        return ids

    def in_order(self):
        """Every topic, each right after its parent and the topics before it inside that
        parent, siblings in topic order (as /topics/ lists them)."""
        ordered, seen = [], set()
        stack = [topic for topic in self.topics if topic.parent_id not in self.by_id][::-1]
        while stack:
            topic = stack.pop()
            if topic.pk not in seen:
                seen.add(topic.pk)
                ordered.append(topic)
                stack += self.children[topic.pk][::-1]
        # A cycle written in SQL (the admin refuses one) hides no topic.
        return ordered + [topic for topic in self.topics if topic.pk not in seen]

    def path(self, topic):
        """Names from the top down to `topic` (what the exporter writes as its categories)."""
        return [ancestor.name for ancestor in self.ancestors(topic)] + [topic.name]
