"""Reading time: Chinese by the character, English by the word, formulas and code by the piece."""

from importlib import import_module

import pytest
from django.apps import apps

from papers import reading
from papers.models import Note
from papers.rendering import render_markdown
from tests.papers.helpers import html

reading_minutes_migration = import_module("papers.migrations.0010_note_reading_minutes")


def seconds(markdown):
    return reading.reading_seconds(render_markdown(markdown).html)


def test_chinese_is_read_by_the_character():
    """300 Chinese characters (punctuation not counted) take one minute."""
    assert seconds("深度学习。" * 75) == pytest.approx(60)


def test_english_is_read_by_the_word():
    """200 English words, hyphenated ones counted once, take one minute."""
    assert seconds("self-attention scales " * 100) == pytest.approx(60)


def test_mixed_text_counts_both():
    """Chinese characters and English words next to each other are both counted."""
    assert seconds("注意力Transformer模型") == pytest.approx(5 * 0.2 + 0.3)


def test_formulas_take_their_own_time_whatever_their_length():
    """An inline formula costs the same short time, a display formula more; its TeX is not
    read as words."""
    assert seconds("$x$ 与 $\\sum_{i=1}^{n} alpha beta gamma$") == pytest.approx(
        2 * reading.SECONDS_PER_INLINE_FORMULA + 0.2
    )
    assert seconds("$$\nE = mc^2 + words words words\n$$") == pytest.approx(
        reading.SECONDS_PER_DISPLAY_FORMULA
    )


def test_code_is_counted_by_the_non_blank_line():
    """Each non-blank line of a code block costs the same, however many words it holds."""
    code = "```python\ndef f(x):\n\n    return x + 1  # one two three\n```"
    assert seconds(code) == pytest.approx(2 * reading.SECONDS_PER_CODE_LINE)


def test_minutes_round_up_and_nothing_reads_in_no_time():
    """A few words take one minute; an empty note takes none."""
    assert reading.reading_minutes(render_markdown("短。").html) == 1
    assert reading.reading_minutes("", "") == 0
    assert reading.reading_minutes(render_markdown("字" * 301).html) == 2


@pytest.mark.django_db
def test_saving_a_note_stores_its_reading_time(make_note):
    """Summary and body both count, and an edit of the body counts again."""
    note = make_note(summary="字" * 300, body="字" * 300)
    assert Note.objects.get(pk=note.pk).reading_minutes == 2
    note.body = "字" * 900
    note.save(update_fields=["body"])
    assert Note.objects.get(pk=note.pk).reading_minutes == 4


@pytest.mark.django_db
def test_note_meta_shows_the_reading_time(client, make_note):
    """The note page and the listing card say 阅读约 N 分钟."""
    note = make_note(body="字" * 600)
    expected = '<span class="meta__reading">阅读约 2 分钟</span>'
    assert expected in html(client.get(note.get_absolute_url()))
    assert expected in html(client.get("/"))


@pytest.mark.django_db
def test_migration_fills_existing_notes(make_note):
    """Notes stored before the field existed get the reading time of their stored HTML."""
    note = make_note(body="字" * 600)
    Note.objects.filter(pk=note.pk).update(reading_minutes=0)
    reading_minutes_migration.count_reading_minutes(apps, None)
    assert Note.objects.get(pk=note.pk).reading_minutes == 2
