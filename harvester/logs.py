"""Log setup for the command line: UTC timestamps, key=value or JSON lines.

Only the CLI calls ``configure_logging``; library modules just log. A filter
on the handler masks every registered secret, as a last guard behind the rule
that secrets are never passed to a logger in the first place.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import TextIO

MASK = "***"
_secrets: set[str] = set()


def register_secret(value: str) -> None:
    """Masks ``value`` wherever it would appear in a log line."""
    # Very short values would mask ordinary words; real secrets are long.
    if value and len(value) >= 8:
        _secrets.add(value)


def mask_secrets(text: str) -> str:
    """Replaces every registered secret in ``text`` with a mask."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class SecretFilter(logging.Filter):
    """Masks registered secrets in the formatted message of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets:
            record.msg = mask_secrets(record.getMessage())
            record.args = None
        return True


# Characters that end a line for log readers (str.splitlines breaks on all
# of them); a name holding one would otherwise start a forged log line.
_LINE_BREAKS = {
    ord(char): char.encode("unicode_escape").decode("ascii")
    for char in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
}


class UtcFormatter(logging.Formatter):
    """``2026-01-05T08:00:00.123Z INFO logger message`` lines.

    Line breaks inside a message are escaped, so that every record is one
    line; only a traceback that follows it spans several.
    """

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        return f"{stamp}.{int(record.msecs):03d}Z"

    def formatMessage(self, record: logging.LogRecord) -> str:
        return super().formatMessage(record).translate(_LINE_BREAKS)

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        created = time.gmtime(record.created)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", created)
        document = {
            "time": f"{stamp}.{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            document["exception"] = mask_secrets(self.formatException(record.exc_info))
        return json.dumps(document, ensure_ascii=False)


def configure_logging(
    level: str = "INFO", fmt: str = "text", stream: TextIO | None = None
) -> None:
    """Sends log lines of the harvester (and warnings of libraries) to stderr."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else UtcFormatter())
    handler.addFilter(SecretFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "is_harvester_handler", False):
            root.removeHandler(existing)
    handler.is_harvester_handler = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    # Our own retry lines say the same with the API method; urllib3's repeat
    # them with its internals.
    logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)
    logging.getLogger("harvester").setLevel(level.upper())
