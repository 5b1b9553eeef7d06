-- list_records: what does each record of each calling list hold now?
--
-- One row per record of a calling list, with its latest entry.
--
-- list_name      the calling list
-- record_key     the record's key field value, or its key values joined by '|'
-- entry          the latest entry as JSON text, field names lowercase
-- first_seen_at  UTC time the harvester first stored the record
-- updated_at     UTC time the harvester last stored a changed entry
create view list_records as
select
    l.name as list_name,
    r.record_key,
    r.entry_json as entry,
    cast(r.first_seen_at as timestamp) as first_seen_at,
    cast(r.updated_at as timestamp) as updated_at
from warehouse_tables.list_records as r
join warehouse_tables.calling_lists as l
    on l.id = r.list_id;
