-- Plan drafts imported in the portal: the document's name and text, the draft plan file,
-- its directory and the review notes, while the coordinator reviews them; kept after
-- publishing, with the plan they became.
CREATE TABLE plan_drafts (
    id text PRIMARY KEY CHECK (id ~ '^[a-f0-9]{32}$'),
    created_by text NOT NULL,
    source_name text NOT NULL CHECK (length(source_name) BETWEEN 1 AND 255),
    status text NOT NULL CHECK (status IN ('reading', 'ready', 'refused', 'published')),
    step text NOT NULL DEFAULT '',
    percent integer NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
    message text,
    source_text text,
    plan jsonb,
    directory jsonb,
    notes jsonb,
    published_plan_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plan_drafts_created_at ON plan_drafts (created_at DESC);
