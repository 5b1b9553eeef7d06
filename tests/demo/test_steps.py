"""Tests of the demo's step lines: a tick and the duration, or a cross."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from harvester.demo.steps import Steps


def plain_console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=120, color_system=None), out


def test_step_success_prints_done_line_with_seconds():
    console, out = plain_console()
    steps = Steps(console)

    with steps.run("Building [the] file") as step:
        step.done = "Built the file"

    assert out.getvalue().startswith("✓ Built the file (0.")
    assert [s.done for s in steps.finished] == ["Built the file"]


def test_step_without_done_text_repeats_doing():
    console, out = plain_console()

    with Steps(console).run("Starting [bold]x[/]"):
        pass

    assert out.getvalue().startswith("✓ Starting [bold]x[/] (")


def test_step_failure_prints_cross_and_reraises():
    console, out = plain_console()
    steps = Steps(console)

    with pytest.raises(RuntimeError, match="broken"), steps.run("Reading"):
        raise RuntimeError("broken")

    assert out.getvalue().startswith("✗ Reading (")
    assert steps.finished == []
