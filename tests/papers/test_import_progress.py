"""papers.importing.Progress: what a run's progress looks like on a terminal and in a log."""

from io import StringIO

from papers.importing import Progress


class Clock:
    """A clock the test moves."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_terminal_line_is_redrawn_with_count_rate_and_time_left():
    """On a terminal: phase, bar, percentage, count, rate and time left, redrawn in place."""
    stream, clock = StringIO(), Clock()
    progress = Progress(stream, terminal=True, clock=clock)
    progress.start("writing", 4)
    clock.now += 2
    progress.advance()
    clock.now += 2
    progress.advance()
    assert stream.getvalue() == (
        f"\rwriting [{'#' * 7}{'-' * 23}]  25% 1/4  0.5 notes/s  0:00:06 left"
        f"\rwriting [{'#' * 15}{'-' * 15}]  50% 2/4  0.5 notes/s  0:00:04 left"
    )


def test_terminal_line_ends_when_the_phase_is_done():
    """The last redraw says how long the phase took, blanks what is left and ends the line."""
    stream, clock = StringIO(), Clock()
    progress = Progress(stream, terminal=True, clock=clock)
    progress.start("reading", 2)
    clock.now += 1
    progress.advance()
    clock.now += 64
    progress.advance()
    _, running, done = stream.getvalue().split("\r")
    assert running == f"reading [{'#' * 15}{'-' * 15}]  50% 1/2  1.0 notes/s  0:00:01 left"
    assert done == f"reading [{'#' * 30}] 100% 2/2 in 0:01:05".ljust(len(running)) + "\n"


def test_terminal_is_not_redrawn_more_often_than_ten_times_a_second():
    stream, clock = StringIO(), Clock()
    progress = Progress(stream, terminal=True, clock=clock)
    progress.start("writing", 1000)
    for _ in range(100):
        clock.now += 0.01
        progress.advance()
    assert stream.getvalue().count("\r") == 10


def test_log_gets_a_plain_line_every_few_seconds_and_at_the_end():
    """Off a terminal: a line when 5 s have passed since the last one, and one at the end."""
    stream, clock = StringIO(), Clock()
    progress = Progress(stream, clock=clock)
    progress.start("writing", 1000)
    for _ in range(1000):
        clock.now += 0.01  # 100 notes a second: 10 s in all
        progress.advance()
    assert stream.getvalue().splitlines() == [
        "writing  50% 500/1000  100 notes/s  0:00:05 left",
        "writing 100% 1000/1000 in 0:00:10",
    ]


def test_phases_start_counting_again():
    stream, clock = StringIO(), Clock()
    progress = Progress(stream, clock=clock)
    progress.start("reading", 1)
    progress.advance()
    progress.start("writing", 2)
    progress.advance(2)
    assert stream.getvalue() == "reading 100% 1/1 in 0:00:00\nwriting 100% 2/2 in 0:00:00\n"


def test_without_a_stream_nothing_is_shown():
    progress = Progress(clock=Clock())
    progress.start("reading", 1)
    progress.advance()  # no stream to write to, no error
    assert progress.done == 1
