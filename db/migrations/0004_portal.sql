-- The portal's single-use links: a sign-in link or an action link from a notice works once.
-- The nonce is what the signed link carries; the row is written when the link is used.
CREATE TABLE action_links_used (
    nonce   text PRIMARY KEY CHECK (nonce ~ '^[A-Za-z0-9_-]{8,64}$'),
    purpose text NOT NULL CHECK (purpose IN ('signin', 'action')),
    email   text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    used_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX action_links_used_at ON action_links_used (used_at);
