-- The duty as each assignment was given it (an ad-hoc request's subject lives only here):
-- notices sent by reference read it, with the plan and the deadline, instead of every
-- notice's activity input repeating it in the workflow's history.
CREATE TABLE assignment_briefs (
    assignment_id text PRIMARY KEY REFERENCES assignments (id) ON DELETE CASCADE,
    clause        text NOT NULL CHECK (length(clause) >= 1),
    heading       text,
    text          text NOT NULL CHECK (length(text) >= 1)
);
