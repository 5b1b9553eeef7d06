-- campaigns: which campaigns has the API listed, and is each still enabled?
--
-- One row per campaign that campaign/getAll listed at least once.
--
-- campaign_name  the campaign's name, as the API spells it
-- state          the state the API reported last, such as RUNNING
-- enabled        false once campaign/getAll stops listing the campaign
-- first_seen_at  UTC time of the first discovery that listed it
-- last_seen_at   UTC time of the latest discovery that listed it
create view campaigns as
select
    name as campaign_name,
    state,
    cast(is_enabled as boolean) as enabled,
    cast(first_seen_at as timestamp) as first_seen_at,
    cast(last_seen_at as timestamp) as last_seen_at
from warehouse_tables.campaigns;
