-- Days the government announced after calendars were built (an extra day off, a weekend
-- made a working day). The days are national: every plan's run receives them, and a plan
-- started or a calendar extended later starts from them, so no run misses an announcement
-- made before it existed. Keyed by the announcement's request id: sent twice, kept once.
CREATE TABLE calendar_announcements (
    id           text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 200),
    days_off     date[] NOT NULL,
    working_days date[] NOT NULL,
    reason       text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    announced_by text NOT NULL,
    announced_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (cardinality(days_off) + cardinality(working_days) >= 1)
);
CREATE INDEX calendar_announcements_in_order ON calendar_announcements (announced_at, id);
