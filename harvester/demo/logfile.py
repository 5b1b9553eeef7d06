"""Sends the harvester's log lines to the demo's log file while the demo draws."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harvester.logs import SecretFilter, UtcFormatter


class _Counter(logging.Handler):
    """Counts the warnings and errors logged, for the closing summary."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@dataclass
class LogSummary:
    """What the demo's log file received.

    Attributes:
        path: the log file.
        problems: warnings and errors among its lines.
    """

    path: Path
    problems: int = 0


@contextmanager
def logs_to_file(path: Path) -> Iterator[LogSummary]:
    """Replaces the console log handlers with one writing ``path``.

    Log lines on stderr would tear the live view apart, so for the length of
    the demo they go to a file; the handlers are put back afterwards.
    """
    root = logging.getLogger()
    package = logging.getLogger("harvester")
    saved_handlers = list(root.handlers)
    saved_level = package.level

    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(UtcFormatter())
    handler.addFilter(SecretFilter())
    counter = _Counter()
    for existing in saved_handlers:
        root.removeHandler(existing)
    root.addHandler(handler)
    root.addHandler(counter)
    if package.level == logging.NOTSET or package.level > logging.INFO:
        package.setLevel(logging.INFO)

    summary = LogSummary(path)
    try:
        yield summary
    finally:
        summary.problems = counter.count
        root.removeHandler(handler)
        root.removeHandler(counter)
        handler.close()
        for existing in saved_handlers:
            root.addHandler(existing)
        package.setLevel(saved_level)
