"""papers.archive: the periods that have notes, and their neighbours, from the days' counts."""

from datetime import date

from papers.archive import Calendar, period_start

DAYS = [(date(2024, 11, 25), 2), (date(2023, 1, 15), 1), (date(2024, 11, 2), 3)]


def test_counts_add_up_per_month_and_year():
    calendar = Calendar(DAYS)
    assert calendar.count("day", date(2024, 11, 2)) == 3
    assert calendar.count("month", date(2024, 11, 1)) == 5
    assert calendar.count("year", date(2024, 1, 1)) == 5
    assert calendar.count("month", date(2024, 10, 1)) == 0


def test_a_period_has_notes_when_one_of_its_days_has():
    calendar = Calendar(DAYS)
    assert calendar.has_notes("year", date(2023, 1, 1))
    assert not calendar.has_notes("year", date(2022, 1, 1))
    assert not calendar.has_notes("day", date(2024, 11, 3))


def test_neighbours_skip_periods_without_notes_and_end_with_none():
    calendar = Calendar(DAYS)
    assert calendar.previous("day", date(2024, 11, 25)) == date(2024, 11, 2)
    assert calendar.next("day", date(2024, 11, 2)) == date(2024, 11, 25)
    assert calendar.previous("month", date(2024, 11, 1)) == date(2023, 1, 1)
    assert calendar.next("year", date(2023, 1, 1)) == date(2024, 1, 1)
    assert calendar.previous("year", date(2023, 1, 1)) is None
    assert calendar.next("day", date(2024, 11, 25)) is None
    # a period without notes has neighbours too
    assert calendar.next("month", date(2024, 2, 1)) == date(2024, 11, 1)


def test_period_start():
    day = date(2024, 11, 25)
    assert period_start(day, "year") == date(2024, 1, 1)
    assert period_start(day, "month") == date(2024, 11, 1)
    assert period_start(day, "day") == day


def test_no_notes_no_periods():
    calendar = Calendar([])
    assert not calendar.has_notes("year", date(2024, 1, 1))
    assert calendar.next("month", date(2024, 1, 1)) is None
