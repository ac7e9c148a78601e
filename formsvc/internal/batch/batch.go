// Package batch gathers queued writes into one group that shares a
// commit (group commit, both stores).
package batch

import "runtime"

// Gather returns first and what else waits in queue, at most limit in all
// (and first alone when limit ≤ 1). Once the queue is empty it yields
// once, so that goroutines about to send theirs (handlers under load) run
// first: one commit and one fsync then serve more writes. A lone write
// waits for nothing. A closed queue ends the group with what is here.
func Gather[T any](queue <-chan T, first T, limit int) []T {
	group := []T{first}
	for yielded := false; len(group) < limit; {
		select {
		case r, ok := <-queue:
			if !ok {
				return group
			}
			group = append(group, r)
			continue
		default:
		}
		if yielded {
			break
		}
		runtime.Gosched()
		yielded = true
	}
	return group
}
