package sqlite

// Queued is how many writes wait for the writer (tests only).
func (db *DB) Queued() int { return len(db.reqs) }
