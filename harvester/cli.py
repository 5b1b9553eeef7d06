"""The `harvester` command line: parses options, calls the library, prints results.

Commands hold no SQL and no HTTP. Every HarvesterError is caught in one place
(``HarvesterGroup.invoke``) and printed as one line on stderr.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from harvester import __version__
from harvester.commands import COMMANDS
from harvester.commands.common import EXIT_FAILURE
from harvester.config import load_settings
from harvester.errors import ConfigurationError, HarvesterError
from harvester.logs import configure_logging, register_secret

logger = logging.getLogger(__name__)


class HarvesterGroup(click.Group):
    """A click group that turns harvester errors into one line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except HarvesterError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(getattr(exc, "exit_code", EXIT_FAILURE))
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            # Anything else is a defect: keep the traceback for whoever runs
            # with --log-level debug, and tell the user in one line.
            logger.debug("unexpected error", exc_info=True)
            click.echo(
                f"error: unexpected {type(exc).__name__}: {exc} "
                "(run with --log-level debug for the traceback)",
                err=True,
            )
            sys.exit(EXIT_FAILURE)


@click.group(cls=HarvesterGroup)
@click.version_option(__version__, prog_name="harvester")
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
    default=None,
    help="Log detail (default: HARVESTER_LOG_LEVEL or info).",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default=None,
    help="Log lines as key=value text or JSON (default: HARVESTER_LOG_FORMAT or text).",
)
@click.pass_context
def main(ctx: click.Context, log_level: str | None, log_format: str | None) -> None:
    """Harvests Bright Pattern outbound campaign results into a SQL warehouse.

    Configuration comes from environment variables, then the TOML file named
    by HARVESTER_CONFIG (default ./harvester.toml), then defaults.
    """
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        configure_logging(log_level or "info", log_format or "text")
        raise exc
    register_secret(settings.client_secret)
    configure_logging(
        log_level or settings.log_level, log_format or settings.log_format
    )
    ctx.obj = settings


for _command in COMMANDS:
    main.add_command(_command)
