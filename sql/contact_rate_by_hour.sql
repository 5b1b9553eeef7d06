-- contact_rate_by_hour: at which hours of the day do calls reach people?
--
-- One row per campaign and UTC hour of the day with at least one attempt,
-- over every day harvested.
--
-- campaign_name  the campaign
-- hour           the UTC hour of the day, 0 to 23
-- attempts       attempts made in that hour
-- connects       of those, attempts with call_duration > 0
-- contact_rate   connects / attempts, from 0 to 1
create view contact_rate_by_hour as
with by_hour as (
    select
        campaign_name,
        cast(hour(attempt_at) as integer) as hour,
        count(*) as attempts,
        count(*) filter (where call_duration > 0) as connects
    from call_attempts
    group by
        campaign_name,
        hour
)

select
    campaign_name,
    hour,
    attempts,
    connects,
    cast(connects as double) / attempts as contact_rate
from by_hour;
