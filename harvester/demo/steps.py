"""The demo's steps: a spinner while one runs, then a tick and its duration."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from rich.console import Console
from rich.markup import escape


@dataclass
class Step:
    """One running step; ``done`` is the line printed when it ends.

    Attributes:
        doing: what the spinner says while the step runs.
        done: what the tick line says afterwards (``doing`` when left empty).
        seconds: how long the step took, once it ended.
    """

    doing: str
    done: str = ""
    seconds: float = 0.0


@dataclass
class Steps:
    """Shows each step of the demo and remembers how long each took."""

    console: Console
    finished: list[Step] = field(default_factory=list)

    @contextmanager
    def run(self, doing: str) -> Iterator[Step]:
        """Shows a spinner while the block runs, then a line with its duration.

        A failing block prints a cross instead of a tick and re-raises.
        """
        step = Step(doing)
        started = time.monotonic()
        try:
            with self.console.status(escape(doing)):
                yield step
        except BaseException:
            self._print(step, started, "[red]✗[/]")
            raise
        self._print(step, started, "[green]✓[/]")
        self.finished.append(step)

    def _print(self, step: Step, started: float, mark: str) -> None:
        step.seconds = time.monotonic() - started
        text = escape(step.done or step.doing)
        self.console.print(
            f"{mark} {text} [dim]({step.seconds:.1f} s)[/]", soft_wrap=True
        )
