"""Tests of the demo's live view: the table, the plain lines and when it stops."""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime

from rich.console import Console
from sqlalchemy.exc import OperationalError

from harvester.demo.live import LiveView, render, summary_line
from harvester.demo.snapshot import CampaignFigures, Snapshot

TENANT_NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def sample_snapshot() -> Snapshot:
    return Snapshot(
        tenant_now=TENANT_NOW,
        campaigns=[
            CampaignFigures(
                "Spring Renewals",
                lists=2,
                attempts=1234,
                tenant_attempts=1300,
                completions=410,
                tenant_completions=420,
                oldest_watermark=datetime(2026, 3, 2, 11, 55, 30),
                last_success_at=datetime(2020, 1, 1),
            ),
            CampaignFigures("Win-back Q1", tenant_attempts=7),
        ],
    )


def test_render_shows_campaigns_pairs_and_lag():
    console = Console(file=io.StringIO(), width=160, color_system=None)

    console.print(render(sample_snapshot(), elapsed=42, duration=180))

    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "Spring Renewals" in text
    assert "1,234 / 1,300" in text
    assert "410 / 420" in text
    assert "4m 30s" in text
    assert "0:42 of 3:00" in text


def test_summary_line_gives_totals():
    line = summary_line(sample_snapshot(), elapsed=65)

    assert line == (
        "1:05  attempts 1,234 stored of 1,307 in the tenant · completions 410 "
        "· lag 4m 30s"
    )


def test_lag_is_none_without_watermark():
    figures = CampaignFigures("Win-back Q1")

    assert figures.lag_seconds(TENANT_NOW) is None


def test_live_view_without_terminal_prints_lines_and_sets_stop():
    out = io.StringIO()
    stop = threading.Event()
    view = LiveView(Console(file=out), sample_snapshot, stop, duration=0.3)

    view.run()

    assert stop.is_set()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("0:00  attempts 1,234 stored of 1,307")
    assert len(lines) == 2


def test_live_view_stops_early_when_stop_is_set():
    stop = threading.Event()
    stop.set()
    view = LiveView(Console(file=io.StringIO()), sample_snapshot, stop, 3600)

    view.run()

    assert view.elapsed < 60


def test_refresh_keeps_last_snapshot_when_read_fails():
    reads = iter([sample_snapshot()])

    def read() -> Snapshot:
        for snapshot in reads:
            return snapshot
        raise OperationalError("select", {}, Exception("database is locked"))

    view = LiveView(Console(file=io.StringIO()), read, threading.Event(), 1)

    first = view.refresh()

    assert view.refresh() is first
