-- Documents kehoach produces, such as the consolidated report: every version kept.
CREATE TABLE documents (
    id         text PRIMARY KEY CHECK (id ~ '^\S{1,255}$'),
    plan_id    text NOT NULL REFERENCES plans (id),
    kind       text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{0,63}$'),
    markdown   text NOT NULL,
    docx       bytea NOT NULL CHECK (octet_length(docx) <= 52428800),
    sha256     text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_by_plan ON documents (plan_id, kind, created_at);
CREATE TRIGGER documents_no_update BEFORE UPDATE ON documents
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
