-- The workflow of each kind (data/forms.yaml, kinds), copied here by the
-- service at every start (syncWorkflow), so that the database itself
-- refuses a status its kind does not have and queries ask it which
-- statuses are open instead of naming them.
CREATE TABLE workflow_statuses (
    kind   TEXT    NOT NULL,
    status TEXT    NOT NULL,
    open   INTEGER NOT NULL CHECK (open IN (0, 1)),
    PRIMARY KEY (kind, status)
) WITHOUT ROWID;

-- The statuses in use before this table existed, as forms.yaml then had
-- them; the service brings the table in line with forms.yaml at start.
INSERT INTO workflow_statuses (kind, status, open) VALUES
    ('tip', 'received', 1), ('tip', 'verifying', 1), ('tip', 'substantiated', 1),
    ('tip', 'unsubstantiated', 1), ('tip', 'referred', 1), ('tip', 'closed', 0),
    ('support', 'received', 1), ('support', 'contacted', 1), ('support', 'in_progress', 1),
    ('support', 'referred', 1), ('support', 'completed', 0), ('support', 'closed', 0);

CREATE TRIGGER submissions_status_insert BEFORE INSERT ON submissions
WHEN NOT EXISTS (SELECT 1 FROM workflow_statuses w WHERE w.kind = NEW.kind AND w.status = NEW.status)
BEGIN SELECT RAISE(ABORT, 'status is not in the workflow of its kind'); END;

CREATE TRIGGER submissions_status_update BEFORE UPDATE OF kind, status ON submissions
WHEN NOT EXISTS (SELECT 1 FROM workflow_statuses w WHERE w.kind = NEW.kind AND w.status = NEW.status)
BEGIN SELECT RAISE(ABORT, 'status is not in the workflow of its kind'); END;

CREATE TRIGGER status_history_insert BEFORE INSERT ON status_history
WHEN NOT EXISTS (SELECT 1 FROM workflow_statuses w JOIN submissions s ON s.kind = w.kind
                 WHERE s.id = NEW.submission_id AND w.status = NEW.to_status)
BEGIN SELECT RAISE(ABORT, 'status is not in the workflow of its kind'); END;
