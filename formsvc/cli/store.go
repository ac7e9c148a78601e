package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
)

// openStore loads the key file and opens the database of cfg. Every
// command that opens the database goes through here: a key file is made
// only for a new, empty database, and a command stops on a missing key
// file, or one that is not the database's, before it changes anything.
func openStore(ctx context.Context, e *env, cfg *storageConfig) (*formsvc.Keys, *sqlite.DB, error) {
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
	held, err := sqlite.HoldsData(ctx, cfg.DB)
	if err != nil {
		return nil, fmt.Errorf("cơ sở dữ liệu: %w", err)
	}
	if held {
		return nil, fmt.Errorf("không có tệp khóa %s, mà cơ sở dữ liệu %s đã có dữ liệu được khóa của nó bảo vệ: "+
			"hãy chỉ đúng "+settingNames("key-file")+" của cơ sở dữ liệu này (chép lại từ bản sao lưu khóa), đừng tạo khóa mới. "+
			"Với một khóa mới, nội dung và mã biên nhận cũ không mở được, và tin báo mới bị khóa nhầm. Chưa có gì bị thay đổi",
			cfg.KeyFile, cfg.DB)
	}
	if !create {
		return nil, nil
	}
	keys, err = formsvc.CreateKeyFile(cfg.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("tạo khóa bí mật: %w", err)
	}
	fmt.Fprintf(e.stderr, "Đã tạo tệp khóa bí mật mới %s cho cơ sở dữ liệu mới %s. "+
		"Hãy chép khóa này ra nơi an toàn, tách khỏi bản sao lưu cơ sở dữ liệu: mất khóa là mất nội dung.\n", cfg.KeyFile, cfg.DB)
	return keys, nil
}

// openDB opens cfg's database with keys, saying what to do when the key
// is not the database's.
func openDB(ctx context.Context, cfg *storageConfig, keys *formsvc.Keys) (*sqlite.DB, error) {
	db, err := sqlite.Open(ctx, cfg.DB, keys)
	if errors.Is(err, sqlite.ErrWrongKey) {
		return nil, fmt.Errorf("tệp khóa %s không khớp với cơ sở dữ liệu %s: "+
			"hãy chỉ đúng "+settingNames("key-file")+" của cơ sở dữ liệu này (bản sao lưu khóa), đừng tạo khóa mới. Chưa có gì bị thay đổi",
			cfg.KeyFile, cfg.DB)
	}
	if err != nil {
		return nil, fmt.Errorf("cơ sở dữ liệu: %w", err)
	}
	return db, nil
}
