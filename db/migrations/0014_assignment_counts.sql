-- The dashboard's counts kept as assignment rows change, so a page over the whole province
-- reads a few thousand summary rows instead of counting every assignment when asked.
--
-- A row's label (adapters/store/listing.py LABEL_SQL, domain/progress.py) depends on the
-- moment only for an open assignment with a deadline that is not yet flagged overdue: for
-- those the summary keeps the deadline's day (Viet Nam days, from 00:00 +07), for every
-- other row no deadline at all, so rows that will never change label collapse into one
-- count. At request time the label rule runs over the summary rows with the day's start as
-- their deadline; that gives every row's own label except in the day holding the moment
-- asked and the day holding it plus the "due soon" span, which the store counts from the
-- assignments themselves (listing.py). The counts are kept per grain, each keyed by what
-- the dashboard groups and filters by:
--   plan          every plan's totals, its counts by status (the plan list, the province)
--   agency        each agency of a directory across its plans
--   plan_agency   each agency within one plan
--   plan_duty     each duty of one plan
-- A column a grain does not keep holds ''.
--
-- The statement-level triggers below write each change of the counts in the transaction
-- that changes the rows (COPY included), appended to assignment_count_changes: writers never
-- wait on each other for a shared count (a first version updated the counts in place, and
-- two workers recording events on assignments of one plan deadlocked on them). Every ~1000
-- changes, the transaction that appends them folds the changes into assignment_counts,
-- one folder at a time (an advisory lock; a writer that finds it taken leaves the fold to a
-- later one). A reader sums both tables in one statement, which sees either the changes or
-- their fold. A plan moved to another directory moves its counts; TRUNCATE empties both.

