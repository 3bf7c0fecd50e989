-- kehoach's store: the plan as loaded, the agency directory, one row per assignment
-- (mirroring its Temporal workflow), every submitted version, every decision, the notice
-- outbox that makes sending idempotent, and an append-only audit log.
--
-- Applied by kehoach/store/migrate.py in one transaction. Once applied, never edit this
-- file: the runner refuses a changed checksum. Add 0002_*.sql instead.

-- Rows that must never change once written (audit log, submitted reports, decisions).
CREATE FUNCTION forbid_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % is not allowed: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'P0001', HINT = 'Append a new row instead.';
END;
$$;

-- The agency directory is plan-independent: a plan names agencies, the directory holds them.
CREATE TABLE agencies (
    code            text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{1,39}$'),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    short_name      text,
    kind            text NOT NULL CHECK (kind IN (
                        'ubnd_tinh', 'van_phong_ubnd', 'so', 'co_quan_chuyen_mon',
                        'ban_quan_ly', 'ubnd_huyen', 'mat_tran_doan_the', 'co_quan_dang',
                        'luc_luong_vu_trang', 'co_quan_bao_chi', 'co_quan_trung_uong')),
    webhook_url     text CHECK (webhook_url ~ '^https?://'),
    report_endpoint text CHECK (report_endpoint ~ '^https?://'),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- III.14 of the plan: each agency names one leader and one focal official.
CREATE TABLE contacts (
    agency_code text NOT NULL REFERENCES agencies (code) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('leader', 'focal')),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    email       text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND length(email) <= 254),
    phone       text,
    placeholder boolean NOT NULL DEFAULT false,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_code, role)
);

CREATE TABLE plans (
    id          text PRIMARY KEY CHECK (id ~ '^\d+/[A-ZĐ-]+(-[A-ZĐ]+)*$'),
    title       text NOT NULL,
    issuer      text NOT NULL REFERENCES agencies (code),
    issued_on   date NOT NULL,
    year        integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    coordinator text NOT NULL REFERENCES agencies (code),
    document    jsonb NOT NULL CHECK (jsonb_typeof(document) = 'object'),
    loaded_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE duties (
    plan_id     text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    duty_id     text NOT NULL CHECK (duty_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    clause      text NOT NULL CHECK (clause ~ '^(II|III|IV|KL)(\.[0-9a-zđ]+)*$'),
    section     text NOT NULL CHECK (section IN ('II', 'III', 'IV', 'KL')),
    heading     text,
    text        text NOT NULL CHECK (length(text) >= 1),
    mode        text NOT NULL CHECK (mode IN ('assigned', 'requested')),
    deliverable text NOT NULL CHECK (deliverable IN (
                    'report', 'plan', 'contact_list', 'publication', 'budget', 'activity')),
    deadline    jsonb NOT NULL CHECK (deadline ? 'kind'),
    PRIMARY KEY (plan_id, duty_id)
);

-- One row per assignment workflow; the workflow is the source of truth for `status`, this
-- row mirrors it for the portal and reports. The vocabulary of `status` belongs to the
-- workflows, so only its shape is checked here.
CREATE TABLE assignments (
    id              text PRIMARY KEY CHECK (id ~ '^\S{1,255}$'),
    plan_id         text NOT NULL,
    duty_id         text NOT NULL,
    agency_code     text NOT NULL REFERENCES agencies (code),
    period          text NOT NULL CHECK (period ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$'),
    due_at          timestamptz,
    original_due_at timestamptz,
    status          text NOT NULL CHECK (status ~ '^[a-z][a-z0-9_]{0,31}$'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (plan_id, duty_id) REFERENCES duties (plan_id, duty_id),
    UNIQUE (plan_id, duty_id, agency_code, period)
);
CREATE INDEX assignments_by_agency_status ON assignments (agency_code, status);
CREATE INDEX assignments_by_plan_status ON assignments (plan_id, status);
CREATE INDEX assignments_by_due ON assignments (due_at) WHERE due_at IS NOT NULL;

-- Attachment contents, addressed by their SHA-256: the same file attached twice is stored once.
CREATE TABLE attachments (
    sha256       text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content      bytea NOT NULL,
    content_type text NOT NULL CHECK (length(content_type) BETWEEN 1 AND 255),
    size         bigint NOT NULL CHECK (size = octet_length(content) AND size <= 20971520),
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Every submitted version of a report is kept; a new version is a new row.
CREATE TABLE submissions (
    id              bigserial PRIMARY KEY,
    assignment_id   text NOT NULL REFERENCES assignments (id),
    version         integer NOT NULL CHECK (version >= 1),
    submitted_by    text NOT NULL CHECK (length(submitted_by) BETWEEN 1 AND 254),
    body            text NOT NULL CHECK (octet_length(body) <= 400000),
    attachments     jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(attachments) = 'array'),
    idempotency_key text UNIQUE,
    submitted_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (assignment_id, version)
);
CREATE TRIGGER submissions_append_only BEFORE UPDATE ON submissions
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- One decision per approval step per submitted version; a returned report needs a reason.
CREATE TABLE decisions (
    id                 bigserial PRIMARY KEY,
    assignment_id      text NOT NULL,
    submission_version integer NOT NULL,
    step               text NOT NULL CHECK (step ~ '^[a-z][a-z0-9_]{0,31}$'),
    decision           text NOT NULL CHECK (decision IN ('approved', 'returned', 'accepted')),
    actor              text NOT NULL CHECK (length(actor) BETWEEN 1 AND 254),
    reason             text CHECK (reason IS NULL OR length(reason) <= 4000),
    decided_at         timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (assignment_id, submission_version)
        REFERENCES submissions (assignment_id, version),
    UNIQUE (assignment_id, submission_version, step),
    CHECK (decision <> 'returned' OR (reason IS NOT NULL AND length(reason) >= 1))
);
CREATE TRIGGER decisions_append_only BEFORE UPDATE ON decisions
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- A notice is claimed here under its idempotency key before it is sent, so an activity that
-- runs twice finds the row already 'sent' and does not send again.
CREATE TABLE notice_outbox (
    id              bigserial PRIMARY KEY,
    idempotency_key text NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 512),
    assignment_id   text REFERENCES assignments (id),
    kind            text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{0,31}$'),
    channel         text NOT NULL CHECK (channel IN ('email', 'webhook')),
    recipient       text NOT NULL CHECK (length(recipient) BETWEEN 1 AND 2048),
    subject         text,
    body            text NOT NULL CHECK (octet_length(body) <= 400000),
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    CHECK ((state = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX notice_outbox_by_state ON notice_outbox (state, created_at);
CREATE INDEX notice_outbox_by_assignment ON notice_outbox (assignment_id)
    WHERE assignment_id IS NOT NULL;

-- Who did what, to what, from where. Append-only: the triggers refuse UPDATE, DELETE and
-- TRUNCATE. (A superuser or the table owner can still disable triggers; production should
-- run the application under a role that does not own this table.)
CREATE TABLE audit_log (
    id      bigserial PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT now(),
    actor   text NOT NULL CHECK (length(actor) BETWEEN 1 AND 254),
    action  text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_.:-]{0,63}$'),
    subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 512),
    detail  jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(detail) = 'object'),
    source  text NOT NULL CHECK (length(source) BETWEEN 1 AND 255)
);
CREATE INDEX audit_log_by_subject ON audit_log (subject, id);
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();
