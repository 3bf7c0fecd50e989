-- Agencies belong to their province's directory: plans of two provinces name the same codes
-- (UBND_TINH, SKHCN, STC …) for different agencies with different mailboxes. An agency and
-- its contacts are keyed by (directory, code); a plan records its directory (the province
-- of its place, schemas.plan.NormalizedPlan.directory) and every code of the plan, its
-- assignments and notices is resolved in that directory.
--
-- Existing rows: a deployment so far ran the plans of one province, so its agencies and
-- contacts take the directory of its plans. Should a store hold plans of several provinces
-- already, each directory gets a copy of the rows as they stand, and loading each plan
-- again puts back its own province's names and mailboxes. Rows of a store without plans
-- are dropped: the first plan loaded writes them again.

ALTER TABLE plans ADD COLUMN directory text
    CHECK (length(directory) BETWEEN 1 AND 200);
UPDATE plans SET directory = document -> 'plan' ->> 'place';
ALTER TABLE plans ALTER COLUMN directory SET NOT NULL;

ALTER TABLE contacts DROP CONSTRAINT contacts_agency_code_fkey;
ALTER TABLE plans DROP CONSTRAINT plans_issuer_fkey;
ALTER TABLE plans DROP CONSTRAINT plans_coordinator_fkey;
-- An assignment's agency must be in its plan's directory: a key across two tables, so a
-- trigger checks it in place of the foreign key (raising what a foreign key would).
-- Agencies are upserted, never deleted, so the check on assignments' writes is enough.
ALTER TABLE assignments DROP CONSTRAINT assignments_agency_code_fkey;
CREATE FUNCTION assignment_agency_in_plan_directory() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM plans p WHERE p.id = NEW.plan_id)
       AND NOT EXISTS (SELECT 1 FROM plans p JOIN agencies g ON g.directory = p.directory
                       WHERE p.id = NEW.plan_id AND g.code = NEW.agency_code) THEN
        RAISE EXCEPTION 'insert or update on table "assignments" violates the agency check'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'assignments',
                  DETAIL = format('Key (agency_code)=(%s) is not present in the directory of plan %s.',
                                  NEW.agency_code, NEW.plan_id);
    END IF;
    RETURN NEW;
END;
$$;
ALTER TABLE contacts DROP CONSTRAINT contacts_pkey;
ALTER TABLE agencies DROP CONSTRAINT agencies_pkey;

ALTER TABLE agencies ADD COLUMN directory text;
ALTER TABLE contacts ADD COLUMN directory text;

INSERT INTO agencies (directory, code, name, short_name, kind, webhook_url, report_endpoint,
                      updated_at)
SELECT d.directory, a.code, a.name, a.short_name, a.kind, a.webhook_url, a.report_endpoint,
       a.updated_at
FROM agencies a CROSS JOIN (SELECT DISTINCT directory FROM plans) d
WHERE a.directory IS NULL;
DELETE FROM agencies WHERE directory IS NULL;

INSERT INTO contacts (directory, agency_code, role, name, title, email, phone, placeholder,
                      updated_at)
SELECT d.directory, c.agency_code, c.role, c.name, c.title, c.email, c.phone, c.placeholder,
       c.updated_at
FROM contacts c CROSS JOIN (SELECT DISTINCT directory FROM plans) d
WHERE c.directory IS NULL;
DELETE FROM contacts WHERE directory IS NULL;

ALTER TABLE agencies ALTER COLUMN directory SET NOT NULL;
ALTER TABLE agencies ADD CONSTRAINT agencies_directory_check
    CHECK (length(directory) BETWEEN 1 AND 200);
ALTER TABLE agencies ADD PRIMARY KEY (directory, code);
ALTER TABLE contacts ALTER COLUMN directory SET NOT NULL;
ALTER TABLE contacts ADD PRIMARY KEY (directory, agency_code, role);
ALTER TABLE contacts ADD FOREIGN KEY (directory, agency_code)
    REFERENCES agencies (directory, code) ON DELETE CASCADE;
ALTER TABLE plans ADD FOREIGN KEY (directory, issuer) REFERENCES agencies (directory, code);
ALTER TABLE plans ADD FOREIGN KEY (directory, coordinator) REFERENCES agencies (directory, code);
CREATE TRIGGER assignments_agency_in_plan_directory
    BEFORE INSERT OR UPDATE OF plan_id, agency_code ON assignments
    FOR EACH ROW EXECUTE FUNCTION assignment_agency_in_plan_directory();
