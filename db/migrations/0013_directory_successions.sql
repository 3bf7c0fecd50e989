-- Directory versions: an agency merged into or renamed as another from an effective date
-- (schemas.plan.Succession). Loading a directory version records its successions here, one
-- per agency, as the version says them now; a change of the version replaces the row. From
-- the effective day the agency's open assignments move to the successor (their workflows
-- learn it through the `reroute` update, and this store's row follows); finished ones keep
-- the agency they had.
CREATE TABLE agency_successions (
    directory   text NOT NULL,
    code        text NOT NULL,
    successor   text NOT NULL,
    effective   date NOT NULL,
    basis       text CHECK (basis IS NULL OR length(basis) <= 500),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (directory, code),
    FOREIGN KEY (directory, code) REFERENCES agencies (directory, code),
    FOREIGN KEY (directory, successor) REFERENCES agencies (directory, code),
    CHECK (successor <> code)
);

-- Two communes merged into one may both have had the same duty for the same period: once
-- both are rerouted, the successor holds two assignments of it. An assignment is still given
-- once per duty, agency and period, counting the agency it was given to: a moved row keeps
-- it in `given_agency_code` (NULL: never moved, `agency_code` is the one it was given to).
ALTER TABLE assignments ADD COLUMN given_agency_code text;
ALTER TABLE assignments DROP CONSTRAINT assignments_plan_id_duty_id_agency_code_period_key;
CREATE UNIQUE INDEX assignments_given_once
    ON assignments (plan_id, duty_id, COALESCE(given_agency_code, agency_code), period);
CREATE INDEX assignments_by_duty_agency_period
    ON assignments (plan_id, duty_id, agency_code, period);
