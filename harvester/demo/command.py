"""The `harvester demo` command: the whole pipeline on local files, no setup."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click
from rich.console import Console

from harvester.demo.files import DemoFiles
from harvester.demo.guide import guide_text
from harvester.demo.session import DemoOptions, DemoOutcome, run_demo
from harvester.reporting.display import format_duration
from harvester.timeutil import utcnow

# Without a terminal (CI, a pipe) nobody is there to press Ctrl-C.
DEFAULT_DURATION_TERMINAL = 180.0
DEFAULT_DURATION_PIPED = 30.0
DEFAULT_SPEED = 60.0
DEFAULT_INTERVAL_SECONDS = 3
DEFAULT_SEED = 1
# A demo stopped early leaves the simulated clock behind by more than this.
CLOCK_NOTE_SECONDS = 60


def default_duration(is_terminal: bool) -> float:
    """How long the demo harvests when --duration is not given."""
    return DEFAULT_DURATION_TERMINAL if is_terminal else DEFAULT_DURATION_PIPED


@click.command()
@click.option(
    "--duration",
    type=click.FloatRange(min=1),
    default=None,
    metavar="SECONDS",
    help="Seconds of harvesting before the demo stops by itself "
    "[default: 180 on a terminal, 30 otherwise].",
)
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    metavar="DIR",
    show_default=True,
    help="Folder for demo.db, demo.duckdb and demo.log (created if missing).",
)
@click.option(
    "--speed",
    type=click.FloatRange(min=1),
    default=DEFAULT_SPEED,
    metavar="FACTOR",
    show_default=True,
    help="Simulated seconds per real second of the tenant's clock.",
)
@click.option(
    "--interval",
    type=click.IntRange(min=1),
    default=DEFAULT_INTERVAL_SECONDS,
    metavar="SECONDS",
    show_default=True,
    help="Seconds between harvests of a campaign.",
)
@click.option(
    "--seed",
    type=int,
    default=DEFAULT_SEED,
    metavar="N",
    show_default=True,
    help="Seed of the simulated tenant's records and calls.",
)
def demo(
    duration: float | None, workdir: Path, speed: float, interval: int, seed: int
) -> None:
    """Runs a simulated tenant, the daemon, the reporting views and a report.

    Needs no setup and touches no real tenant or warehouse: the tenant and
    warehouse settings of the environment and harvester.toml are not used.
    A simulated tenant with four campaigns dials on a clock 60 times faster
    than real time (--speed); the daemon harvests it into demo.db while a
    live table shows attempts, completions and lag. After --duration
    seconds, or on Ctrl-C, everything stops cleanly, the reporting file
    demo.duckdb is built and the campaign report printed, with the commands
    that explore the files further. Exits 1 when nothing could be harvested.
    """
    console = Console()
    options = DemoOptions(
        workdir=workdir,
        duration=duration or default_duration(console.is_terminal),
        speed=speed,
        interval=interval,
        seed=seed,
    )
    outcome = run_demo(options, console)
    _close(console, outcome, DemoFiles.in_folder(workdir))


def clock_note(tenant_now: datetime | None, now: datetime) -> str | None:
    """A note when the demo stopped before the simulated clock caught up.

    The tenant's clock is set to reach the real time at the end of
    --duration; stopped sooner, it is behind, and so are the watermarks.
    """
    if tenant_now is None:
        return None
    behind = (now - tenant_now).total_seconds()
    if behind <= CLOCK_NOTE_SECONDS:
        return None
    return (
        f"The simulated clock stopped {format_duration(behind)} behind the real "
        "one, so `harvester status` shows that much more lag."
    )


def _close(console: Console, outcome: DemoOutcome, files: DemoFiles) -> None:
    cwd = Path.cwd()
    console.print()
    console.print(guide_text(files, cwd, sys.argv[0]), markup=False, soft_wrap=True)
    note = clock_note(outcome.tenant_now, utcnow())
    if note:
        console.print(f"\n{note}", soft_wrap=True)
    if outcome.log is not None:
        problems = outcome.log.problems
        note = f"; {problems} warnings or errors among them" if problems else ""
        console.print(
            f"\nThe harvester's log is in {files.shown(files.log, cwd)}{note}."
        )
    if outcome.snapshot is None or outcome.snapshot.attempts == 0:
        console.print(
            f"[red]Nothing was harvested; see {files.shown(files.log, cwd)}.[/]"
        )
        sys.exit(1)
