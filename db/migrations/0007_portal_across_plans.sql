-- The portal across plans: the assignment workflow's pending approval step is mirrored here
-- (the approvals inbox reads it instead of asking each workflow), and the lists, counts and
-- pages the portal shows over every plan are served by indexes.
ALTER TABLE assignments
    ADD COLUMN pending_step text CHECK (pending_step ~ '^[a-z][a-z_]{0,31}$');

-- Lists in deadline order, over all plans or one, for one agency or all.
CREATE INDEX assignments_by_due_id ON assignments (due_at NULLS LAST, id);
CREATE INDEX assignments_by_plan_due ON assignments (plan_id, due_at NULLS LAST, id);
CREATE INDEX assignments_by_agency_due ON assignments (agency_code, due_at NULLS LAST, id);
-- The approvals inbox: reports waiting for a decision, by step.
CREATE INDEX assignments_awaiting ON assignments (pending_step, agency_code)
    WHERE status = 'submitted';
