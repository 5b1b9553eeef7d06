"""Tests of the settings: environment over TOML over defaults, and their checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.config import Settings, load_settings
from harvester.errors import ConfigurationError

SECRET = "s3cret-Value-42"

# variable, TOML value, value read from TOML, environment text, value read from it
LAYERS = [
    ("BPCC_BASE_URL", '"https://t.example.com"', "https://t.example.com",
     "http://127.0.0.1:8800", "http://127.0.0.1:8800"),
    ("BPCC_CLIENT_ID", '"toml-user"', "toml-user", "env-user", "env-user"),
    ("BPCC_CLIENT_SECRET", '"toml-secret"', "toml-secret", "env-secret", "env-secret"),
    ("BPCC_SCOPE", '"toml.scope"', "toml.scope", "env.scope", "env.scope"),
    ("HARVESTER_DATABASE_URL", '"sqlite:///toml.db"', "sqlite:///toml.db",
     "postgresql://u@db.example/w", "postgresql://u@db.example/w"),
    ("HARVESTER_REPORTING_PATH", '"t.duckdb"', "t.duckdb", "e.duckdb", "e.duckdb"),
    ("HARVESTER_INTERVAL_SECONDS", "30", 30, "45", 45),
    ("HARVESTER_LOOKBACK_SECONDS", "600", 600, "1200", 1200),
    ("HARVESTER_KEY_FIELDS", '["ID", "Phone"]', ("id", "phone"), "Acct", ("acct",)),
    ("HARVESTER_PAGE_SIZE", "500", 500, "250", 250),
    ("HARVESTER_HTTP_PORT", "0", 0, "9500", 9500),
    ("BPCC_VERIFY_TLS", "false", False, "yes", True),
    ("BPCC_CA_BUNDLE", '"/toml/ca.pem"', "/toml/ca.pem", "/env/ca.pem", "/env/ca.pem"),
    ("HARVESTER_DISCOVERY_INTERVAL_SECONDS", "120", 120, "240", 240),
    ("HARVESTER_STOP_TIMEOUT_SECONDS", "10", 10, "20", 20),
    ("HARVESTER_HEALTH_INTERVALS", "5", 5, "7", 7),
    ("HARVESTER_LOG_FORMAT", '"json"', "json", "text", "text"),
    ("HARVESTER_LOG_LEVEL", '"DEBUG"', "DEBUG", "ERROR", "ERROR"),
]  # fmt: skip
LAYER_NAMES = ("variable", "toml_value", "from_toml", "env_text", "from_env")

# The defaults INTERFACE.md promises, written out rather than read from
# harvester.defaults so that a changed constant breaks a test.
INTERFACE_DEFAULTS = [
    ("base_url", ""),
    ("client_id", ""),
    ("client_secret", ""),
    ("scope", ""),
    ("database_url", "sqlite:///harvester.db"),
    ("reporting_path", "reporting.duckdb"),
    ("interval_seconds", 60),
    ("lookback_seconds", 900),
    ("key_fields", ("id",)),
    ("page_size", 1000),
    ("http_port", 9410),
    ("verify_tls", True),
    ("log_format", "text"),
]


def attribute_of(variable: str) -> str:
    """The Settings attribute and TOML key of a variable: BPCC_SCOPE -> scope."""
    return variable.split("_", 1)[1].lower()


# Two-valued settings cannot differ from the default in all three layers;
# their environment-only case is covered by the tests of boolean words and
# of the log format.
ENV_DIFFERS = [
    row for row in LAYERS if getattr(Settings(), attribute_of(row[0])) != row[4]
]


def write_toml(text: str, name: str = "harvester.toml") -> Path:
    path = Path(name)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("attribute", "expected"), INTERFACE_DEFAULTS)
def test_load_settings_nothing_set_gives_defaults(attribute, expected):
    settings = load_settings({})

    assert getattr(settings, attribute) == expected
    assert settings.source == "defaults"


@pytest.mark.parametrize(LAYER_NAMES, LAYERS)
def test_load_settings_toml_only_beats_default(
    variable, toml_value, from_toml, env_text, from_env
):
    attribute = attribute_of(variable)
    write_toml(f"{attribute} = {toml_value}\n")

    settings = load_settings({})

    assert getattr(settings, attribute) == from_toml
    assert getattr(settings, attribute) != getattr(Settings(), attribute)
    assert settings.source == "harvester.toml"


@pytest.mark.parametrize(LAYER_NAMES, LAYERS)
def test_load_settings_env_and_toml_env_wins(
    variable, toml_value, from_toml, env_text, from_env
):
    attribute = attribute_of(variable)
    write_toml(f"{attribute} = {toml_value}\n")

    settings = load_settings({variable: env_text})

    assert getattr(settings, attribute) == from_env
    assert from_env != from_toml


@pytest.mark.parametrize(LAYER_NAMES, ENV_DIFFERS)
def test_load_settings_env_only_beats_default(
    variable, toml_value, from_toml, env_text, from_env
):
    settings = load_settings({variable: env_text})

    assert getattr(settings, attribute_of(variable)) == from_env
    assert getattr(Settings(), attribute_of(variable)) != from_env
    assert settings.source == "defaults"


def test_load_settings_env_log_format_json_accepted():
    assert load_settings({"HARVESTER_LOG_FORMAT": "json"}).log_format == "json"


def test_load_settings_no_argument_reads_os_environ(monkeypatch):
    monkeypatch.setenv("HARVESTER_PAGE_SIZE", "77")
    monkeypatch.setenv("BPCC_CLIENT_ID", "from-process")

    settings = load_settings()

    assert settings.page_size == 77
    assert settings.client_id == "from-process"


def test_load_settings_empty_env_value_falls_back_to_toml():
    write_toml("interval_seconds = 30\n")

    settings = load_settings({"HARVESTER_INTERVAL_SECONDS": ""})

    assert settings.interval_seconds == 30


def test_load_settings_missing_named_config_raises():
    with pytest.raises(ConfigurationError, match=r"HARVESTER_CONFIG names '.*absent"):
        load_settings({"HARVESTER_CONFIG": "absent.toml"})


def test_load_settings_named_config_beats_default_file(tmp_path):
    write_toml("page_size = 111\n")
    named = tmp_path / "elsewhere.toml"
    named.write_text("page_size = 222\n", encoding="utf-8")

    settings = load_settings({"HARVESTER_CONFIG": str(named)})

    assert settings.page_size == 222
    assert settings.source == str(named)


def test_load_settings_default_file_present_is_used():
    write_toml('base_url = "https://tenant.example.com"\nlookback_seconds = 60\n')

    settings = load_settings({})

    assert settings.base_url == "https://tenant.example.com"
    assert settings.lookback_seconds == 60
    assert settings.source == "harvester.toml"


def test_load_settings_list_key_fields_lowercased():
    write_toml('[lists."list.csv"]\nkey_fields = ["ID"]\n')

    settings = load_settings({})

    assert settings.key_fields_for("list.csv") == ("id",)
    assert settings.list_key_fields == {"list.csv": ("id",)}


def test_key_fields_for_other_list_uses_default_fields():
    write_toml('[lists."list.csv"]\nkey_fields = ["ID", "Phone"]\n')

    settings = load_settings({"HARVESTER_KEY_FIELDS": "Account"})

    assert settings.key_fields_for("list.csv") == ("id", "phone")
    assert settings.key_fields_for("other.csv") == ("account",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ID, Phone", ("id", "phone")),
        ("id", ("id",)),
        (" Phone ,ID ", ("phone", "id")),
        ("A,B,C", ("a", "b", "c")),
    ],
)
def test_load_settings_key_fields_env_split_and_lowercased(text, expected):
    settings = load_settings({"HARVESTER_KEY_FIELDS": text})

    assert settings.key_fields == expected


@pytest.mark.parametrize(
    ("variable", "text"),
    [
        ("HARVESTER_INTERVAL_SECONDS", "abc"),
        ("HARVESTER_INTERVAL_SECONDS", "-1"),
        ("HARVESTER_INTERVAL_SECONDS", "1.5"),
        ("HARVESTER_LOOKBACK_SECONDS", "15m"),
        ("HARVESTER_PAGE_SIZE", "many"),
        ("HARVESTER_HTTP_PORT", "-9410"),
        ("HARVESTER_HEALTH_INTERVALS", "three"),
        ("BPCC_VERIFY_TLS", "maybe"),
        ("BPCC_VERIFY_TLS", "2"),
        ("HARVESTER_KEY_FIELDS", "id,,phone"),
        ("HARVESTER_KEY_FIELDS", " , "),
    ],
)
def test_load_settings_bad_env_value_names_variable(variable, text):
    with pytest.raises(ConfigurationError, match=rf"^{variable} is '"):
        load_settings({variable: text})


@pytest.mark.parametrize(
    ("toml_line", "match"),
    [
        ("interval_seconds = -5", r"interval_seconds in 'harvester\.toml'"),
        ("interval_seconds = 1.5", r"interval_seconds in 'harvester\.toml'"),
        ("interval_seconds = true", r"interval_seconds in 'harvester\.toml'"),
        ("interval_seconds = inf", r"interval_seconds in 'harvester\.toml'"),
        ("lookback_seconds = nan", r"lookback_seconds in 'harvester\.toml'"),
        ('page_size = "lots"', r"page_size in 'harvester\.toml'"),
        ('verify_tls = "sometimes"', r"verify_tls in 'harvester\.toml'"),
        ("base_url = 8800", r"base_url in 'harvester\.toml'"),
        ("key_fields = []", r"key_fields in 'harvester\.toml'"),
    ],
)
def test_load_settings_bad_toml_value_names_key(toml_line, match):
    write_toml(toml_line + "\n")

    with pytest.raises(ConfigurationError, match=match):
        load_settings({})


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", True), ("true", True), ("On", True), ("0", False), ("FALSE", False)],
)
def test_load_settings_bool_words_accepted(text, expected):
    assert load_settings({"BPCC_VERIFY_TLS": text}).verify_tls is expected


@pytest.mark.parametrize(
    ("toml_text", "match"),
    [
        ("intervall_seconds = 30\n", r"unknown keys: \['intervall_seconds'\]"),
        ("HARVESTER_PAGE_SIZE = 5\n", r"unknown keys: \['HARVESTER_PAGE_SIZE'\]"),
        ("[lists]\nx = 1\n", "has no key_fields"),
        ('[lists."list.csv"]\nkeys = ["id"]\n', "has no key_fields"),
        ("lists = 3\n", r"\[lists\] is not a table"),
        ("page_size = \n", "is not valid TOML"),
    ],
)
def test_load_settings_bad_toml_document_raises(toml_text, match):
    write_toml(toml_text)

    with pytest.raises(ConfigurationError, match=match):
        load_settings({})


@pytest.mark.parametrize(
    ("variable", "text", "match"),
    [
        ("HARVESTER_PAGE_SIZE", "0", "HARVESTER_PAGE_SIZE must be at least 1"),
        ("HARVESTER_LOG_FORMAT", "xml", "HARVESTER_LOG_FORMAT is 'xml'"),
    ],
)
def test_load_settings_out_of_range_value_raises(variable, text, match):
    with pytest.raises(ConfigurationError, match=match):
        load_settings({variable: text})


@pytest.mark.parametrize(
    ("base_url", "scope", "expected"),
    [
        ("https://yourcompany.brightpattern.com", "", "yourcompany.brightpattern.com"),
        ("http://127.0.0.1:8800", "", "127.0.0.1"),
        ("https://Tenant.Example.com:8443/root/", "", "tenant.example.com"),
        ("https://yourcompany.brightpattern.com", "other.scope", "other.scope"),
        ("", "", ""),
    ],
)
def test_effective_scope_unset_uses_base_url_host(base_url, scope, expected):
    environ = {"BPCC_BASE_URL": base_url, "BPCC_SCOPE": scope}

    assert load_settings(environ).effective_scope == expected


@pytest.mark.parametrize(
    ("environ", "match"),
    [
        (
            {"BPCC_CLIENT_ID": "harvester", "BPCC_CLIENT_SECRET": SECRET},
            "^BPCC_BASE_URL is not set",
        ),
        (
            {"BPCC_BASE_URL": "http://127.0.0.1:8800", "BPCC_CLIENT_SECRET": SECRET},
            "^BPCC_CLIENT_ID is not set",
        ),
        (
            {"BPCC_BASE_URL": "http://127.0.0.1:8800", "BPCC_CLIENT_ID": "harvester"},
            "^BPCC_CLIENT_SECRET is not set",
        ),
        (
            {
                "BPCC_BASE_URL": "ftp://tenant.example.com",
                "BPCC_CLIENT_ID": "harvester",
                "BPCC_CLIENT_SECRET": SECRET,
            },
            "^BPCC_BASE_URL 'ftp://tenant.example.com' is not an http",
        ),
        (
            {
                "BPCC_BASE_URL": "tenant.example.com",
                "BPCC_CLIENT_ID": "harvester",
                "BPCC_CLIENT_SECRET": SECRET,
            },
            "^BPCC_BASE_URL 'tenant.example.com' is not an http",
        ),
    ],
)
def test_require_tenant_missing_setting_names_variable(environ, match):
    settings = load_settings(environ)

    with pytest.raises(ConfigurationError, match=match):
        settings.require_tenant()


def test_require_tenant_complete_settings_passes():
    settings = load_settings(
        {
            "BPCC_BASE_URL": "https://yourcompany.brightpattern.com",
            "BPCC_CLIENT_ID": "harvester",
            "BPCC_CLIENT_SECRET": SECRET,
        }
    )

    settings.require_tenant()

    assert settings.client_secret == SECRET


def test_settings_repr_hides_client_secret():
    settings = load_settings(
        {"BPCC_CLIENT_ID": "harvester", "BPCC_CLIENT_SECRET": SECRET}
    )

    assert SECRET not in repr(settings)
    assert SECRET not in str(settings)
    assert "harvester" in repr(settings)


@pytest.mark.parametrize(
    ("environ", "toml_text"),
    [
        ({"BPCC_CLIENT_SECRET": SECRET, "HARVESTER_PAGE_SIZE": "abc"}, None),
        ({"BPCC_CLIENT_SECRET": SECRET, "HARVESTER_CONFIG": "absent.toml"}, None),
        ({}, f'client_secret = "{SECRET}"\npage_size = 0\n'),
        ({}, f'client_secret = "{SECRET}"\nbogus = 1\n'),
        ({}, f'client_secret = "{SECRET}'),
        ({}, f'client_secret = "{SECRET}"\n[lists."a.csv"]\nkey_fields = []\n'),
        ({}, "client_secret = 4242424242\n"),
        ({}, f'client_secret = ["{SECRET}"]\n'),
        ({}, f'client_secret = {{ value = "{SECRET}" }}\n'),
    ],
)
def test_configuration_error_bad_input_hides_secret(environ, toml_text):
    if toml_text is not None:
        write_toml(toml_text)

    with pytest.raises(ConfigurationError) as caught:
        load_settings(environ)

    assert SECRET not in str(caught.value)
    assert "4242424242" not in str(caught.value)


@pytest.mark.parametrize(
    "environ",
    [
        {"BPCC_CLIENT_SECRET": SECRET},
        {"BPCC_CLIENT_SECRET": SECRET, "BPCC_BASE_URL": "mailto:x"},
        {"BPCC_CLIENT_SECRET": SECRET, "BPCC_BASE_URL": "http://h"},
    ],
)
def test_require_tenant_error_hides_secret(environ):
    settings = load_settings(environ)

    with pytest.raises(ConfigurationError) as caught:
        settings.require_tenant()

    assert SECRET not in str(caught.value)


def test_load_settings_bad_toml_secret_names_key_not_value():
    write_toml("client_secret = 4242424242\n")

    with pytest.raises(
        ConfigurationError, match=r"^client_secret in 'harvester\.toml' is not shown"
    ):
        load_settings({})
