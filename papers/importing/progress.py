"""How far a run is, note by note through both passes, for whoever watches it."""

import time
from datetime import timedelta


class Progress:
    """Counts what the run has done in its phase, "reading" (pass one) or "writing" (pass
    two), and shows it on `stream`.

    On a terminal, one line redrawn in place: phase, bar, count, rate and time left. Elsewhere
    (a log, a pipe) a plain line every `every` seconds, so that a log shows the run moving
    without a line per note. Each phase ends with a line of its own. Without a stream it
    shows nothing. `clock` is for tests.
    """

    WIDTH = 30
    REDRAW_SECONDS = 0.1  # a terminal is redrawn at most this often

    def __init__(self, stream=None, *, terminal=False, every=5.0, clock=time.monotonic):
        self.stream = stream
        self.terminal = terminal
        self.interval = self.REDRAW_SECONDS if terminal else every
        self.clock = clock
        self.start("", 0)

    def start(self, phase, total):
        self.phase, self.total, self.done = phase, total, 0
        self.started = self.shown = self.clock()
        self.width = 0  # of the line drawn last on a terminal, to blank what a shorter one leaves

    def advance(self, count=1):
        self.done += count
        if self.stream is None:
            return
        now = self.clock()
        if self.done == self.total:
            self.show(self.finished_line(now), end=True)
        elif now - self.shown >= self.interval:
            self.shown = now
            self.show(self.running_line(now))

    def running_line(self, now):
        elapsed = now - self.started
        line = f"{self.phase} {self.count()}"
        if elapsed > 0 and self.done:
            rate = self.done / elapsed
            left = timedelta(seconds=round((self.total - self.done) / rate))
            line += f"  {rate:.{1 if rate < 10 else 0}f} notes/s  {left} left"
        return line

    def finished_line(self, now):
        return f"{self.phase} {self.count()} in {timedelta(seconds=round(now - self.started))}"

    def count(self):
        """`[#####-----]  50% 5/10` on a terminal; the percentage and count elsewhere."""
        percent = f"{100 * self.done // self.total:3d}% {self.done}/{self.total}"
        if not self.terminal:
            return percent
        filled = self.WIDTH * self.done // self.total
        return f"[{'#' * filled}{'-' * (self.WIDTH - filled)}] {percent}"

    def show(self, line, end=False):
        if self.terminal:
            self.stream.write("\r" + line.ljust(self.width) + ("\n" if end else ""))
            self.width = len(line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
