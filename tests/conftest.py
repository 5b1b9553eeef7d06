"""Fixtures shared by every test module."""

from __future__ import annotations

import os

import pytest

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.simulator",
]


@pytest.fixture(autouse=True)
def clean_environ(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Clears every BPCC_* and HARVESTER_* variable, and runs in an empty folder.

    A developer's own configuration must not change what a test sees, and no
    test may write files into the working tree.
    """
    for name in list(os.environ):
        if name.startswith(("BPCC_", "HARVESTER_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
