-- call_attempts: every call attempt the campaigns made, one row each.
--
-- global_interaction_id  the API's interaction id, unique when present
-- campaign_name          the campaign that dialed
-- list_name              the calling list of the record
-- record_key             the record
-- attempt_at             UTC time of the attempt
-- phone                  the number dialed
-- agent                  the agent who took the call, if any
-- disposition            the attempt's disposition
-- disposition_code       its code
-- call_attempted         whether a call was placed
-- call_duration          talk seconds
-- dialing_duration       dialing seconds
-- cpa_duration           call progress analysis seconds
-- call_notes             the agent's notes
-- harvested_at           UTC time the harvester first stored the attempt
create view call_attempts as
select
    a.global_interaction_id,
    c.name as campaign_name,
    l.name as list_name,
    a.record_key,
    cast(a.attempt_at as timestamp) as attempt_at,
    a.phone,
    a.agent,
    a.disposition,
    a.disposition_code,
    cast(a.call_attempted as boolean) as call_attempted,
    cast(a.call_duration as integer) as call_duration,
    cast(a.dialing_duration as integer) as dialing_duration,
    cast(a.cpa_duration as integer) as cpa_duration,
    a.call_notes,
    cast(a.harvested_at as timestamp) as harvested_at
from warehouse_tables.call_attempts as a
join warehouse_tables.campaigns as c
    on c.id = a.campaign_id
join warehouse_tables.calling_lists as l
    on l.id = a.list_id;
