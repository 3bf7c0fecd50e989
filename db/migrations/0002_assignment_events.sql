-- The assignment workflow mirrors its state here for the portal and the dashboard, and
-- records each event in the audit log once, even when the activity that writes it retries.
ALTER TABLE assignments
    ADD COLUMN overdue          boolean NOT NULL DEFAULT false,
    ADD COLUMN escalation_level integer NOT NULL DEFAULT 0 CHECK (escalation_level >= 0),
    ADD COLUMN outcome          text CHECK (outcome IN ('on_time', 'late'));

ALTER TABLE audit_log ADD COLUMN idempotency_key text UNIQUE;
CREATE INDEX assignments_overdue ON assignments (plan_id, agency_code) WHERE overdue;
