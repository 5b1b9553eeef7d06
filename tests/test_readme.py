"""The README and the operator docs say only what the harvester really does.

Every `harvester ...` command in a code block or inline code span must name a
real command path with real options, and every BPCC_*/HARVESTER_* variable
must be a real setting (and every setting must be documented).
"""

from __future__ import annotations

import dataclasses
import re
import shlex
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from harvester import config
from harvester.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
# The docs written with the README; others' pages are checked by their tests.
OPERATOR_DOCS = [
    ROOT / "docs" / name
    for name in (
        "operations.md",
        "configuration.md",
        "troubleshooting.md",
        "architecture.md",
    )
]
DOCUMENTS = [README, *OPERATOR_DOCS]
# Read by the package but not settings: they locate files, not behaviour.
FILE_VARIABLES = {"HARVESTER_CONFIG", "HARVESTER_MIGRATIONS_PATH", "HARVESTER_SQL_PATH"}
VARIABLE = re.compile(r"\b(?:BPCC|HARVESTER)_[A-Z0-9_]*[A-Z0-9]\b")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
INLINE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
SHELL_STOPS = {"|", "||", "&&", ";", ">", ">>", "2>&1"}


def code_blocks(text: str) -> list[tuple[str, str]]:
    """(language, body) of every fenced block."""
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(text)]


def command_lines(text: str) -> list[str]:
    """Lines of code that may call `harvester`: typed lines, not output."""
    lines = []
    for language, body in code_blocks(text):
        for line in body.splitlines():
            if language == "console":
                if line.startswith("$ "):
                    lines.append(line[2:])
            elif language in ("sh", "bash", "ini", "yaml", "text", ""):
                lines.append(line)
    prose = FENCE.sub("", text)
    lines += [
        span.replace("\\|", "|").replace("[", "").replace("]", "")
        for span in INLINE.findall(prose)
        if span.startswith("harvester ")
    ]
    return lines


def invocations(line: str) -> list[list[str]]:
    """The argument lists given to `harvester` on one line.

    A word whose last path part is `harvester` calls it, unless it is an
    option's value (`-u harvester`), a service name followed by the command
    (`exec harvester harvester status`) or the line's last word.
    """
    try:
        words = shlex.split(line, comments=True)
    except ValueError:
        words = line.split()
    found = []
    for index, word in enumerate(words):
        name = word.split("=", 1)[-1].rsplit("/", 1)[-1]
        rest = words[index + 1 :]
        previous = words[index - 1] if index else ""
        if name != "harvester" or not rest or previous.startswith("-"):
            continue
        if rest[0].rsplit("/", 1)[-1] == "harvester":
            continue
        stop = next((i for i, w in enumerate(rest) if w in SHELL_STOPS), len(rest))
        found.append(rest[:stop])
    return found


def _find_option(command: click.Command, name: str) -> click.Option | None:
    params = command.get_params(click.Context(command))
    for param in params:
        if isinstance(param, click.Option) and name in (
            *param.opts,
            *param.secondary_opts,
        ):
            return param
    return None


def resolve(args: list[str]) -> tuple[list[str], list[str]]:
    """Walks arguments through the CLI: the command path, and what is wrong."""
    command: click.Command = main
    path: list[str] = []
    problems = []
    index = 0
    while index < len(args):
        word = args[index]
        index += 1
        if word.startswith("-") and word != "-":
            option = _find_option(command, word.split("=", 1)[0])
            where = " ".join(["harvester", *path])
            if option is None:
                problems.append(f"{where} has no option {word.split('=', 1)[0]}")
            elif not (option.is_flag or option.count or "=" in word):
                index += option.nargs
            continue
        if isinstance(command, click.Group):
            sub = command.commands.get(word)
            if sub is None:
                problems.append(f"{' '.join(['harvester', *path])} has no {word!r}")
                break
            command = sub
            path.append(word)
    is_asking = {"--help", "--version"} & set(args)
    if isinstance(command, click.Group) and not is_asking and not problems:
        problems.append(f"{' '.join(['harvester', *path])} needs a subcommand")
    return path, problems


