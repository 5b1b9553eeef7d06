"""The Docker image and Compose file refer only to things that exist.

No Docker engine runs here, so the files are checked as data: the compose
file parses and names real files, commands and settings, and the
Dockerfile's install steps are replayed in a clean virtualenv.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import venv
from pathlib import Path
from typing import Any

import pytest
import yaml

from harvester import config
from tests.test_readme import FILE_VARIABLES, resolve

ROOT = Path(__file__).resolve().parent.parent
DOCKER = ROOT / "docker"
COMPOSE = DOCKER / "compose.yaml"
DOCKERFILE = DOCKER / "Dockerfile"
IMAGE = "bpcc-harvester:latest"


def read_compose() -> dict[str, Any]:
    """The compose file as data."""
    document = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def harvester_services() -> dict[str, dict[str, Any]]:
    """The services that run the harvester image."""
    services = read_compose()["services"]
    return {name: s for name, s in services.items() if s.get("image") == IMAGE}


def instructions() -> list[tuple[str, str]]:
    """(instruction, arguments) of the Dockerfile, continuation lines joined."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, rest = stripped.partition(" ")
            found.append((keyword.upper(), " ".join(rest.split())))
    return found


def arguments_of(keyword: str) -> list[str]:
    """The arguments of every instruction of one kind, in order."""
    return [rest for name, rest in instructions() if name == keyword]


def copies() -> list[tuple[list[str], str]]:
    """(sources, destination) of every COPY, relative to the build context."""
    found = []
    for rest in arguments_of("COPY"):
        words = [w for w in shlex.split(rest) if not w.startswith("--")]
        found.append((words[:-1], words[-1]))
    return found


def environment() -> dict[str, str]:
    """The variables the image sets with ENV."""
    values = {}
    for rest in arguments_of("ENV"):
        for word in shlex.split(rest):
            name, _, value = word.partition("=")
            values[name] = value
    return values


def test_compose_services_run_the_whole_pipeline():
    services = read_compose()["services"]

    assert set(services) == {"postgres", "migrate", "harvester", "simulator"}
    assert services["simulator"]["profiles"] == ["demo"]
    assert services["harvester"]["depends_on"]["migrate"] == {
        "condition": "service_completed_successfully"
    }
    assert services["migrate"]["depends_on"]["postgres"] == {
        "condition": "service_healthy"
    }


@pytest.mark.parametrize("service", sorted(harvester_services()))
def test_compose_build_context_and_dockerfile_exist(service):
    build = harvester_services()[service]["build"]

    context = (DOCKER / build["context"]).resolve()

    assert context == ROOT
    assert (context / build["dockerfile"]).is_file()


@pytest.mark.parametrize("service", sorted(harvester_services()))
def test_compose_command_is_a_harvester_command(service):
    command = harvester_services()[service]["command"]

    path, problems = resolve([str(word) for word in command])

    assert path
    assert problems == []


@pytest.mark.parametrize("service", sorted(harvester_services()))
def test_compose_environment_names_are_settings(service):
    names = set(harvester_services()[service].get("environment", {}))

    unknown = names - set(config._SETTINGS) - FILE_VARIABLES

    assert unknown == set()


def test_compose_warehouse_url_matches_postgres_service():
    services = read_compose()["services"]
    postgres = services["postgres"]["environment"]

    url = services["harvester"]["environment"]["HARVESTER_DATABASE_URL"]

    assert url.startswith(f"postgresql+psycopg://{postgres['POSTGRES_USER']}:"), url
    assert url.endswith(f"@postgres:5432/{postgres['POSTGRES_DB']}")


def test_compose_harvester_reaches_simulator_by_default():
    services = read_compose()["services"]
    harvester_env = services["harvester"]["environment"]
    simulator = services["simulator"]["command"]

    assert harvester_env["BPCC_BASE_URL"].endswith("http://simulator:8800}")
    assert "--port=8800" in simulator
    assert "--host=0.0.0.0" in simulator


def test_dockerfile_base_is_python_slim():
    assert re.fullmatch(r"python:3\.1[1-9]-slim", arguments_of("FROM")[0])


