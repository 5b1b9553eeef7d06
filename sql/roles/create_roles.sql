-- create_roles: least-privilege roles of a PostgreSQL warehouse.
--
-- harvester_writer  the harvester's login: owns the warehouse tables (it
--                   creates them with `harvester db upgrade`), reads and
--                   writes them, and can do nothing else in the cluster
-- harvester_reader  for BI tools and the reporting views: connect and
--                   select, nothing else
--
-- Run it once per warehouse database, as a superuser, with psql:
--
--     psql -v ON_ERROR_STOP=1 -d harvester -f sql/roles/create_roles.sql
--
-- Optional variables: -v schema=NAME (default public), -v writer=NAME
-- (default harvester_writer), -v reader=NAME (default harvester_reader).
-- Running it again changes nothing. It sets no password: set them with
-- psql's \password, and use the writer in HARVESTER_DATABASE_URL. Tables
-- already in the schema are handed to the writer, so that it can migrate
-- them. PUBLIC loses every right on the database and the schema: grant a BI
-- user the reader role (grant harvester_reader to alice) to let it in.

\if :{?schema}
\else
    \set schema public
\endif
\if :{?writer}
\else
    \set writer harvester_writer
\endif
\if :{?reader}
\else
    \set reader harvester_reader
\endif

begin;

select format('create role %I login', :'writer')
where not exists (select from pg_roles where rolname = :'writer')
\gexec

select format('create role %I login', :'reader')
where not exists (select from pg_roles where rolname = :'reader')
\gexec

-- The database: only the two roles (and its owner) connect.
select format('revoke all on database %I from public', current_database())
\gexec

select format('grant connect on database %I to %I', current_database(), :'writer')
\gexec

select format('grant connect on database %I to %I', current_database(), :'reader')
\gexec

-- The schema: the writer creates in it, the reader only looks.
revoke all on schema :"schema" from public;
grant usage, create on schema :"schema" to :"writer";
grant usage on schema :"schema" to :"reader";

-- Tables already there (a warehouse migrated by another role) become the
-- writer's, sequences of their identity columns with them.
select format('alter table %I.%I owner to %I', schemaname, tablename, :'writer')
from pg_tables
where schemaname = :'schema'
\gexec

grant select, insert, update, delete on all tables in schema :"schema" to :"writer";
grant usage, select, update on all sequences in schema :"schema" to :"writer";
grant select on all tables in schema :"schema" to :"reader";

-- Tables the writer creates later are readable by the reader at once.
alter default privileges for role :"writer" in schema :"schema"
    grant select on tables to :"reader";

commit;
