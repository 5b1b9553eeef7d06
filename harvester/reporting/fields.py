"""The calling lists and their entry fields, read cheaply from the warehouse.

The per-list views have one column per field, so they must be rebuilt when a
list or a field appears. ``reporting_signature`` tells the daemon when: a
hash of the lists, their fields and the schema revision, read with an index
walk rather than a scan of every record.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

from harvester.warehouse.db import (
    connect_warehouse,
    current_revision,
    reraise_as_warehouse_error,
)

# A loose index scan: each step seeks the next (list_id, field_name) pair in
# the record_fields index, so the cost follows the number of distinct pairs,
# not the number of records. Row-value comparisons work on SQLite (3.15+) and
# PostgreSQL alike.
_DISTINCT_FIELDS = text(
    """
    with recursive pairs(list_id, field_name) as (
        select list_id, field_name from (
            select list_id, field_name from record_fields
            order by list_id, field_name limit 1
        ) as first_pair
        union all
        select
            (select r.list_id from record_fields as r
             where (r.list_id, r.field_name) > (p.list_id, p.field_name)
             order by r.list_id, r.field_name limit 1),
            (select r.field_name from record_fields as r
             where (r.list_id, r.field_name) > (p.list_id, p.field_name)
             order by r.list_id, r.field_name limit 1)
        from pairs as p
        where p.list_id is not null
    )
    select l.name, p.field_name
    from pairs as p
    join calling_lists as l on l.id = p.list_id
    """
)


@dataclass(frozen=True)
class ListFields:
    """Every calling list with the sorted names of its entry fields."""

    fields: dict[str, tuple[str, ...]]

    @property
    def list_names(self) -> list[str]:
        """The calling list names, sorted."""
        return sorted(self.fields)


def read_list_fields(conn: Connection) -> ListFields:
    """Reads every calling list and the distinct field names of its records."""
    found: dict[str, set[str]] = {
        name: set()
        for name in conn.execute(text("select name from calling_lists")).scalars().all()
    }
    for list_name, field_name in conn.execute(_DISTINCT_FIELDS):
        found.setdefault(list_name, set()).add(field_name)
    return ListFields({name: tuple(sorted(names)) for name, names in found.items()})


def signature_of(list_fields: ListFields, revision: str | None) -> str:
    """The hash of a schema revision and a set of lists and fields."""
    document = [revision, sorted(list_fields.fields.items())]
    encoded = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def reporting_signature(engine: Engine) -> str:
    """A hash that changes when the reporting views need to be rebuilt.

    It covers the calling lists, their entry fields and the warehouse schema
    revision, the things the views are generated from. The daemon compares
    it before and after a cycle and rebuilds the reporting file on a change.

    Raises:
        WarehouseError: the warehouse cannot be reached or read (for example,
            it was never migrated).
    """
    revision = current_revision(engine)
    with (
        connect_warehouse(engine) as conn,
        reraise_as_warehouse_error(engine, "could not be read"),
    ):
        list_fields = read_list_fields(conn)
    return signature_of(list_fields, revision)
