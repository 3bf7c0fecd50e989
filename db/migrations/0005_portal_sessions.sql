-- The portal's sessions and API tokens, kept on the server so that signing out and an
-- administrator can revoke them. The cookie or bearer value itself is never stored: only its
-- SHA-256, so a copy of this table opens no session. An API token names the session that
-- made it (parent), and signing out of that session revokes it too.
CREATE TABLE portal_sessions (
    token_hash  text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    kind        text NOT NULL CHECK (kind IN ('session', 'api')),
    email       text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    csrf        text NOT NULL CHECK (length(csrf) BETWEEN 16 AND 64),
    parent_hash text CHECK (parent_hash IS NULL OR parent_hash ~ '^[0-9a-f]{64}$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    CHECK (expires_at > created_at),
    CHECK ((kind = 'api') = (parent_hash IS NOT NULL))
);
CREATE INDEX portal_sessions_email ON portal_sessions (lower(email)) WHERE revoked_at IS NULL;
CREATE INDEX portal_sessions_parent ON portal_sessions (parent_hash) WHERE parent_hash IS NOT NULL;
CREATE INDEX portal_sessions_expires ON portal_sessions (expires_at);

-- What the portal's rate limits count: sign-in requests per address and per client, files
-- uploaded per person. The subject is hashed (an address someone typed is not kept).
CREATE TABLE portal_rate_events (
    bucket  text NOT NULL CHECK (bucket IN ('signin_address', 'signin_client', 'upload')),
    subject text NOT NULL CHECK (subject ~ '^[0-9a-f]{64}$'),
    at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX portal_rate_events_subject ON portal_rate_events (bucket, subject, at);
