package postgres

import "time"

// SetSessionCleanup sets how often session stores made from now on delete
// expired sessions, and returns a function that restores it (tests only).
func SetSessionCleanup(every time.Duration) (restore func()) {
	old := sessionCleanupEvery
	sessionCleanupEvery = every
	return func() { sessionCleanupEvery = old }
}

// SessionCleanupStopped is closed once db's session clean-up goroutine
// has ended (tests only; nil before SessionStore).
func (db *DB) SessionCleanupStopped() <-chan struct{} {
	if db.sessions == nil {
		return nil
	}
	return db.sessions.sweep.done
}

// SetSharedCleanup sets how often shared state made from now on deletes
// expired rows, and returns a function that restores it (tests only).
func SetSharedCleanup(every time.Duration) (restore func()) {
	old := sharedCleanupEvery
	sharedCleanupEvery = every
	return func() { sharedCleanupEvery = old }
}

// Queued is how many submissions wait for the submitter (tests only).
func (db *DB) Queued() int { return len(db.sub.reqs) }
