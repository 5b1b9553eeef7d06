"""Tests of the log setup: UTC line format, JSON lines and secret masking."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from harvester import logs
from harvester.logs import MASK, configure_logging, mask_secrets, register_secret

SECRET = "s3cret-Value-42"
LINE = re.compile(
    r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3})Z (\w+) ([\w.]+) (.*)$"
)

logger = logging.getLogger("harvester.tests.logs")


@pytest.fixture(autouse=True)
def restore_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Undoes configure_logging and register_secret after each test."""
    root = logging.getLogger()
    harvester_logger = logging.getLogger("harvester")
    before = list(root.handlers)
    root_level, harvester_level = root.level, harvester_logger.level
    monkeypatch.setattr(logs, "_secrets", set())

    yield

    for handler in list(root.handlers):
        if handler not in before and getattr(handler, "is_harvester_handler", False):
            root.removeHandler(handler)
    root.setLevel(root_level)
    harvester_logger.setLevel(harvester_level)


@pytest.fixture
def far_timezone() -> Iterator[None]:
    """Sets a local zone far from UTC, so local time in a line would show."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Kathmandu"
    time.tzset()

    yield

    if saved is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = saved
    time.tzset()


def lines_of(stream: io.StringIO) -> list[str]:
    return stream.getvalue().splitlines()


def raise_with_secret() -> None:
    raise RuntimeError(f"token request refused for secret {SECRET}")


@pytest.mark.usefixtures("far_timezone")
def test_configure_logging_text_line_has_utc_level_logger():
    stream = io.StringIO()
    configure_logging("INFO", "text", stream)
    before = datetime.now(UTC)

    logger.info("cycle finished campaign=%s pages=%d", "Outbound", 3)

    (line,) = lines_of(stream)
    match = LINE.match(line)
    assert match is not None, line
    stamp = datetime.fromisoformat(match.group(1)).replace(tzinfo=UTC)
    assert before - timedelta(seconds=1) <= stamp <= datetime.now(UTC)
    assert match.group(2) == "INFO"
    assert match.group(3) == "harvester.tests.logs"
    assert match.group(4) == "cycle finished campaign=Outbound pages=3"


@pytest.mark.usefixtures("far_timezone")
def test_configure_logging_json_line_parses_with_fields():
    stream = io.StringIO()
    configure_logging("INFO", "json", stream)
    before = datetime.now(UTC)

    logger.warning("retrying attempt=%d of=%d", 2, 6)

    (line,) = lines_of(stream)
    document = json.loads(line)
    assert set(document) == {"time", "level", "logger", "message"}
    assert document["level"] == "WARNING"
    assert document["logger"] == "harvester.tests.logs"
    assert document["message"] == "retrying attempt=2 of=6"
    assert re.fullmatch(
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", document["time"]
    )
    stamp = datetime.fromisoformat(document["time"][:-1]).replace(tzinfo=UTC)
    assert before - timedelta(seconds=1) <= stamp <= datetime.now(UTC)


def test_configure_logging_json_exception_adds_traceback():
    stream = io.StringIO()
    configure_logging("INFO", "json", stream)

    try:
        raise ValueError("page was cut")
    except ValueError:
        logger.exception("campaign failed campaign=%s", "Outbound")

    document = json.loads(stream.getvalue())
    assert document["level"] == "ERROR"
    assert document["message"] == "campaign failed campaign=Outbound"
    assert "Traceback" in document["exception"]
    assert "ValueError: page was cut" in document["exception"]


@pytest.mark.parametrize(
    ("level", "emitted"),
    [
        ("INFO", ["INFO", "WARNING"]),
        ("info", ["INFO", "WARNING"]),
        ("debug", ["DEBUG", "INFO", "WARNING"]),
        ("WARNING", ["WARNING"]),
    ],
)
def test_configure_logging_level_filters_harvester_lines(level, emitted):
    stream = io.StringIO()
    configure_logging(level, "text", stream)

    logger.debug("one")
    logger.info("two")
    logger.warning("three")

    levels = [LINE.match(line).group(2) for line in lines_of(stream)]  # type: ignore[union-attr]
    assert levels == emitted


def test_configure_logging_library_lines_warning_and_up():
    stream = io.StringIO()
    configure_logging("DEBUG", "text", stream)
    library = logging.getLogger("apscheduler.scheduler")

    library.info("job added")
    library.warning("job missed")

    (line,) = lines_of(stream)
    assert line.endswith(" WARNING apscheduler.scheduler job missed")


def test_configure_logging_urllib3_retry_lines_left_to_ours():
    stream = io.StringIO()
    configure_logging("DEBUG", "text", stream)

    logging.getLogger("urllib3.connectionpool").warning("Retrying (Retry(total=5))")

    assert lines_of(stream) == []


def test_configure_logging_called_twice_one_handler():
    first, second = io.StringIO(), io.StringIO()
    configure_logging("INFO", "text", first)
    configure_logging("INFO", "json", second)

    logger.info("once")

    assert first.getvalue() == ""
    assert json.loads(second.getvalue())["message"] == "once"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_register_secret_message_masked(fmt):
    stream = io.StringIO()
    configure_logging("INFO", fmt, stream)
    register_secret(SECRET)

    logger.info(f"literal {SECRET} in message")  # noqa: G004

    assert SECRET not in stream.getvalue()
    assert f"literal {MASK} in message" in stream.getvalue()


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_register_secret_percent_args_masked(fmt):
    stream = io.StringIO()
    configure_logging("INFO", fmt, stream)
    register_secret(SECRET)

    logger.warning("auth refused body=%s status=%d", {"secret": SECRET}, 401)

    output = stream.getvalue()
    assert SECRET not in output
    assert f"auth refused body={{'secret': '{MASK}'}} status=401" in output


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_register_secret_traceback_masked(fmt):
    stream = io.StringIO()
    configure_logging("INFO", fmt, stream)
    register_secret(SECRET)

    try:
        raise_with_secret()
    except RuntimeError:
        logger.warning("token failed", exc_info=True)

    output = stream.getvalue()
    assert SECRET not in output
    assert "Traceback" in output
    assert f"RuntimeError: token request refused for secret {MASK}" in output


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_register_secret_chained_exception_masked(fmt):
    stream = io.StringIO()
    configure_logging("INFO", fmt, stream)
    register_secret(SECRET)

    try:
        try:
            raise_with_secret()
        except RuntimeError as exc:
            raise ValueError(f"wrapped {SECRET}") from exc
    except ValueError:
        logger.exception("cycle failed")

    output = stream.getvalue()
    assert SECRET not in output
    assert f"ValueError: wrapped {MASK}" in output


def test_register_secret_library_warning_masked():
    stream = io.StringIO()
    configure_logging("INFO", "text", stream)
    register_secret(SECRET)

    logging.getLogger("urllib3").warning("retrying url=%s", f"https://x/?s={SECRET}")

    assert stream.getvalue().rstrip().endswith(f"retrying url=https://x/?s={MASK}")


def test_register_secret_not_registered_left_alone():
    stream = io.StringIO()
    configure_logging("INFO", "text", stream)
    register_secret("another-secret")

    logger.info("client=%s", "harvester")

    assert lines_of(stream)[0].endswith(" client=harvester")


@pytest.mark.parametrize("value", ["", "abc"])
def test_register_secret_short_value_ignored(value):
    register_secret(value)

    assert mask_secrets("abc def") == "abc def"


def test_mask_secrets_several_secrets_all_masked():
    register_secret(SECRET)
    register_secret("token-0123456789")

    masked = mask_secrets(f"a={SECRET} b=token-0123456789 c={SECRET}")

    assert masked == f"a={MASK} b={MASK} c={MASK}"
