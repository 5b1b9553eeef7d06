-- harvest_status: how far has each stream of each campaign and list been read?
--
-- One row per campaign, calling list and stream.
--
-- campaign_name    the campaign
-- list_name        the calling list
-- stream           completed (getCompleted) or changed (getChanged)
-- watermark        UTC time up to which the stream is harvested
-- last_success_at  UTC time of the latest successful harvest of the stream
-- last_error       the latest error, cleared by the next success
create view harvest_status as
select
    c.name as campaign_name,
    l.name as list_name,
    w.stream,
    cast(w.watermark as timestamp) as watermark,
    cast(w.last_success_at as timestamp) as last_success_at,
    w.last_error
from warehouse_tables.watermarks as w
join warehouse_tables.campaigns as c
    on c.id = w.campaign_id
join warehouse_tables.calling_lists as l
    on l.id = w.list_id;
