"""Annotations made in code for tests, as the API makes them."""

from annotations import passages


def annotate_in_code(note, user, passage, body="", visibility="private"):
    """An annotation by `user` on the first `passage` in `note`'s plain text."""
    text = passages.note_text(note)
    start = text.index(passage)
    selector, errors = passages.clean_selector(
        text, {"exact": passage, "start": start, "end": start + len(passage)}
    )
    assert not errors, errors
    return passages.create_annotation(note, user, selector, body, visibility)