def documented_invocations() -> list[tuple[str, list[str]]]:
    """Every (document, arguments) pair of a `harvester` call in the docs."""
    return [
        (document.name, args)
        for document in DOCUMENTS
        for line in command_lines(document.read_text(encoding="utf-8"))
        for args in invocations(line)
    ]


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> set[str]:
    """Every command path of a group, such as `db upgrade`."""
    paths = set()
    for name, command in group.commands.items():
        path = (*prefix, name)
        if isinstance(command, click.Group):
            paths |= command_paths(command, path)
        else:
            paths.add(" ".join(path))
    return paths


def test_invocations_service_name_is_skipped():
    line = "docker compose exec harvester harvester status --campaign X"

    assert invocations(line) == [["status", "--campaign", "X"]]


def test_invocations_option_value_and_last_word_skipped():
    assert invocations("install -o root -g harvester /etc/harvester") == []


def test_resolve_unknown_option_is_reported():
    assert resolve(["harvest", "--onse"]) == (
        ["harvest"],
        ["harvester harvest has no option --onse"],
    )


def test_resolve_unknown_command_is_reported():
    assert resolve(["db", "migrate"])[1] == ["harvester db has no 'migrate'"]


def test_documents_call_harvester_at_all():
    assert len(documented_invocations()) > 40


@pytest.mark.parametrize(
    ("document", "args"),
    documented_invocations(),
    ids=lambda value: " ".join(value) if isinstance(value, list) else value,
)
def test_documented_command_exists(document, args):
    path, problems = resolve(args)

    assert problems == []
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output


def test_readme_names_every_command():
    readme = README.read_text(encoding="utf-8")

    missing = [
        path for path in command_paths(main) if f"harvester {path}" not in readme
    ]

    assert missing == []


def variables_in(document: Path) -> set[str]:
    """The BPCC_* and HARVESTER_* names a document mentions."""
    return set(VARIABLE.findall(document.read_text(encoding="utf-8")))


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_document_variables_are_settings(document):
    unknown = variables_in(document) - set(config._SETTINGS) - FILE_VARIABLES

    assert unknown == set()


def test_readme_documents_every_setting():
    assert set(config._SETTINGS) - variables_in(README) == set()


@pytest.mark.parametrize("variable", sorted(FILE_VARIABLES))
def test_file_variable_is_read_by_package(variable):
    sources = (ROOT / "harvester").rglob("*.py")

    assert any(variable in path.read_text(encoding="utf-8") for path in sources)


def configuration_rows() -> list[tuple[str, str, str]]:
    """(variable, TOML key, default cell) of the README's settings table."""
    rows = re.findall(
        r"^\| `((?:BPCC|HARVESTER)_\w+)` \| `(\w+)` \| ([^|]+) \|",
        README.read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    return [(variable, key, default.strip()) for variable, key, default in rows]


def test_configuration_table_lists_every_setting_once():
    variables = [variable for variable, _, _ in configuration_rows()]

    assert sorted(variables) == sorted(config._SETTINGS)


@pytest.mark.parametrize(
    ("variable", "key", "default"), configuration_rows(), ids=lambda v: v
)
def test_configuration_row_matches_settings(variable, key, default):
    expected_key, _ = config._SETTINGS[variable]
    value = {f.name: f.default for f in dataclasses.fields(config.Settings)}[key]
    if isinstance(value, bool):
        shown = str(value).lower()
    elif isinstance(value, tuple):
        shown = ",".join(value)
    else:
        shown = str(value)

    assert key == expected_key
    if default.startswith("`"):
        assert default == f"`{shown}`"
    else:
        assert shown == ""


def test_quick_start_is_make_demo_then_make_test():
    readme = README.read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]

    blocks = code_blocks(quick_start)

    assert [body.splitlines()[0] for _, body in blocks] == [
        "$ make demo",
        "$ make test",
    ]
    assert all(len(body.splitlines()) > 3 for _, body in blocks)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_document_links_exist(document):
    text = document.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text)

    missing = [t for t in targets if not (document.parent / t).exists()]

    assert missing == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_document_fences_are_closed(document):
    text = document.read_text(encoding="utf-8")

    assert len(re.findall(r"^```", text, re.MULTILINE)) % 2 == 0
