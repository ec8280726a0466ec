-- Run once per audit database by the database administrator (a superuser), before the first
-- migration, e.g.
--   psql -U postgres -d slipway_audit -v ON_ERROR_STOP=1 -f bootstrap.sql
--   psql -U postgres -d slipway_audit -c "ALTER ROLE slipway_audit_migrator PASSWORD '...'"
--   psql -U postgres -d slipway_audit -c "ALTER ROLE slipway_audit_app PASSWORD '...'"
-- Running it again is harmless: it creates what is missing and replaces the guard.
--
-- Roles:
--   slipway_audit_owner     NOLOGIN: owns the audit tables; nobody can connect as it.
--   slipway_audit_migrator  LOGIN, member of the owner: the migration job connects as it and
--                           does SET ROLE slipway_audit_owner. Its password never reaches the
--                           running service.
--   slipway_audit_app       LOGIN: the running service; the migrations grant it SELECT and
--                           INSERT, nothing else. The service refuses to start if it can do more.
-- The guard: event triggers that refuse DDL on the audit tables once they hold a row (and any
-- DROP of them, and any change to the functions their triggers run), for every role; only a
-- superuser can switch them off (ALTER EVENT TRIGGER ... DISABLE), which PostgreSQL logs.

DO
$roles$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'slipway_audit_owner') THEN
        CREATE ROLE slipway_audit_owner NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'slipway_audit_migrator') THEN
        CREATE ROLE slipway_audit_migrator LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'slipway_audit_app') THEN
        CREATE ROLE slipway_audit_app LOGIN;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO slipway_audit_migrator, slipway_audit_app',
                   current_database());
END
$roles$;

ALTER ROLE slipway_audit_owner NOLOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB;
ALTER ROLE slipway_audit_migrator NOSUPERUSER NOCREATEROLE NOCREATEDB;
ALTER ROLE slipway_audit_app NOSUPERUSER NOCREATEROLE NOCREATEDB NOBYPASSRLS;
GRANT slipway_audit_owner TO slipway_audit_migrator;
GRANT USAGE, CREATE ON SCHEMA public TO slipway_audit_owner;
GRANT USAGE ON SCHEMA public TO slipway_audit_app;

-- The guard lives in a schema only the administrator owns, so the owner role cannot replace it.
CREATE SCHEMA IF NOT EXISTS audit_guard;
REVOKE ALL ON SCHEMA audit_guard FROM PUBLIC;

-- Whether a table is an audit table: one with a trigger that runs public.audit_reject_change().
-- Found by OID, so renaming the table does not hide it.
CREATE OR REPLACE FUNCTION audit_guard.is_store(rel OID)
    RETURNS BOOLEAN
    LANGUAGE sql STABLE
    SET search_path = pg_catalog AS
$$
    SELECT EXISTS (SELECT FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
                    WHERE t.tgrelid = rel AND p.proname = 'audit_reject_change'
                      AND p.pronamespace = 'public'::regnamespace)
$$;

CREATE OR REPLACE FUNCTION audit_guard.refuse_store_ddl() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog AS
$$
DECLARE
    command RECORD;
    rel OID;
    has_rows BOOLEAN;
BEGIN
    FOR command IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
        -- A function an audit table's trigger runs may never change once that trigger exists.
        IF command.classid = 'pg_proc'::regclass AND EXISTS (
               SELECT FROM pg_trigger t
                WHERE t.tgfoid = command.objid AND audit_guard.is_store(t.tgrelid)) THEN
            RAISE EXCEPTION 'audit store guard: % of % is refused: an audit table''s trigger runs it',
                command.command_tag, command.object_identity
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        rel := CASE command.classid
                   WHEN 'pg_class'::regclass THEN
                       (SELECT c.oid FROM pg_class c WHERE c.oid = command.objid AND c.relkind = 'r')
                   WHEN 'pg_trigger'::regclass THEN
                       (SELECT t.tgrelid FROM pg_trigger t WHERE t.oid = command.objid)
                   WHEN 'pg_rewrite'::regclass THEN
                       (SELECT r.ev_class FROM pg_rewrite r WHERE r.oid = command.objid)
                   WHEN 'pg_policy'::regclass THEN
                       (SELECT p.polrelid FROM pg_policy p WHERE p.oid = command.objid)
               END;
        IF rel IS NOT NULL AND audit_guard.is_store(rel) THEN
            EXECUTE format('SELECT EXISTS (SELECT FROM %s)', rel::regclass) INTO has_rows;
            IF has_rows THEN
                RAISE EXCEPTION 'audit store guard: % on % is refused: the table holds history',
                    command.command_tag, command.object_identity
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
        END IF;
    END LOOP;
END
$$;

-- Dropped objects are gone from the catalogs when sql_drop fires, so drops are matched by name:
-- the audit tables cannot be renamed while they hold history.
CREATE OR REPLACE FUNCTION audit_guard.store_object(object_type TEXT, identity TEXT)
    RETURNS BOOLEAN
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog AS
$$
    SELECT EXISTS (
        SELECT FROM unnest(ARRAY['public.audit_events', 'public.audit_tree_nodes',
                                 'public.audit_tree_tiles', 'public.audit_checkpoints']) AS t
         WHERE (object_type = 'table' AND identity = t)
            OR (object_type IN ('trigger', 'rule', 'policy') AND identity LIKE '% on ' || t))
        OR (object_type = 'function' AND identity = 'public.audit_reject_change()')
$$;

CREATE OR REPLACE FUNCTION audit_guard.refuse_store_drop() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog AS
$$
DECLARE
    dropped RECORD;
BEGIN
    FOR dropped IN SELECT * FROM pg_event_trigger_dropped_objects() LOOP
        IF audit_guard.store_object(dropped.object_type, dropped.object_identity) THEN
            RAISE EXCEPTION 'audit store guard: dropping % % is refused',
                dropped.object_type, dropped.object_identity
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END LOOP;
END
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA audit_guard FROM PUBLIC;

DROP EVENT TRIGGER IF EXISTS audit_store_ddl_guard;
DROP EVENT TRIGGER IF EXISTS audit_store_drop_guard;
CREATE EVENT TRIGGER audit_store_ddl_guard ON ddl_command_end
    EXECUTE FUNCTION audit_guard.refuse_store_ddl();
CREATE EVENT TRIGGER audit_store_drop_guard ON sql_drop
    EXECUTE FUNCTION audit_guard.refuse_store_drop();
-- Fire under session_replication_role = replica too.
ALTER EVENT TRIGGER audit_store_ddl_guard ENABLE ALWAYS;
ALTER EVENT TRIGGER audit_store_drop_guard ENABLE ALWAYS;
