-- campaign_daily: how much did each campaign dial and complete each day?
--
-- One row per campaign and UTC day with an attempt or a completion.
--
-- campaign_name      the campaign
-- day                the UTC date
-- attempts           call attempts made that day
-- records_attempted  distinct records with an attempt that day
-- completions        records completed that day
-- connects           attempts with call_duration > 0
-- talk_seconds       call_duration summed over the day's attempts
create view campaign_daily as
with attempts_by_day as (
    select
        campaign_name,
        cast(attempt_at as date) as day,
        count(*) as attempts,
        count(distinct (list_name, record_key)) as records_attempted,
        count(*) filter (where call_duration > 0) as connects,
        cast(coalesce(sum(call_duration), 0) as bigint) as talk_seconds
    from call_attempts
    group by
        campaign_name,
        day
),

completions_by_day as (
    select
        campaign_name,
        cast(completed_at as date) as day,
        count(*) as completions
    from record_results
    where completed
        and completed_at is not null
    group by
        campaign_name,
        day
)

select
    campaign_name,
    day,
    coalesce(a.attempts, 0) as attempts,
    coalesce(a.records_attempted, 0) as records_attempted,
    coalesce(c.completions, 0) as completions,
    coalesce(a.connects, 0) as connects,
    coalesce(a.talk_seconds, 0) as talk_seconds
from attempts_by_day as a
full outer join completions_by_day as c
    using (campaign_name, day);
