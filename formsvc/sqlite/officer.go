package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/internal/seal"
	sqlitelib "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var _ formsvc.OfficerService = (*DB)(nil)

const officerColumns = `id, username, role, disabled, totp_enabled, NOT password_nfkc, created_at, credentials`

func scanOfficer(row interface{ Scan(...any) error }, extra ...any) (*formsvc.Officer, error) {
	var o formsvc.Officer
	var created string
	dest := append([]any{&o.ID, &o.Username, &o.Role, &o.Disabled, &o.TOTPEnabled, &o.LegacyHash, &created, &o.Credentials}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	var err error
	if o.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	return &o, nil
}

func errNoOfficer() error {
	return &formsvc.Error{Code: formsvc.ENOTFOUND, Message: "Không có tài khoản này."}
}

// isUnique reports whether err is a UNIQUE constraint failure.
func isUnique(err error) bool {
	var se *sqlitelib.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}

// CreateOfficer stores a new account and sets its ID. The hash is one of
// formsvc.HashPassword (of the normalised password).
func (db *DB) CreateOfficer(ctx context.Context, o *formsvc.Officer, passwordHash string) error {
	err := db.write(ctx, func(w *wtx) error {
		now := w.timestamp()
		res, err := w.Exec(`INSERT INTO officers (username, role, password_hash, password_nfkc, created_at, updated_at)
			VALUES (?, ?, ?, 1, ?, ?)`, o.Username, o.Role, passwordHash, now, now)
		if err != nil {
			return err
		}
		o.ID, err = res.LastInsertId()
		return err
	})
	if isUnique(err) {
		return formsvc.Errorf(formsvc.EINVALID, "Tên đăng nhập %q đã có.", o.Username)
	}
	if err != nil {
		return fmt.Errorf("create officer: %w", err)
	}
	return nil
}

// OfficerByUsername finds an account and its password hash.
func (db *DB) OfficerByUsername(ctx context.Context, username string) (*formsvc.Officer, string, error) {
	var hash string
	o, err := scanOfficer(db.read.QueryRowContext(ctx, `SELECT `+officerColumns+`, password_hash FROM officers WHERE username = ?`, username), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", errNoOfficer()
	}
	if err != nil {
		return nil, "", fmt.Errorf("find officer: %w", err)
	}
	return o, hash, nil
}

// OfficerByID finds an account.
func (db *DB) OfficerByID(ctx context.Context, id int64) (*formsvc.Officer, error) {
	o, err := scanOfficer(db.read.QueryRowContext(ctx, `SELECT `+officerColumns+` FROM officers WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoOfficer()
	}
	if err != nil {
		return nil, fmt.Errorf("find officer: %w", err)
	}
	return o, nil
}

// Officers lists the accounts by username.
func (db *DB) Officers(ctx context.Context) ([]*formsvc.Officer, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+officerColumns+` FROM officers ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("list officers: %w", err)
	}
	defer rows.Close()
	var out []*formsvc.Officer
	for rows.Next() {
		o, err := scanOfficer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func (db *DB) updateOfficer(ctx context.Context, id int64, set string, args ...any) error {
	var n int64
	err := db.write(ctx, func(w *wtx) error {
		res, err := w.Exec(`UPDATE officers SET `+set+`, updated_at = ? WHERE id = ?`,
			append(args, w.timestamp(), id)...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("update officer: %w", err)
	}
	if n == 0 {
		return errNoOfficer()
	}
	return nil
}

// SetPassword replaces an account's password hash (one of
// formsvc.HashPassword) and ends the sessions opened under the old one.
func (db *DB) SetPassword(ctx context.Context, id int64, passwordHash string) error {
	return db.updateOfficer(ctx, id, `password_hash = ?, password_nfkc = 1, credentials = credentials + 1`, passwordHash)
}

// UpgradePasswordHash replaces a hash made before passwords were
// normalised by one of the normalised password, if the account still has
// oldHash (a change meanwhile wins). Sessions go on: the password is the
// same.
func (db *DB) UpgradePasswordHash(ctx context.Context, id int64, oldHash, newHash string) error {
	err := db.write(ctx, func(w *wtx) error {
		_, err := w.Exec(`UPDATE officers SET password_hash = ?, password_nfkc = 1, updated_at = ?
			WHERE id = ? AND password_hash = ? AND password_nfkc = 0`, newHash, w.timestamp(), id, oldHash)
		return err
	})
	if err != nil {
		return fmt.Errorf("upgrade password hash: %w", err)
	}
	return nil
}

// SetDisabled disables or enables an account; disabling ends its sessions
// at their next request (the console reloads the officer each time).
func (db *DB) SetDisabled(ctx context.Context, id int64, disabled bool) error {
	return db.updateOfficer(ctx, id, `disabled = ?`, disabled)
}

// SetTOTP stores an account's second-factor secret (encrypted) and
// whether it is on; recovery code hashes replace the old ones. The last
// used time step starts again (UseTOTPStep) with the new secret.
func (db *DB) SetTOTP(ctx context.Context, id int64, secret string, enabled bool, recoveryHashes [][]byte) error {
	var sealed any
	if secret != "" {
		sealed = db.seal([]byte(secret), seal.TOTP(id))
	}
	return db.write(ctx, func(w *wtx) error {
		if _, err := w.Exec(`UPDATE officers SET totp_secret = ?, totp_enabled = ?, totp_last_step = 0, updated_at = ? WHERE id = ?`,
			sealed, enabled, w.timestamp(), id); err != nil {
			return err
		}
		if _, err := w.Exec(`DELETE FROM recovery_codes WHERE officer_id = ?`, id); err != nil {
			return err
		}
		for _, h := range recoveryHashes {
			if _, err := w.Exec(`INSERT INTO recovery_codes (officer_id, code_hash) VALUES (?, ?)`, id, h); err != nil {
				return err
			}
		}
		return nil
	})
}

// TOTPSecret returns an account's second-factor secret, or "".
func (db *DB) TOTPSecret(ctx context.Context, id int64) (string, error) {
	var sealed []byte
	if err := db.read.QueryRowContext(ctx, `SELECT totp_secret FROM officers WHERE id = ?`, id).Scan(&sealed); err != nil {
		return "", fmt.Errorf("read totp secret: %w", err)
	}
	if sealed == nil {
		return "", nil
	}
	b, err := db.open(sealed, seal.TOTP(id))
	if err != nil {
		return "", fmt.Errorf("decrypt totp secret: %w", err)
	}
	return string(b), nil
}

// UseRecoveryCode marks an unused recovery code as used; ok is false if
// the code is unknown or was used before.
func (db *DB) UseRecoveryCode(ctx context.Context, id int64, codeHash []byte) (ok bool, err error) {
	err = db.write(ctx, func(w *wtx) error {
		res, err := w.Exec(`UPDATE recovery_codes SET used_at = ? WHERE officer_id = ? AND code_hash = ? AND used_at IS NULL`,
			w.timestamp(), id, codeHash)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		ok = n == 1
		return err
	})
	return ok, err
}

// UseTOTPStep records that a code of time step step opened a login (or
// confirmed an enrolment); ok is false if a code of that step or a later
// one was used before. One statement decides, so two logins racing with
// the same code cannot both win.
func (db *DB) UseTOTPStep(ctx context.Context, id, step int64) (ok bool, err error) {
	err = db.write(ctx, func(w *wtx) error {
		res, err := w.Exec(`UPDATE officers SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, id, step)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		ok = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("use totp step: %w", err)
	}
	return ok, nil
}

// Settings.
const settingRequireTOTP = "require_totp"

// RequireTOTP reports whether an admin requires the second factor of
// every officer.
func (db *DB) RequireTOTP(ctx context.Context) (bool, error) {
	var v string
	err := db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = ?`, settingRequireTOTP).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read setting: %w", err)
	}
	return v == "1", nil
}

// SetRequireTOTP requires the second factor of every officer, or not.
func (db *DB) SetRequireTOTP(ctx context.Context, on bool) error {
	v := "0"
	if on {
		v = "1"
	}
	err := db.write(ctx, func(w *wtx) error {
		_, err := w.Exec(`INSERT INTO settings (name, value) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, settingRequireTOTP, v)
		return err
	})
	if err != nil {
		return fmt.Errorf("set require totp: %w", err)
	}
	return nil
}
