-- disposition_mix: how do the call attempts of each campaign end?
--
-- One row per campaign and attempt disposition.
--
-- campaign_name     the campaign
-- disposition       the attempt disposition ('' when the API gave none)
-- disposition_code  the most frequent code reported with that disposition
-- attempts          attempts that ended with the disposition
-- share             attempts / all attempts of the campaign, from 0 to 1
create view disposition_mix as
with counted as (
    select
        campaign_name,
        coalesce(disposition, '') as disposition,
        mode(disposition_code) as disposition_code,
        count(*) as attempts
    from call_attempts
    group by
        campaign_name,
        coalesce(disposition, '')
)

select
    campaign_name,
    disposition,
    disposition_code,
    attempts,
    cast(attempts as double)
        / sum(attempts) over (partition by campaign_name) as share
from counted;
