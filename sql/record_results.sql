-- record_results: where does each record stand in each campaign that dialed it?
--
-- One row per campaign and record with at least one call attempt or a
-- completion, as the API last reported it.
--
-- campaign_name            the campaign
-- list_name                the calling list of the record
-- record_key               the record
-- completed                whether the campaign is done with the record
-- completed_at             UTC time the record was completed, if it was
-- record_disposition       the disposition of the record as a whole
-- record_disposition_code  its code
-- total_attempts           call attempts the API counted for the record
-- last_attempt_at          UTC time of the latest attempt
-- last_disposition         disposition of the latest attempt
-- last_agent               agent of the latest attempt
-- last_phone               phone number of the latest attempt
-- last_call_duration       talk seconds of the latest attempt
-- updated_at               UTC time the harvester last changed the row
create view record_results as
select
    c.name as campaign_name,
    l.name as list_name,
    r.record_key,
    cast(r.is_completed as boolean) as completed,
    cast(r.completed_at as timestamp) as completed_at,
    r.record_disposition,
    r.record_disposition_code,
    cast(r.total_attempts as integer) as total_attempts,
    cast(r.last_attempt_at as timestamp) as last_attempt_at,
    r.last_disposition,
    r.last_agent,
    r.last_phone,
    cast(r.last_call_duration as integer) as last_call_duration,
    cast(r.updated_at as timestamp) as updated_at
from warehouse_tables.record_results as r
join warehouse_tables.campaigns as c
    on c.id = r.campaign_id
join warehouse_tables.calling_lists as l
    on l.id = r.list_id;
