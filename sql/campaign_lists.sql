-- campaign_lists: which calling lists does each campaign dial now?
--
-- One row per campaign and calling list the campaign named at the latest
-- discovery; a list the campaign no longer names is left out.
--
-- campaign_name  the campaign
-- list_name      one of its calling lists
create view campaign_lists as
select
    c.name as campaign_name,
    l.name as list_name
from warehouse_tables.campaign_lists as cl
join warehouse_tables.campaigns as c
    on c.id = cl.campaign_id
join warehouse_tables.calling_lists as l
    on l.id = cl.list_id
where cast(cl.is_linked as boolean);
