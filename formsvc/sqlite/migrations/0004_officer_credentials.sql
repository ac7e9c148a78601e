-- The version of an officer's password: it goes up with every change, and
-- a session made under an older version ends at its next request, so that
-- a new password (an admin's reset, or the officer's own) signs out every
-- other browser where the old one was used.
ALTER TABLE officers ADD COLUMN credentials INTEGER NOT NULL DEFAULT 1;
