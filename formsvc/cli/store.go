package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/postgres"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
)

// store is what the commands need of the database: the services the web
// server, the console, the alerts, exports and reports use, the officers'
// sessions, the retention purge and Close. SQLite (a file path in --db)
// and PostgreSQL (a postgres:// or postgresql:// URL) both provide it.
type store interface {
	formsvc.SubmissionService
	formsvc.FollowUpService
	formsvc.OfficerService
	formsvc.AuditService
	formsvc.CaseService
	formsvc.FactsService
	formsvc.AlertService
	SessionStore() scs.Store
	SharedState() formsvc.SharedState
	PurgeClosed(ctx context.Context, cutoff time.Time) (int64, error)
	Close() error
}

var (
	_ store = (*sqlite.DB)(nil)
	_ store = (*postgres.DB)(nil)
)

// isPostgres reports whether --db names a PostgreSQL database rather
// than an SQLite file.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// redactedPassword stands for a DSN's password wherever the DSN is shown.
const redactedPassword = "xxxxx"

// dbName is --db as it may be shown in logs and messages: a PostgreSQL
// URL without its password (in the user part or a password parameter).
func dbName(db string) string {
	if !isPostgres(db) {
		return db
	}
	u, err := url.Parse(db)
	if err != nil {
		// Not shown at all: the password could be anywhere in it.
		return "postgres://…"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), redactedPassword)
		}
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", redactedPassword)
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// dsnSecrets are the forms a PostgreSQL URL's password may take in a
// message: as written and decoded.
func dsnSecrets(db string) []string {
	if !isPostgres(db) {
		return nil
	}
	u, err := url.Parse(db)
	if err != nil {
		return []string{db}
	}
	var out []string
	if u.User != nil {
		if pw, has := u.User.Password(); has && pw != "" {
			out = append(out, pw, url.QueryEscape(pw), url.PathEscape(pw))
		}
	}
	for _, pw := range u.Query()["password"] {
		if pw != "" {
			out = append(out, pw, url.QueryEscape(pw))
		}
	}
	return out
}

// redactErr is err with db's password taken out of its message (the
// chain is kept when there is nothing to take out).
func redactErr(err error, db string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := msg
	for _, s := range dsnSecrets(db) {
		changed = strings.ReplaceAll(changed, s, redactedPassword)
	}
	if changed == msg {
		return err
	}
	return errors.New(changed)
}

// openStore loads the key file and opens the database of cfg. Every
// command that opens the database goes through here: a key file is made
// only for a new, empty database, and a command stops on a missing key
// file, or one that is not the database's, before it changes anything.
func openStore(ctx context.Context, e *env, cfg *storageConfig) (*formsvc.Keys, store, error) {
	keys, err := loadKeys(ctx, e, cfg, true)
	if err != nil {
		return nil, nil, err
	}
	db, err := openDB(ctx, cfg, keys)
	if err != nil {
		return nil, nil, err
	}
	return keys, db, nil
}

// loadKeys reads cfg's key file. When it is missing, a database that
// holds data stops the command; a new one gets a new key file if create
// is set (keys is nil otherwise).
func loadKeys(ctx context.Context, e *env, cfg *storageConfig, create bool) (*formsvc.Keys, error) {
	keys, err := formsvc.LoadKeyFile(cfg.KeyFile)
	if err == nil {
		return keys, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("khóa bí mật: %w", err)
	}
	var held bool
	if isPostgres(cfg.DB) {
		held, err = postgres.HoldsData(ctx, cfg.DB)
	} else {
		held, err = sqlite.HoldsData(ctx, cfg.DB)
	}
	if err != nil {
		return nil, fmt.Errorf("cơ sở dữ liệu: %w", redactErr(err, cfg.DB))
	}
	if held {
		return nil, fmt.Errorf("không có tệp khóa %s, mà cơ sở dữ liệu %s đã có dữ liệu được khóa của nó bảo vệ: "+
			"hãy chỉ đúng "+settingNames("key-file")+" của cơ sở dữ liệu này (chép lại từ bản sao lưu khóa), đừng tạo khóa mới. "+
			"Với một khóa mới, nội dung và mã biên nhận cũ không mở được, và tin báo mới bị khóa nhầm. Chưa có gì bị thay đổi",
			cfg.KeyFile, dbName(cfg.DB))
	}
	if !create {
		return nil, nil
	}
	keys, err = formsvc.CreateKeyFile(cfg.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("tạo khóa bí mật: %w", err)
	}
	fmt.Fprintf(e.stderr, "Đã tạo tệp khóa bí mật mới %s cho cơ sở dữ liệu mới %s. "+
		"Hãy chép khóa này ra nơi an toàn, tách khỏi bản sao lưu cơ sở dữ liệu: mất khóa là mất nội dung.\n", cfg.KeyFile, dbName(cfg.DB))
	return keys, nil
}

// openDB opens cfg's database with keys, SQLite or PostgreSQL by the
// form of --db, saying what to do when the key is not the database's.
func openDB(ctx context.Context, cfg *storageConfig, keys *formsvc.Keys) (store, error) {
	if !isPostgres(cfg.DB) {
		return openSQLite(ctx, cfg, keys)
	}
	db, err := postgres.Open(ctx, cfg.DB, keys)
	if errors.Is(err, postgres.ErrWrongKey) {
		return nil, wrongKey(cfg)
	}
	if errors.Is(err, postgres.ErrOwnerNeeded) {
		return nil, fmt.Errorf("cơ sở dữ liệu %s cần nâng lược đồ, mà vai trò đang dùng không được đổi lược đồ (đúng như vậy): "+
			"chạy một lần formsvc grant --db postgres://CHỦ-SỞ-HỮU@… --role VAI-TRÒ-DỊCH-VỤ rồi chạy lại. Chưa có gì bị thay đổi", dbName(cfg.DB))
	}
	if err != nil {
		return nil, fmt.Errorf("cơ sở dữ liệu %s: %w", dbName(cfg.DB), redactErr(err, cfg.DB))
	}
	return db, nil
}

// openSQLite opens cfg's SQLite database with keys.
func openSQLite(ctx context.Context, cfg *storageConfig, keys *formsvc.Keys) (*sqlite.DB, error) {
	db, err := sqlite.Open(ctx, cfg.DB, keys)
	if errors.Is(err, sqlite.ErrWrongKey) {
		return nil, wrongKey(cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("cơ sở dữ liệu: %w", err)
	}
	return db, nil
}

func wrongKey(cfg *storageConfig) error {
	return fmt.Errorf("tệp khóa %s không khớp với cơ sở dữ liệu %s: "+
		"hãy chỉ đúng "+settingNames("key-file")+" của cơ sở dữ liệu này (bản sao lưu khóa), đừng tạo khóa mới. Chưa có gì bị thay đổi",
		cfg.KeyFile, dbName(cfg.DB))
}
