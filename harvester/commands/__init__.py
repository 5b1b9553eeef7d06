"""The commands of the `harvester` CLI, one module per area."""

from __future__ import annotations

import click

from harvester.commands.harvesting import backfill, harvest, reconcile
from harvester.commands.reporting import report, reporting, sql
from harvester.commands.running import run
from harvester.commands.warehousing import db, rebuild, status
from harvester.demo import demo
from harvester.simulator.command import simulate

COMMANDS: list[click.Command] = [
    backfill,
    db,
    demo,
    harvest,
    reconcile,
    rebuild,
    report,
    reporting,
    run,
    simulate,
    sql,
    status,
]
