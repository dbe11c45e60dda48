-- Runs once, when the local PostgreSQL volume is first initialised (the official image runs
-- every *.sql file in /docker-entrypoint-initdb.d as the superuser, connected to POSTGRES_DB).
--
-- Two roles, as in production (Aurora):
--   storefront_migrator  owns the schema and its objects; used only by `cli.js migrate`
--                        (MIGRATION_DATABASE_URL). It can create, alter and drop tables.
--   storefront_app       the runtime role of the API (DATABASE_URL): data manipulation only
--                        (SELECT, INSERT, UPDATE, DELETE on tables; USAGE, SELECT on
--                        sequences). No DDL, no TRUNCATE, no REFERENCES/TRIGGER, not the
--                        owner of anything, so an SQL injection in the API cannot drop or
--                        alter the schema.
-- The names match infra/ (DATABASE_USERS in data-stack.ts), where the same roles exist on
-- Aurora behind RDS Proxy with IAM authentication.
--
-- Passwords are read from the container environment with psql's \getenv (PostgreSQL 15+):
-- they are never written in this file nor passed on a command line.
\set ON_ERROR_STOP on

\getenv migrator_password MIGRATOR_DB_PASSWORD
\getenv app_password APP_DB_PASSWORD

\if :{?migrator_password}
\else
  \warn 'MIGRATOR_DB_PASSWORD is not set: refusing to create roles without passwords'
  SELECT 1 / 0 AS storefront_migrator_db_password_missing;
\endif
\if :{?app_password}
\else
  \warn 'APP_DB_PASSWORD is not set: refusing to create roles without passwords'
  SELECT 1 / 0 AS storefront_app_db_password_missing;
\endif

CREATE ROLE storefront_migrator WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'migrator_password';
CREATE ROLE storefront_app WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT
  PASSWORD :'app_password'
  CONNECTION LIMIT 50;

-- Nobody connects by default; each role is granted what it needs.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()) \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO storefront_migrator', current_database()) \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO storefront_app', current_database()) \gexec

-- The application schema belongs to the owner role; nobody else may create objects in it.
ALTER SCHEMA public OWNER TO storefront_migrator;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO storefront_app;

-- Objects that already exist (none on a fresh volume, but the file stays correct if re-run
-- by hand after migrations).
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO storefront_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO storefront_app;

-- Objects the migrations will create: default privileges of the role that creates them.
ALTER DEFAULT PRIVILEGES FOR ROLE storefront_migrator IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO storefront_app;
ALTER DEFAULT PRIVILEGES FOR ROLE storefront_migrator IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO storefront_app;
-- Functions: no EXECUTE for PUBLIC by default; grant explicitly in a migration when needed.
ALTER DEFAULT PRIVILEGES FOR ROLE storefront_migrator IN SCHEMA public
  REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- A runaway query from the API is cut off rather than holding locks for ever.
ALTER ROLE storefront_app SET statement_timeout = '15s';
ALTER ROLE storefront_app SET idle_in_transaction_session_timeout = '30s';
