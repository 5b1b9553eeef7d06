-- record_fields: what is the value of each field of each record?
--
-- The latest entries flattened: one row per record and entry field.
--
-- list_name    the calling list
-- record_key   the record
-- field_name   the entry field, lowercase
-- field_value  its value as text (true/false for booleans), null for null
create view record_fields as
select
    l.name as list_name,
    f.record_key,
    f.field_name,
    f.field_value
from warehouse_tables.record_fields as f
join warehouse_tables.calling_lists as l
    on l.id = f.list_id;
