-- How each person wants the notices that need no action now (reminders, overdue notices):
-- at once, or in the morning digest. A person without a row gets the default of their role
-- (domain.digest.default_delivery). An address, not a contact row: the same person may be
-- named by several agencies or plans, and the choice is theirs across all of them.
CREATE TABLE notice_preferences (
    email      text PRIMARY KEY CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    delivery   text NOT NULL CHECK (delivery IN ('immediate', 'digest')),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A delivery the worker held for the next morning digest instead of sending it (a repeat
-- past the top of the ladder, a reminder for someone who chose the digest, anything falling
-- due in quiet hours, a notice about a deadline already past when it was created). Kept in
-- the outbox under its own key, so a retried activity holds it once.
ALTER TABLE notice_outbox DROP CONSTRAINT notice_outbox_state_check;
ALTER TABLE notice_outbox ADD CONSTRAINT notice_outbox_state_check
    CHECK (state IN ('pending', 'sent', 'failed', 'held'));
CREATE INDEX notice_outbox_held ON notice_outbox (recipient, created_at) WHERE state = 'held';
CREATE INDEX notice_outbox_by_kind ON notice_outbox (kind, recipient);
