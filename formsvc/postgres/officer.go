package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/internal/seal"
)

var _ formsvc.OfficerService = (*DB)(nil)

const officerColumns = `id, username, role, disabled, totp_enabled, NOT password_nfkc, created_at, credentials`

func scanOfficer(row pgx.Row, extra ...any) (*formsvc.Officer, error) {
	var o formsvc.Officer
	dest := append([]any{&o.ID, &o.Username, &o.Role, &o.Disabled, &o.TOTPEnabled, &o.LegacyHash, &o.CreatedAt, &o.Credentials}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	o.CreatedAt = o.CreatedAt.UTC()
	return &o, nil
}

func errNoOfficer() error {
	return &formsvc.Error{Code: formsvc.ENOTFOUND, Message: "Không có tài khoản này."}
}

// isUnique reports whether err is a unique constraint's refusal.
func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// CreateOfficer stores a new account and sets its ID. The hash is one of
// formsvc.HashPassword (of the normalised password). A username taken is
// EINVALID, as in formsvc/sqlite: the console shows it at the field.
func (db *DB) CreateOfficer(ctx context.Context, o *formsvc.Officer, passwordHash string) error {
	var id int64
	err := db.write(ctx, func(tx pgx.Tx) error {
		now := db.now().UTC()
		return tx.QueryRow(ctx, `INSERT INTO officers (username, role, password_hash, password_nfkc, created_at, updated_at)
			VALUES ($1, $2, $3, true, $4, $4) RETURNING id`, o.Username, o.Role, passwordHash, now).Scan(&id)
	})
	if isUnique(err) {
		return formsvc.Errorf(formsvc.EINVALID, "Tên đăng nhập %q đã có.", o.Username)
	}
	if err != nil {
		return fmt.Errorf("create officer: %w", err)
	}
	o.ID = id
	return nil
}

// OfficerByUsername finds an account and its password hash.
func (db *DB) OfficerByUsername(ctx context.Context, username string) (*formsvc.Officer, string, error) {
	var hash string
	o, err := scanOfficer(db.pool.QueryRow(ctx, `SELECT `+officerColumns+`, password_hash FROM officers WHERE username = $1`, username), &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, "", errNoOfficer()
	}
	if err != nil {
		return nil, "", fmt.Errorf("find officer: %w", unavailable(err))
	}
	return o, hash, nil
}

// OfficerByID finds an account.
func (db *DB) OfficerByID(ctx context.Context, id int64) (*formsvc.Officer, error) {
	o, err := scanOfficer(db.pool.QueryRow(ctx, `SELECT `+officerColumns+` FROM officers WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNoOfficer()
	}
	if err != nil {
		return nil, fmt.Errorf("find officer: %w", unavailable(err))
	}
	return o, nil
}

// Officers lists the accounts by username.
func (db *DB) Officers(ctx context.Context) ([]*formsvc.Officer, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+officerColumns+` FROM officers ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("list officers: %w", unavailable(err))
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

// updateOfficer sets set ($1… for args, then updated_at and the id) on
// one account; ENOTFOUND when there is none.
func (db *DB) updateOfficer(ctx context.Context, id int64, set string, args ...any) error {
	var n int64
	err := db.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, fmt.Sprintf(`UPDATE officers SET %s, updated_at = $%d WHERE id = $%d`, set, len(args)+1, len(args)+2),
			append(args, db.now().UTC(), id)...)
		n = tag.RowsAffected()
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
	return db.updateOfficer(ctx, id, `password_hash = $1, password_nfkc = true, credentials = credentials + 1`, passwordHash)
}

// UpgradePasswordHash replaces a hash made before passwords were
// normalised by one of the normalised password, if the account still has
// oldHash (a change meanwhile wins). Sessions go on: the password is the
// same.
func (db *DB) UpgradePasswordHash(ctx context.Context, id int64, oldHash, newHash string) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE officers SET password_hash = $1, password_nfkc = true, updated_at = $2
			WHERE id = $3 AND password_hash = $4 AND NOT password_nfkc`, newHash, db.now().UTC(), id, oldHash)
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
	return db.updateOfficer(ctx, id, `disabled = $1`, disabled)
}

// SetTOTP stores an account's second-factor secret (sealed for the
// account, as in formsvc/sqlite) and whether it is on; recovery code
// hashes replace the old ones. The last used time step starts again
// (UseTOTPStep) with the new secret.
func (db *DB) SetTOTP(ctx context.Context, id int64, secret string, enabled bool, recoveryHashes [][]byte) error {
	var sealed []byte
	if secret != "" {
		sealed = seal.Seal(db.keys, []byte(secret), seal.TOTP(id))
	}
	err := db.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE officers SET totp_secret = $1, totp_enabled = $2, totp_last_step = 0, updated_at = $3 WHERE id = $4`,
			sealed, enabled, db.now().UTC(), id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM recovery_codes WHERE officer_id = $1`, id); err != nil {
			return err
		}
		for _, h := range recoveryHashes {
			if _, err := tx.Exec(ctx, `INSERT INTO recovery_codes (officer_id, code_hash) VALUES ($1, $2)`, id, h); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set totp: %w", err)
	}
	return nil
}

// TOTPSecret returns an account's second-factor secret, or "".
func (db *DB) TOTPSecret(ctx context.Context, id int64) (string, error) {
	var sealed []byte
	err := db.pool.QueryRow(ctx, `SELECT totp_secret FROM officers WHERE id = $1`, id).Scan(&sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", errNoOfficer()
	}
	if err != nil {
		return "", fmt.Errorf("read totp secret: %w", unavailable(err))
	}
	if sealed == nil {
		return "", nil
	}
	b, err := seal.Open(db.keys, sealed, seal.TOTP(id))
	if err != nil {
		return "", fmt.Errorf("decrypt totp secret: %w", err)
	}
	return string(b), nil
}

// UseRecoveryCode marks an unused recovery code as used; ok is false if
// the code is unknown or was used before. One statement decides.
func (db *DB) UseRecoveryCode(ctx context.Context, id int64, codeHash []byte) (ok bool, err error) {
	err = db.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE recovery_codes SET used_at = $1 WHERE officer_id = $2 AND code_hash = $3 AND used_at IS NULL`,
			db.now().UTC(), id, codeHash)
		ok = tag.RowsAffected() == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("use recovery code: %w", err)
	}
	return ok, nil
}

