"""The demo's live view: campaigns, attempts, completions and lag as they flow in.

On a terminal it redraws one rich table in place; elsewhere (CI logs, a pipe)
it prints one line of totals every few seconds, so the log still shows the
harvest moving.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError

from harvester.demo.snapshot import CampaignFigures, Snapshot
from harvester.reporting.display import format_count, format_duration, format_time
from harvester.timeutil import utcnow

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 1.0
# Without a terminal, one line of totals this often.
LINE_EVERY_SECONDS = 5.0

SnapshotReader = Callable[[], Snapshot]


def render(snapshot: Snapshot, elapsed: float, duration: float) -> Group:
    """The live table with a caption saying where the demo stands."""
    table = Table(
        "campaign",
        "lists",
        "attempts stored / in tenant",
        "completions stored / in tenant",
        "lag",
        "last harvest",
        title="Harvesting the simulated tenant",
        title_justify="left",
    )
    for column in table.columns[1:5]:
        column.justify = "right"
    for figures in snapshot.campaigns:
        table.add_row(*_cells(figures, snapshot.tenant_now))
    table.add_section()
    table.add_row(
        "total",
        "",
        _pair(snapshot.attempts, snapshot.tenant_attempts),
        format_count(snapshot.completions),
        format_duration(snapshot.max_lag_seconds()),
        "",
        style="bold",
    )
    caption = Text.from_markup(
        f"tenant clock {format_time(snapshot.tenant_now.replace(tzinfo=None))}"
        f" · {_clock(elapsed)} of {_clock(duration)} · [bold]Ctrl-C[/] stops\n"
        "[dim]lag: tenant clock minus the oldest watermark, in tenant time; "
        "a call shows in the API 30 s to 5 min after it is dialed[/]"
    )
    return Group(table, caption)


def _cells(figures: CampaignFigures, tenant_now: datetime) -> list[str]:
    last = figures.last_success_at
    ago = None if last is None else (utcnow().replace(tzinfo=None) - last)
    harvested = "-" if ago is None else f"{format_duration(ago.total_seconds())} ago"
    if figures.last_error:
        harvested = f"[red]failed: {figures.last_error[:60]}[/]"
    return [
        figures.campaign,
        str(figures.lists),
        _pair(figures.attempts, figures.tenant_attempts),
        _pair(figures.completions, figures.tenant_completions),
        format_duration(figures.lag_seconds(tenant_now)),
        harvested,
    ]


def _pair(stored: int, shown: int) -> str:
    return f"{format_count(stored)} / {format_count(shown)}"


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


def summary_line(snapshot: Snapshot, elapsed: float) -> str:
    """One line of totals, for output that is not a terminal."""
    return (
        f"{_clock(elapsed)}  attempts {format_count(snapshot.attempts)} stored of "
        f"{format_count(snapshot.tenant_attempts)} in the tenant · completions "
        f"{format_count(snapshot.completions)} · lag "
        f"{format_duration(snapshot.max_lag_seconds())}"
    )


class LiveView:
    """Shows snapshots until the duration ends or someone sets ``stop``.

    Runs in its own thread while the daemon holds the main one (the daemon's
    signal handlers need it). When the duration ends, the view sets ``stop``,
    which is the daemon's own stop event.

    Args:
        console: where to draw.
        read: takes a fresh snapshot.
        stop: set by the daemon's signal handler on Ctrl-C, or by the view.
        duration: real seconds to run.
    """

    def __init__(
        self,
        console: Console,
        read: SnapshotReader,
        stop: threading.Event,
        duration: float,
    ) -> None:
        self.console = console
        self.read = read
        self.stop = stop
        self.duration = duration
        self.last: Snapshot | None = None
        self.started = time.monotonic()

    @property
    def elapsed(self) -> float:
        """Real seconds since the view started."""
        return time.monotonic() - self.started

    def refresh(self) -> Snapshot | None:
        """Takes a new snapshot; keeps the previous one if the read failed."""
        try:
            self.last = self.read()
        except SQLAlchemyError as exc:
            # A read can meet a busy warehouse; the next refresh tries again.
            logger.warning("live view not refreshed error=%s", exc)
        return self.last

    def run(self) -> None:
        """Refreshes until done, then sets ``stop`` so the daemon winds down."""
        self.started = time.monotonic()
        try:
            if self.console.is_terminal:
                self._run_live()
            else:
                self._run_lines()
        finally:
            self.stop.set()

    def _is_done(self) -> bool:
        if self.stop.is_set():
            return True
        return self.elapsed >= self.duration

    def _run_live(self) -> None:
        with Live(console=self.console, refresh_per_second=4) as live:
            while True:
                snapshot = self.refresh()
                if snapshot is not None:
                    live.update(render(snapshot, self.elapsed, self.duration))
                if self._is_done() or self.stop.wait(REFRESH_SECONDS):
                    break

    def _run_lines(self) -> None:
        next_line = 0.0
        while not self._is_done():
            if self.elapsed >= next_line:
                snapshot = self.refresh()
                if snapshot is not None:
                    self.console.print(
                        summary_line(snapshot, self.elapsed), soft_wrap=True
                    )
                next_line += LINE_EVERY_SECONDS
            self.stop.wait(min(REFRESH_SECONDS, max(0.05, next_line - self.elapsed)))
        snapshot = self.refresh()
        if snapshot is not None:
            self.console.print(summary_line(snapshot, self.elapsed), soft_wrap=True)
