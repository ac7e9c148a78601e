package formsvc

import (
	"context"
	"time"
)

// Several instances of the service on one database behave as one service:
// besides the records they share what bounds the public, the rate counts
// (per client, per network, for everyone) and the tokens that are good once
// (solved challenges, receipt pages). One instance on SQLite keeps them in
// its memory (formsvc/internal/window); instances on PostgreSQL keep them
// in the database (formsvc/postgres), in unlogged tables that no backup or
// standby carries: a count lives two windows, a token until it expires.
//
// Keys of counts are keyed hashes (HMAC under Keys.Address); tokens are
// stored as SHA-256 hashes. No address is ever stored in clear.

// SharedState is what instances share to act as one service.
type SharedState interface {
	RateCounter
	OnceSet
}

// RateCounter counts events per key in fixed windows of per, starting at
// multiples of per since the Unix epoch, so that every instance counts in
// the same windows.
type RateCounter interface {
	// AddCount adds n (which may be negative, to take back) to key's count
	// in the window that starts at w, and returns that window's count
	// after it and the count of the window before.
	AddCount(ctx context.Context, key string, w time.Time, per time.Duration, n int) (cur, prev int, err error)
	// Counts returns the counts of the window that starts at w and of the
	// window before.
	Counts(ctx context.Context, key string, w time.Time, per time.Duration) (cur, prev int, err error)
}

// OnceSet remembers tokens that are good once.
type OnceSet interface {
	// SpendOnce records the token's hash until expires and reports whether
	// this was its first use. An error means it could not be told: the
	// caller refuses the token.
	SpendOnce(ctx context.Context, hash [32]byte, expires time.Time) (first bool, err error)
}
