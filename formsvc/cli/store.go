package cli

import (
	"context"
	"fmt"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
)

// openStore loads the key file and opens the database of cfg.
func openStore(ctx context.Context, cfg *config) (*formsvc.Keys, *sqlite.DB, error) {
	keys, err := formsvc.LoadOrCreateKeyFile(cfg.KeyFile)
	if err != nil {
		return nil, nil, fmt.Errorf("khóa bí mật: %w", err)
	}
	db, err := sqlite.Open(ctx, cfg.DB, keys)
	if err != nil {
		return nil, nil, fmt.Errorf("cơ sở dữ liệu: %w", err)
	}
	return keys, db, nil
}
