package report

import (
	"fmt"
	"strconv"
)

// The small-count rule of every report for publication (HTML, XLSX and the
// JSON that the site's /so-lieu/ page is built from), in one place.
//
// A count from 1 to SmallCount-1 is shown as "<3"; zero stays 0. A table
// whose rows split the records received (each record in exactly one row)
// also has to keep its "<3" rows from being worked out from the total and
// the rows shown:
//
//  1. If there are two or more "<3" rows and their sum (the total minus the
//     rows shown) still leaves each of them free to be 1 or 2, nothing more
//     is hidden.
//  2. Otherwise (one "<3" row, or "<3" rows that must all be 1 or all be
//     2), every other non-zero row is hidden too ("ẩn"), provided that a
//     reader who knows this rule still cannot tell any hidden count.
//  3. Otherwise, and whenever the total itself is below SmallCount, the
//     table is withheld: only its total is published. A total of exactly
//     SmallCount with a "<3" row is withheld too: otherwise a withheld
//     table of three rows and a total of 3 could only be 1, 1, 1.
//
// Whether step 1, 2 or 3 applies depends only on what the table publishes
// (the total, the zero rows, the rows shown and how many rows are "<3"),
// so knowing the rule tells a reader nothing more about a hidden count:
// TestSuppressionAgainstAReaderWhoKnowsTheRule checks this by trying every
// table up to a size. A period's tables are counted from that period's
// records only, and no total over two periods is published, so one
// period's file says nothing about another's hidden counts.

// SmallCount is the suppression threshold of a report for publication:
// a count from 1 to SmallCount-1 is shown as "<3", so that no one can be
// recognised from a published table. Zero stays zero.
const SmallCount = 3

// Hidden marks a count hidden only so that a "<3" in the same table
// cannot be worked out from the total and the other rows (secondary
// suppression).
const Hidden = "ẩn"

// Small is how a suppressed small count reads: "<3".
var Small = fmt.Sprintf("<%d", SmallCount)

// SuppressCount formats one count for publication.
func SuppressCount(n int) string {
	if n > 0 && n < SmallCount {
		return Small
	}
	return strconv.Itoa(n)
}

// SuppressPartition formats, for publication, the counts of a table whose
// rows split total (each record in exactly one row). withheld means the
// table may publish nothing but its total; cells is then nil.
func SuppressPartition(counts []int, total int) (cells []string, withheld bool) {
	if total == 0 {
		return zeros(len(counts)), false
	}
	if total < SmallCount {
		return nil, true
	}
	cells = make([]string, len(counts))
	k, sum, m := 0, 0, 0 // small rows, their sum, other non-zero rows
	for i, n := range counts {
		cells[i] = SuppressCount(n)
		if n > 0 && n < SmallCount {
			k, sum = k+1, sum+n
		} else if n > 0 {
			m++
		}
	}
	if k == 0 {
		return cells, false
	}
	if total == SmallCount {
		return nil, true
	}
	if spread(k, sum) {
		return cells, false
	}
	if m > 0 && hiddenSafe(k, m, total) {
		for i, n := range counts {
			if n >= SmallCount {
				cells[i] = Hidden
			}
		}
		return cells, false
	}
	return nil, true
}

// SuppressOverlapping formats, for publication, the counts of a table whose
// rows may overlap but together cover total (a support request asks for
// one service or more). A "<3" row is safe unless total minus everything
// the other rows could hold forces it to 2; then the table is withheld.
func SuppressOverlapping(counts []int, total int) (cells []string, withheld bool) {
	if total == 0 {
		return zeros(len(counts)), false
	}
	if total < SmallCount {
		return nil, true
	}
	cells = make([]string, len(counts))
	most := 0 // what all rows could hold at most, as published
	for i, n := range counts {
		cells[i] = SuppressCount(n)
		if n > 0 && n < SmallCount {
			most += SmallCount - 1
		} else {
			most += n
		}
	}
	for _, n := range counts {
		if n > 0 && n < SmallCount && total-(most-(SmallCount-1)) > 1 {
			return nil, true
		}
	}
	return cells, false
}

// smallRange is what one of k small counts (each 1..SmallCount-1) summing
// to sum can be.
func smallRange(k, sum int) (lo, hi int) {
	return max(1, sum-(k-1)*(SmallCount-1)), min(SmallCount-1, sum-(k-1))
}

// spread reports whether k small counts summing to sum leave each of them
// more than one value.
func spread(k, sum int) bool {
	lo, hi := smallRange(k, sum)
	return hi > lo
}

// hiddenSafe reports whether, with k small rows shown as "<3" and the m
// other non-zero rows hidden beside a total, every one of those rows can
// still be more than one value for a reader who knows the rule: the small
// rows' sum is then one that does not spread (else nothing would have been
// hidden) and leaves each hidden row at least SmallCount.
func hiddenSafe(k, m, total int) bool {
	smallVals, hiddenVals := map[int]bool{}, map[int]bool{}
	for sum := k; sum <= k*(SmallCount-1); sum++ {
		rest := total - sum
		if spread(k, sum) || rest < m*SmallCount {
			continue
		}
		lo, hi := smallRange(k, sum)
		for v := lo; v <= hi; v++ {
			smallVals[v] = true
		}
		if m == 1 {
			hiddenVals[rest] = true
		} else {
			hiddenVals[SmallCount] = true
			hiddenVals[rest-(m-1)*SmallCount] = true
		}
	}
	return len(smallVals) > 1 && len(hiddenVals) > 1
}

func zeros(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "0"
	}
	return out
}
