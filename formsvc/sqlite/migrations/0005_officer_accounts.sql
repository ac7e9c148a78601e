-- Officer accounts (issue 13).
--
-- Accounts are no longer locked after wrong passwords: anyone could lock
-- anyone, admins included, and the lock told which usernames exist. Failed
-- logins now slow and then stop the address that makes them, in memory
-- only; the audit log keeps recording every failure.
ALTER TABLE officers DROP COLUMN failed_logins;
ALTER TABLE officers DROP COLUMN locked_until;

-- Passwords are normalised (Unicode NFKC) before hashing. Hashes made
-- before this migration were made from the password as typed: 0 marks
-- them, and the next successful login replaces the hash with one of the
-- normalised password.
ALTER TABLE officers ADD COLUMN password_nfkc INTEGER NOT NULL DEFAULT 0;

-- The last time step (Unix time / 30 s) whose code opened a login: a code
-- of that step or an earlier one is refused, so each code works once.
ALTER TABLE officers ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

-- Settings an admin changes at run time (the console's officers page, or
-- `formsvc officer require-2fa on|off`).
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
