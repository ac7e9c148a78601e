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
