package sqlite

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/alexedwards/scs/v2"
)

// hashedTokens is an scs.Store that keeps each session under the SHA-256
// of its token, never the token: the cookie's value is not in the
// database, so a copy of the file (a backup, a stolen disk) cannot be used
// to sign in as an officer. The token is 32 random bytes (scs), too many
// to guess from its hash, so a plain hash is enough.
//
// It holds the store in a field, not embedded: it implements Store only,
// so that scs never reaches the inner store's context or iteration
// methods, which would take the token as it is.
type hashedTokens struct {
	store scs.Store
}

var _ scs.Store = hashedTokens{}

// sessionKey is what the sessions table holds for token.
func sessionKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (h hashedTokens) Find(token string) ([]byte, bool, error) {
	return h.store.Find(sessionKey(token))
}

func (h hashedTokens) Commit(token string, b []byte, expiry time.Time) error {
	return h.store.Commit(sessionKey(token), b, expiry)
}

func (h hashedTokens) Delete(token string) error { return h.store.Delete(sessionKey(token)) }
