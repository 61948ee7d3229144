"""Which years, months and days have published notes, on the site's clock: what the archive
pages ask (whether a period has notes, which periods before and after it have some, a month's
count) answered without a query.

A `Calendar` is built from the count of notes of each day, which the cache keeps per content
version (papers.caching.fragments.days), once per process and version: a page asked again reads
nothing, and a write (a new version) is seen by the next page.
"""

import bisect
from collections import Counter

from .caching import fragments, versions

PERIODS = ("year", "month", "day")


def period_start(day, period):
    """The first day of the `period` ("year", "month" or "day") that holds `day`."""
    if period == "year":
        return day.replace(month=1, day=1)
    if period == "month":
        return day.replace(day=1)
    return day


class Calendar:
    def __init__(self, day_counts):
        """`day_counts`: (day, count of published notes) pairs, in any order."""
        self.counts = {period: Counter() for period in PERIODS}
        for day, count in day_counts:
            for period in PERIODS:
                self.counts[period][period_start(day, period)] += count
        self.starts = {period: sorted(counts) for period, counts in self.counts.items()}

    def count(self, period, start):
        return self.counts[period][start]

    def has_notes(self, period, start):
        return start in self.counts[period]

    def previous(self, period, start):
        """The start of the latest `period` before `start` that has notes, or None."""
        starts = self.starts[period]
        at = bisect.bisect_left(starts, start)
        return starts[at - 1] if at else None

    def next(self, period, start):
        """The start of the earliest `period` after `start` that has notes, or None."""
        starts = self.starts[period]
        at = bisect.bisect_right(starts, start)
        return starts[at] if at < len(starts) else None


_built = (None, None)  # (content version token, its Calendar) in this process


def calendar():
    """The Calendar of the current content version."""
    global _built
    from .models import Note  # papers.models imports papers.writes, which imports caching

    token = versions.current()
    if _built[0] != token:
        days = fragments.days(lambda: list(Note.objects.published().day_counts()))
        _built = (token, Calendar(days))
    return _built[1]
