-- agent_daily: how busy was each agent each day?
--
-- One row per agent and UTC day, over the attempts that reached an agent
-- (attempts with no agent, such as unanswered calls, are left out).
--
-- agent          the agent
-- day            the UTC date
-- attempts       attempts the agent handled
-- connects       of those, attempts with call_duration > 0
-- talk_seconds   call_duration summed over the agent's attempts
-- campaigns      distinct campaigns the agent worked for that day
-- records        distinct records the agent handled that day
create view agent_daily as
select
    agent,
    cast(attempt_at as date) as day,
    count(*) as attempts,
    count(*) filter (where call_duration > 0) as connects,
    cast(coalesce(sum(call_duration), 0) as bigint) as talk_seconds,
    count(distinct campaign_name) as campaigns,
    count(distinct (campaign_name, list_name, record_key)) as records
from call_attempts
where coalesce(agent, '') <> ''
group by
    agent,
    day;
