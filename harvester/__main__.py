"""Lets `python -m harvester` run the command line."""

from __future__ import annotations

from harvester.cli import main

main()