CREATE FUNCTION deadline_day(due_at timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN date_bin('1 day', due_at, timestamptz '2000-01-01 00:00:00+07');

-- The deadline's day when the row's label depends on the moment, NULL when it does not: the
-- branches of the label rule that are decided before the deadline is compared.
CREATE FUNCTION assignment_count_day(status text, overdue boolean, due_at timestamptz)
RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
    WHEN due_at IS NULL OR overdue
         OR status IN ('accepted', 'cancelled', 'waived', 'ended', 'submitted') THEN NULL
    ELSE deadline_day(due_at) END;

CREATE TABLE assignment_counts (
    grain       text NOT NULL CHECK (grain IN ('plan', 'agency', 'plan_agency', 'plan_duty')),
    directory   text NOT NULL,
    plan_id     text NOT NULL,
    agency_code text NOT NULL,
    duty_id     text NOT NULL,
    status      text NOT NULL,
    outcome     text,
    overdue     boolean NOT NULL,
    due_at      timestamptz,
    n           integer NOT NULL,
    CONSTRAINT assignment_counts_key UNIQUE NULLS NOT DISTINCT
        (grain, directory, plan_id, agency_code, duty_id, status, outcome, overdue, due_at)
);
-- Counts that fell to zero are deleted by the fold that zeroed them; one below zero would
-- be a change counted twice. (No CHECK on n: INSERT … ON CONFLICT checks the row it
-- proposes, which may be a decrease, before it finds the count to add it to.)
CREATE INDEX assignment_counts_spent ON assignment_counts (grain) WHERE n <= 0;

CREATE TABLE assignment_count_changes (
    id          bigserial PRIMARY KEY,
    grain       text NOT NULL,
    directory   text NOT NULL,
    plan_id     text NOT NULL,
    agency_code text NOT NULL,
    duty_id     text NOT NULL,
    status      text NOT NULL,
    outcome     text,
    overdue     boolean NOT NULL,
    due_at      timestamptz,
    n           integer NOT NULL
);

CREATE TYPE assignment_count_change AS (
    directory   text,
    plan_id     text,
    agency_code text,
    duty_id     text,
    status      text,
    outcome     text,
    overdue     boolean,
    due_at      timestamptz,
    n           integer
);

-- Fold the changes committed so far into the counts, unless another transaction is
-- folding: it holds the lock to its end, so counts are only ever written by one folder.
CREATE FUNCTION assignment_counts_fold() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(7738135738766115633) THEN
        RETURN;
    END IF;
    WITH moved AS (DELETE FROM assignment_count_changes RETURNING *)
    INSERT INTO assignment_counts AS c
        (grain, directory, plan_id, agency_code, duty_id, status, outcome, overdue, due_at, n)
    SELECT grain, directory, plan_id, agency_code, duty_id, status, outcome, overdue, due_at,
           sum(n)
    FROM moved
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
    HAVING sum(n) <> 0
    ON CONFLICT ON CONSTRAINT assignment_counts_key DO UPDATE SET n = c.n + EXCLUDED.n;
    IF EXISTS (SELECT 1 FROM assignment_counts WHERE n < 0) THEN
        RAISE EXCEPTION 'assignment_counts: a count fell below zero'
            USING ERRCODE = 'check_violation', TABLE = 'assignment_counts';
    END IF;
    DELETE FROM assignment_counts WHERE n = 0;
END;
$$;

-- Append these changes (one per row, n = +1 or -1) for every grain, and fold when they
-- cross a thousand.
CREATE FUNCTION assignment_counts_apply(changes assignment_count_change[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    first_id bigint;
    last_id  bigint;
BEGIN
    WITH added AS (
        INSERT INTO assignment_count_changes
            (grain, directory, plan_id, agency_code, duty_id, status, outcome, overdue,
             due_at, n)
        SELECT g.grain, x.directory, g.plan_id, g.agency_code, g.duty_id, x.status,
               x.outcome, x.overdue, assignment_count_day(x.status, x.overdue, x.due_at),
               sum(x.n)
        FROM unnest(changes) x
        CROSS JOIN LATERAL (VALUES
            ('plan', x.plan_id, '', ''),
            ('agency', '', x.agency_code, ''),
            ('plan_agency', x.plan_id, x.agency_code, ''),
            ('plan_duty', x.plan_id, '', x.duty_id)
        ) g (grain, plan_id, agency_code, duty_id)
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
        HAVING sum(x.n) <> 0
        RETURNING id
    )
    SELECT min(id), max(id) INTO first_id, last_id FROM added;
    IF last_id / 1000 > (first_id - 1) / 1000 THEN
        PERFORM assignment_counts_fold();
    END IF;
END;
$$;

CREATE FUNCTION assignment_counts_of_inserts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM assignment_counts_apply(ARRAY(
        SELECT ROW(p.directory, a.plan_id, a.agency_code, a.duty_id, a.status, a.outcome,
                   a.overdue, a.due_at, 1)::assignment_count_change
        FROM new_rows a JOIN plans p ON p.id = a.plan_id));
    RETURN NULL;
END;
$$;

CREATE FUNCTION assignment_counts_of_deletes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM assignment_counts_apply(ARRAY(
        SELECT ROW(p.directory, a.plan_id, a.agency_code, a.duty_id, a.status, a.outcome,
                   a.overdue, a.due_at, -1)::assignment_count_change
        FROM old_rows a JOIN plans p ON p.id = a.plan_id));
    RETURN NULL;
END;
$$;

-- An update counts only the rows whose counted columns changed: most updates (reminders,
-- escalation, the pending step) change none of them.
CREATE FUNCTION assignment_counts_of_updates() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM assignment_counts_apply(ARRAY(
        SELECT ROW(p.directory, r.plan_id, r.agency_code, r.duty_id, r.status, r.outcome,
                   r.overdue, r.due_at, r.n)::assignment_count_change
        FROM (
            SELECT c.*
            FROM old_rows o JOIN new_rows a ON a.id = o.id
            CROSS JOIN LATERAL (VALUES
                (o.plan_id, o.agency_code, o.duty_id, o.status, o.outcome, o.overdue, o.due_at,
                 -1),
                (a.plan_id, a.agency_code, a.duty_id, a.status, a.outcome, a.overdue, a.due_at,
                 1)
            ) c (plan_id, agency_code, duty_id, status, outcome, overdue, due_at, n)
            WHERE (o.plan_id, o.agency_code, o.duty_id, o.status, o.outcome, o.overdue,
                   assignment_count_day(o.status, o.overdue, o.due_at))
                  IS DISTINCT FROM
                  (a.plan_id, a.agency_code, a.duty_id, a.status, a.outcome, a.overdue,
                   assignment_count_day(a.status, a.overdue, a.due_at))
        ) r
        JOIN plans p ON p.id = r.plan_id));
    RETURN NULL;
END;
$$;

CREATE TRIGGER assignment_counts_insert AFTER INSERT ON assignments
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION assignment_counts_of_inserts();
CREATE TRIGGER assignment_counts_delete AFTER DELETE ON assignments
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION assignment_counts_of_deletes();
CREATE TRIGGER assignment_counts_update AFTER UPDATE ON assignments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION assignment_counts_of_updates();

CREATE FUNCTION assignment_counts_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE assignment_counts, assignment_count_changes;
    RETURN NULL;
END;
$$;
CREATE TRIGGER assignment_counts_truncate AFTER TRUNCATE ON assignments
    FOR EACH STATEMENT EXECUTE FUNCTION assignment_counts_truncate();

-- A plan loaded again under another directory (province) takes its counts along.
CREATE FUNCTION assignment_counts_of_plan_directory() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM assignment_counts_apply(ARRAY(
        SELECT ROW(d.directory, a.plan_id, a.agency_code, a.duty_id, a.status, a.outcome,
                   a.overdue, a.due_at, d.n)::assignment_count_change
        FROM assignments a
        CROSS JOIN (VALUES (OLD.directory, -1), (NEW.directory, 1)) d (directory, n)
        WHERE a.plan_id = NEW.id));
    RETURN NULL;
END;
$$;
CREATE TRIGGER assignment_counts_plan_directory AFTER UPDATE OF directory ON plans
    FOR EACH ROW WHEN (OLD.directory IS DISTINCT FROM NEW.directory)
    EXECUTE FUNCTION assignment_counts_of_plan_directory();

-- Count every row afresh (the backfill below; an operator's repair should the counts ever
-- be doubted), with writers held off until the transaction ends.
CREATE FUNCTION assignment_counts_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE assignments IN SHARE MODE;
    DELETE FROM assignment_counts;
    DELETE FROM assignment_count_changes;
    PERFORM assignment_counts_apply(ARRAY(
        SELECT ROW(p.directory, a.plan_id, a.agency_code, a.duty_id, a.status, a.outcome,
                   a.overdue, a.due_at, 1)::assignment_count_change
        FROM assignments a JOIN plans p ON p.id = a.plan_id));
    PERFORM assignment_counts_fold();
END;
$$;

-- The rows already stored.
SELECT assignment_counts_rebuild();
