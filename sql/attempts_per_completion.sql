-- attempts_per_completion: how many attempts does a campaign need per completed record?
--
-- One row per campaign with at least one completed record. The attempts of a
-- record are its rows in call_attempts for that campaign.
--
-- campaign_name    the campaign
-- completions      completed records
-- attempts         attempts made to the completed records
-- avg_attempts     attempts / completions
-- median_attempts  median attempts of a completed record
-- max_attempts     most attempts any completed record took
create view attempts_per_completion as
with completed_records as (
    select
        campaign_name,
        list_name,
        record_key
    from record_results
    where completed
),

attempts_per_record as (
    select
        campaign_name,
        list_name,
        record_key,
        count(*) as attempts
    from call_attempts
    group by
        campaign_name,
        list_name,
        record_key
),

needed as (
    select
        r.campaign_name,
        coalesce(a.attempts, 0) as attempts
    from completed_records as r
    left join attempts_per_record as a
        on a.campaign_name = r.campaign_name
        and a.list_name = r.list_name
        and a.record_key = r.record_key
)

select
    campaign_name,
    count(*) as completions,
    cast(sum(attempts) as bigint) as attempts,
    avg(attempts) as avg_attempts,
    cast(median(attempts) as double) as median_attempts,
    max(attempts) as max_attempts
from needed
group by campaign_name;
