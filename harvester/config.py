"""Configuration: environment variables over the TOML file over defaults."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harvester import defaults
from harvester.errors import ConfigurationError

# Environment variable → (TOML key, type). The TOML file uses the variable's
# name in lowercase without its prefix, e.g. `interval_seconds = 30`.
_SETTINGS: dict[str, tuple[str, type]] = {
    "BPCC_BASE_URL": ("base_url", str),
    "BPCC_CLIENT_ID": ("client_id", str),
    "BPCC_CLIENT_SECRET": ("client_secret", str),
    "BPCC_SCOPE": ("scope", str),
    "BPCC_CA_BUNDLE": ("ca_bundle", str),
    "BPCC_VERIFY_TLS": ("verify_tls", bool),
    "HARVESTER_DATABASE_URL": ("database_url", str),
    "HARVESTER_REPORTING_PATH": ("reporting_path", str),
    "HARVESTER_INTERVAL_SECONDS": ("interval_seconds", int),
    "HARVESTER_LOOKBACK_SECONDS": ("lookback_seconds", int),
    "HARVESTER_KEY_FIELDS": ("key_fields", tuple),
    "HARVESTER_PAGE_SIZE": ("page_size", int),
    "HARVESTER_HTTP_PORT": ("http_port", int),
    "HARVESTER_DISCOVERY_INTERVAL_SECONDS": ("discovery_interval_seconds", int),
    "HARVESTER_STOP_TIMEOUT_SECONDS": ("stop_timeout_seconds", int),
    "HARVESTER_HEALTH_INTERVALS": ("health_intervals", int),
    "HARVESTER_LOG_FORMAT": ("log_format", str),
    "HARVESTER_LOG_LEVEL": ("log_level", str),
}


@dataclass(frozen=True)
class Settings:
    """Every setting of the harvester, resolved and checked."""

    base_url: str = ""
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    scope: str = ""
    ca_bundle: str = ""
    verify_tls: bool = True
    # The URL may carry the database password, so it stays out of the repr.
    database_url: str = field(default=defaults.DEFAULT_DATABASE_URL, repr=False)
    reporting_path: str = defaults.DEFAULT_REPORTING_PATH
    interval_seconds: int = defaults.DEFAULT_INTERVAL_SECONDS
    lookback_seconds: int = defaults.DEFAULT_LOOKBACK_SECONDS
    key_fields: tuple[str, ...] = defaults.DEFAULT_KEY_FIELDS
    page_size: int = defaults.DEFAULT_PAGE_SIZE
    http_port: int = defaults.DEFAULT_HTTP_PORT
    discovery_interval_seconds: int = defaults.DEFAULT_DISCOVERY_INTERVAL_SECONDS
    stop_timeout_seconds: int = defaults.DEFAULT_STOP_TIMEOUT_SECONDS
    health_intervals: int = defaults.DEFAULT_HEALTH_INTERVALS
    log_format: str = "text"
    log_level: str = "INFO"
    list_key_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = "defaults"

    @property
    def effective_scope(self) -> str:
        """The token request's scope: as set, else the host of the base URL."""
        return self.scope or (urlsplit(self.base_url).hostname or "")

    def key_fields_for(self, list_name: str) -> tuple[str, ...]:
        """The lowercase key fields of a calling list."""
        return self.list_key_fields.get(list_name, self.key_fields)

    def require_tenant(self) -> None:
        """Checks that the settings needed to reach a tenant are present.

        Raises:
            ConfigurationError: a required setting is missing or malformed.
        """
        for variable, value in (
            ("BPCC_BASE_URL", self.base_url),
            ("BPCC_CLIENT_ID", self.client_id),
            ("BPCC_CLIENT_SECRET", self.client_secret),
        ):
            if not value:
                raise ConfigurationError(f"{variable} is not set; it is required")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(
                f"BPCC_BASE_URL {self.base_url!r} is not an http(s) URL"
            )


def _convert(variable: str, raw: Any, kind: type) -> Any:
    try:
        if kind is int:
            if isinstance(raw, bool | float):
                raise ValueError
            value = int(raw)
            if value < 0:
                raise ValueError
            return value
        if kind is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if kind is tuple:
            items = raw.split(",") if isinstance(raw, str) else list(raw)
            fields = tuple(str(item).strip().lower() for item in items)
            if not fields or not all(fields):
                raise ValueError
            return fields
        if not isinstance(raw, str):
            raise ValueError
        return raw.strip()
    except (TypeError, ValueError):
        expected = {int: "a whole number >= 0", bool: "true or false"}.get(
            kind, "a comma-separated list" if kind is tuple else "a string"
        )
        shown = "not shown" if "secret" in variable.lower() else repr(raw)
        raise ConfigurationError(
            f"{variable} is {shown}; expected {expected}"
        ) from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigurationError(f"config file '{path}' cannot be read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(
            f"config file '{path}' is not valid TOML: {exc}"
        ) from exc


def _read_list_keys(table: Any, path: Path) -> dict[str, tuple[str, ...]]:
    if not isinstance(table, dict):
        raise ConfigurationError(f"config file '{path}': [lists] is not a table")
    keys: dict[str, tuple[str, ...]] = {}
    for list_name, options in table.items():
        if not isinstance(options, dict) or "key_fields" not in options:
            raise ConfigurationError(
                f"config file '{path}': list {list_name!r} has no key_fields"
            )
        label = f'lists."{list_name}".key_fields'
        keys[list_name] = _convert(label, options["key_fields"], tuple)
    return keys


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Resolves the settings from the environment, the TOML file and defaults.

    Raises:
        ConfigurationError: the file is unreadable or a value is malformed.
    """
    env = os.environ if environ is None else environ
    explicit = env.get("HARVESTER_CONFIG")
    path = Path(explicit or defaults.DEFAULT_CONFIG_PATH)
    document: dict[str, Any] = {}
    source = "defaults"
    if explicit and not path.exists():
        raise ConfigurationError(
            f"HARVESTER_CONFIG names '{path}', which does not exist"
        )
    if path.exists():
        document = _read_toml(path)
        source = str(path)

    values: dict[str, Any] = {"source": source}
    known = {key for key, _ in _SETTINGS.values()} | {"lists"}
    unknown = sorted(set(document) - known)
    if unknown:
        raise ConfigurationError(f"config file '{path}' has unknown keys: {unknown}")
    for variable, (key, kind) in _SETTINGS.items():
        if variable in env and env[variable] != "":
            values[key] = _convert(variable, env[variable], kind)
        elif key in document:
            values[key] = _convert(f"{key} in '{path}'", document[key], kind)
    if "lists" in document:
        values["list_key_fields"] = _read_list_keys(document["lists"], path)

    settings = Settings(**values)
    if settings.page_size < 1:
        raise ConfigurationError("HARVESTER_PAGE_SIZE must be at least 1")
    if settings.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigurationError(
            f"HARVESTER_LOG_LEVEL is {settings.log_level!r}; "
            "expected debug, info, warning or error"
        )
    if settings.log_format not in ("text", "json"):
        raise ConfigurationError(
            f"HARVESTER_LOG_FORMAT is {settings.log_format!r}; expected text or json"
        )
    return settings
