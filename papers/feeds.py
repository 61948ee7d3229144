"""RSS 2.0 and Atom feeds of the latest notes, of a topic and of a tag.

Each feed lists the newest published notes with their rendered (already sanitized) summary and
body, in a fixed number of queries: the feed's object, the notes, and their tags.
"""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from taggit.models import Tag

from topics.models import TopicTree

from .citations import site_author
from .models import Note

FEED_LENGTH = 20


class LatestNotesFeed(Feed):
    title = "notesite · 最新笔记"
    description = "深度学习论文的阅读笔记:个人总结、摘要、公式与代码。"

    def link(self):
        return reverse("papers:index")

    def items(self):
        return self.newest(Note.objects.published())

    def newest(self, notes):
        return notes.select_related("topic", "paper").prefetch_related("tags")[:FEED_LENGTH]

    def item_title(self, note):
        return note.title

    def item_description(self, note):
        summary = ""
        if note.summary_html:
            summary = format_html(
                "<section><h2>个人总结</h2>{}</section>", mark_safe(note.summary_html)
            )
        return summary + mark_safe(note.body_html)  # stored HTML is sanitized on save

    def item_pubdate(self, note):
        return note.published_at

    def item_updateddate(self, note):
        return note.updated_at

    def item_categories(self, note):
        topic = [note.topic.name] if note.topic else []
        return topic + [tag.name for tag in note.tags.all()]

    def item_author_name(self, note):
        return site_author()

    def author_name(self):
        return site_author()


class LatestNotesAtomFeed(LatestNotesFeed):
    feed_type = Atom1Feed
    subtitle = LatestNotesFeed.description


class TopicNotesFeed(LatestNotesFeed):
    def get_object(self, request, slug):
        tree = TopicTree.load()
        topic = tree.get(slug)
        if topic is None:
            raise Http404("no such topic")
        # As the topic's page: the notes of the topics inside it too. (The feed object is
        # shared by all requests; the topic is this request's.)
        topic.inside = tree.descendant_ids(topic)
        return topic

    def title(self, topic):
        return f"notesite · {topic.name}"

    def description(self, topic):
        return topic.description or f"“{topic.name}”主题的最新笔记。"

    def link(self, topic):
        return topic.get_absolute_url()

    def items(self, topic):
        return self.newest(Note.objects.published().filter(topic__in=topic.inside))


class TopicNotesAtomFeed(TopicNotesFeed):
    feed_type = Atom1Feed

    def subtitle(self, topic):
        return self.description(topic)


class TagNotesFeed(LatestNotesFeed):
    def get_object(self, request, slug):
        tag = get_object_or_404(Tag, slug=slug)
        if not Note.objects.published().filter(tags=tag).exists():
            raise Http404("a tag only drafts use stays unknown to readers")
        return tag

    def title(self, tag):
        return f"notesite · #{tag.name}"

    def description(self, tag):
        return f"标签“{tag.name}”的最新笔记。"

    def link(self, tag):
        return reverse("papers:tag", kwargs={"slug": tag.slug})

    def items(self, tag):
        return self.newest(Note.objects.published().filter(tags=tag))


class TagNotesAtomFeed(TagNotesFeed):
    feed_type = Atom1Feed

    def subtitle(self, tag):
        return self.description(tag)
