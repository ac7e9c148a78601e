package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// sessionCleanupEvery is how often expired sessions are deleted.
var sessionCleanupEvery = 10 * time.Minute

// sessionStore is the officers' session store: an scs.Store on the
// sessions table, shared by every instance on the database, so an
// officer signed in through one continues on another.
//
// It keeps each session under the SHA-256 of its token, never the token,
// as formsvc/sqlite does: the cookie's value is not in the database, so a
// copy of it (a dump, a stolen disk) cannot be used to sign in as an
// officer. The token is 32 random bytes (scs), too many to guess from its
// hash.
//
// It is written on pgx rather than alexedwards/scs/postgresstore through
// pgx's database/sql adapter: that store keeps the token as given (it
// would need the hashing wrapper anyway), would put database/sql and a
// second module between the store and its pool, and its clean-up
// goroutine would be one more thing for Close to stop; the whole store
// is three statements. Like sqlite's, it implements scs.Store only (no
// context): a request that goes away does not cut a session's write
// short; each statement is bounded by the write timeout instead.
type sessionStore struct {
	pool    *pgxpool.Pool
	timeout time.Duration
	sweep   *sweep // deletes expired sessions
}

var _ scs.Store = (*sessionStore)(nil)

// sessionKey is what the sessions table holds for token.
func sessionKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// SessionStore is the officers' session store in this database (see
// sessionStore). Every call returns the same store: one clean-up
// goroutine, stopped by Close.
func (db *DB) SessionStore() scs.Store {
	db.sessionsOnce.Do(func() {
		db.sessions = &sessionStore{pool: db.pool, timeout: db.writeTimeout,
			sweep: startSweep(db.pool, sessionCleanupEvery, db.writeTimeout, `DELETE FROM sessions WHERE expiry < now()`)}
	})
	return db.sessions
}

func (s *sessionStore) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), s.timeout)
}

// Find returns the data of an unexpired session.
func (s *sessionStore) Find(token string) ([]byte, bool, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	var b []byte
	err := s.pool.QueryRow(ctx, `SELECT data FROM sessions WHERE token = $1 AND now() < expiry`, sessionKey(token)).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, unavailable(err)
	}
	return b, true, nil
}

// Commit stores or replaces a session.
func (s *sessionStore) Commit(token string, b []byte, expiry time.Time) error {
	ctx, cancel := s.ctx()
	defer cancel()
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`, sessionKey(token), b, expiry.UTC())
	return unavailable(err)
}

// Delete removes a session.
func (s *sessionStore) Delete(token string) error {
	ctx, cancel := s.ctx()
	defer cancel()
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token = $1`, sessionKey(token))
	return unavailable(err)
}
