"""Quoting of names in DuckDB SQL, and the names of the per-list views.

Every name that comes from the tenant (lists, fields) reaches DuckDB through
these functions, so that a field named ``x"; drop table y; --`` is a column
and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A run of characters other than a-z and 0-9, after lowercasing.
_NOT_NAME = re.compile(r"[^a-z0-9]+")

LIST_VIEW_PREFIX = "list_"


def quote_identifier(name: str) -> str:
    """The name as a DuckDB identifier: in double quotes, quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """The text as a DuckDB string literal: in single quotes, quotes doubled."""
    return "'" + text.replace("'", "''") + "'"


def list_view_stem(list_name: str) -> str:
    """The view name of a list before any clash is resolved.

    The list name is lowercased and every run of characters other than
    ``a-z`` and ``0-9`` becomes one ``_``, as the interface defines it.
    """
    return LIST_VIEW_PREFIX + _NOT_NAME.sub("_", list_name.lower())


def assign_list_views(
    list_names: Iterable[str], taken: Iterable[str]
) -> dict[str, str]:
    """The view name of every list, unique among themselves and ``taken``.

    Lists are visited in sorted order; the first list to claim a name keeps
    it and the next ones get ``_2``, ``_3`` and so on, so the same lists
    always get the same names whatever order the warehouse returns them in.

    Args:
        list_names: the calling list names.
        taken: view names already used (compared case-insensitively, as
            DuckDB compares identifiers).
    """
    used = {name.lower() for name in taken}
    views: dict[str, str] = {}
    for list_name in sorted(set(list_names)):
        view = unique_name(list_view_stem(list_name), used)
        used.add(view)
        views[list_name] = view
    return views


def unique_name(stem: str, used: set[str]) -> str:
    """``stem``, or ``stem_2``, ``stem_3``... whichever ``used`` lacks first."""
    candidate = stem
    suffix = 2
    while candidate.lower() in used:
        candidate = f"{stem}_{suffix}"
        suffix += 1
    return candidate
