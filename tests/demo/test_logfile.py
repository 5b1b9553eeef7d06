"""Tests of the demo's log file: lines go there, and the console handlers come back."""

from __future__ import annotations

import logging

from harvester.demo.logfile import logs_to_file
from harvester.logs import register_secret

logger = logging.getLogger("harvester.demo.tests")


def test_logs_to_file_writes_info_and_counts_problems(tmp_path):
    path = tmp_path / "demo.log"

    with logs_to_file(path) as summary:
        logger.info("harvested campaign=%s", "A")
        logger.warning("slow page seconds=%s", 3)
        logger.error("failed campaign=%s", "B")

    lines = path.read_text().splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == [
        "INFO harvester.demo.tests harvested campaign=A",
        "WARNING harvester.demo.tests slow page seconds=3",
        "ERROR harvester.demo.tests failed campaign=B",
    ]
    assert summary.problems == 2


def test_logs_to_file_masks_registered_secret(tmp_path):
    path = tmp_path / "demo.log"
    register_secret("demo-secret-value")

    with logs_to_file(path):
        logger.info("token request secret=%s", "demo-secret-value")

    assert "demo-secret-value" not in path.read_text()


def test_logs_to_file_restores_handlers_and_level(tmp_path):
    root = logging.getLogger()
    package = logging.getLogger("harvester")
    handlers, level = list(root.handlers), package.level

    with logs_to_file(tmp_path / "demo.log"):
        assert root.handlers != handlers

    assert root.handlers == handlers
    assert package.level == level