def test_dockerfile_runs_as_non_root_user():
    users = arguments_of("USER")

    assert users
    assert users[-1] not in ("root", "0")


def test_dockerfile_healthcheck_asks_healthz_with_python():
    healthcheck = arguments_of("HEALTHCHECK")[0]

    assert "urllib.request" in healthcheck
    assert "/healthz" in healthcheck


def test_dockerfile_holds_no_credentials():
    names = set(environment()) | {
        word.split("=", 1)[0] for rest in arguments_of("ARG") for word in rest.split()
    }

    assert not {n for n in names if re.search("SECRET|PASSWORD|TOKEN", n)}


@pytest.mark.parametrize(
    ("variable", "folder"),
    [("HARVESTER_MIGRATIONS_PATH", "migrations"), ("HARVESTER_SQL_PATH", "sql")],
)
def test_dockerfile_points_at_copied_folder(variable, folder):
    workdir = arguments_of("WORKDIR")[0]
    destinations = {str(Path(workdir) / destination) for _, destination in copies()}

    assert environment()[variable] == f"{workdir}/{folder}"
    assert f"{workdir}/{folder}" in destinations
    assert (ROOT / folder / ("env.py" if folder == "migrations" else "")).exists()


def test_dockerfile_copies_only_existing_files():
    missing = [
        source
        for sources, _ in copies()
        for source in sources
        if not (ROOT / source).exists()
    ]

    assert missing == []


def test_dockerignore_keeps_every_copied_file():
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    kept = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}

    copied = {source.rstrip("/") for sources, _ in copies() for source in sources}

    assert copied <= kept


def pip_steps() -> list[str]:
    """The RUN lines of the Dockerfile that install with pip."""
    return [rest for rest in arguments_of("RUN") if rest.startswith("pip install")]


def test_dockerfile_installs_from_the_lock_file():
    steps = pip_steps()

    assert steps
    assert all("requirements.lock" in step for step in steps)


def stage_context(target: Path) -> Path:
    """The image's working folder as the COPY steps leave it."""
    workdir = target / "app"
    workdir.mkdir()
    for sources, destination in copies():
        for source in sources:
            origin = ROOT / source
            place = workdir / destination
            if origin.is_dir():
                shutil.copytree(
                    origin, place, ignore=shutil.ignore_patterns("__pycache__")
                )
            else:
                place.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, place / origin.name)
    return workdir


@pytest.mark.slow
def test_dockerfile_install_steps_succeed_in_clean_venv(tmp_path):
    workdir = stage_context(tmp_path)
    environment_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(environment_dir)
    bin_dir = environment_dir / "bin"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)

    for step in pip_steps():
        # The image keeps no pip cache; here the cache only saves downloads.
        words = [w for w in shlex.split(step) if w != "--no-cache-dir"]
        subprocess.run(words, cwd=workdir, env=env, check=True)

    env |= {
        "HARVESTER_MIGRATIONS_PATH": str(workdir / "migrations"),
        "HARVESTER_SQL_PATH": str(workdir / "sql"),
        "HARVESTER_DATABASE_URL": f"sqlite:///{tmp_path / 'image.db'}",
        "HARVESTER_REPORTING_PATH": str(tmp_path / "image.duckdb"),
    }
    installed = run_in(bin_dir, tmp_path, env, "python", "-c", LOCATE_PACKAGE)
    upgrade = run_in(bin_dir, tmp_path, env, "harvester", "db", "upgrade")
    build = run_in(bin_dir, tmp_path, env, "harvester", "reporting", "build")

    assert Path(installed.stdout.strip()).is_relative_to(environment_dir)
    assert upgrade.stdout.startswith("warehouse is at revision")
    assert build.stdout.startswith("built ")


LOCATE_PACKAGE = "import harvester; print(harvester.__file__)"


def run_in(
    bin_dir: Path, cwd: Path, env: dict[str, str], program: str, *args: str
) -> subprocess.CompletedProcess[str]:
    """Runs a program of the virtualenv, failing the test on a non-zero exit."""
    done = subprocess.run(
        [str(bin_dir / program), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done
