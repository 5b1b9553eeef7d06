-- campaign_kpis: how is each campaign doing overall? (what `harvester report` shows)
--
-- One row per campaign the API listed at least once.
--
-- campaign_name      the campaign
-- enabled            whether campaign/getAll lists it now
-- attempts           call attempts harvested
-- records_attempted  distinct records with at least one attempt
-- completions        records the campaign completed
-- completion_rate    completions / records_attempted (null with no attempts)
-- connects           attempts with call_duration > 0
-- contact_rate       connects / attempts (null with no attempts)
-- talk_seconds       call_duration summed over every attempt
-- last_attempt_at    UTC time of the latest attempt
-- last_harvest_at    UTC time of the latest successful harvest of any stream
-- oldest_watermark   UTC watermark of the stream furthest behind
create view campaign_kpis as
with activity as (
    select
        campaign_name,
        count(*) as attempts,
        count(distinct (list_name, record_key)) as records_attempted,
        count(*) filter (where call_duration > 0) as connects,
        cast(coalesce(sum(call_duration), 0) as bigint) as talk_seconds,
        max(attempt_at) as last_attempt_at
    from call_attempts
    group by campaign_name
),

completion as (
    select
        campaign_name,
        count(*) as completions
    from record_results
    where completed
    group by campaign_name
),

harvest as (
    select
        campaign_name,
        max(last_success_at) as last_harvest_at,
        min(watermark) as oldest_watermark
    from harvest_status
    group by campaign_name
)

select
    c.campaign_name,
    c.enabled,
    coalesce(a.attempts, 0) as attempts,
    coalesce(a.records_attempted, 0) as records_attempted,
    coalesce(p.completions, 0) as completions,
    cast(coalesce(p.completions, 0) as double)
        / nullif(a.records_attempted, 0) as completion_rate,
    coalesce(a.connects, 0) as connects,
    cast(a.connects as double) / nullif(a.attempts, 0) as contact_rate,
    coalesce(a.talk_seconds, 0) as talk_seconds,
    a.last_attempt_at,
    h.last_harvest_at,
    h.oldest_watermark
from campaigns as c
left join activity as a
    on a.campaign_name = c.campaign_name
left join completion as p
    on p.campaign_name = c.campaign_name
left join harvest as h
    on h.campaign_name = c.campaign_name;