// UseTOTPStep records that a code of time step step opened a login (or
// confirmed an enrolment); ok is false if a code of that step or a later
// one was used before. One statement decides, so two logins racing with
// the same code cannot both win: the second UPDATE waits for the first's
// row lock, then re-checks its condition against the committed row (READ
// COMMITTED) and changes nothing.
func (db *DB) UseTOTPStep(ctx context.Context, id, step int64) (ok bool, err error) {
	err = db.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE officers SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1`, step, id)
		ok = tag.RowsAffected() == 1
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
	err := db.pool.QueryRow(ctx, `SELECT value FROM settings WHERE name = $1`, settingRequireTOTP).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read setting: %w", unavailable(err))
	}
	return v == "1", nil
}

// SetRequireTOTP requires the second factor of every officer, or not.
func (db *DB) SetRequireTOTP(ctx context.Context, on bool) error {
	v := "0"
	if on {
		v = "1"
	}
	err := db.write(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO settings (name, value) VALUES ($1, $2)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, settingRequireTOTP, v)
		return err
	})
	if err != nil {
		return fmt.Errorf("set require totp: %w", err)
	}
	return nil
}

var _ formsvc.AuditService = (*DB)(nil)

// Audit appends an entry to the audit log, clipped to its bounds. The
// table's triggers refuse any change or deletion of its rows.
func (db *DB) Audit(ctx context.Context, e formsvc.AuditEntry) error {
	e = e.Clipped()
	var officer *int64
	if e.OfficerID != 0 {
		officer = &e.OfficerID
	}
	at := e.At
	if at.IsZero() {
		at = db.now()
	}
	err := db.write(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO audit_log (at, officer_id, username, action, target, detail)
			VALUES ($1, $2, $3, $4, $5, $6)`, at.UTC(), officer, e.Username, e.Action, e.Target, e.Detail)
		return err
	})
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AuditLog reads the log, newest first, and the number of entries.
func (db *DB) AuditLog(ctx context.Context, offset, limit int) ([]formsvc.AuditEntry, int, error) {
	var total int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count audit log: %w", unavailable(err))
	}
	rows, err := db.pool.Query(ctx, `SELECT id, at, COALESCE(officer_id, 0), username, action, target, detail
		FROM audit_log ORDER BY id DESC LIMIT $1 OFFSET $2`, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("read audit log: %w", unavailable(err))
	}
	defer rows.Close()
	var out []formsvc.AuditEntry
	for rows.Next() {
		var e formsvc.AuditEntry
		var at time.Time
		if err := rows.Scan(&e.ID, &at, &e.OfficerID, &e.Username, &e.Action, &e.Target, &e.Detail); err != nil {
			return nil, 0, err
		}
		e.At = at.UTC()
		out = append(out, e)
	}
	return out, total, rows.Err()
}
