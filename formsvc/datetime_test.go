package formsvc_test

import (
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// TestDateTime: every moment a person reads is dd/mm/yyyy HH:mm in
// Vietnam's time, whatever zone it was made in.
func TestDateTime(t *testing.T) {
	for _, c := range []struct {
		in         time.Time
		want, date string
	}{
		{time.Date(2026, 3, 5, 1, 7, 0, 0, time.UTC), "05/03/2026 08:07", "05/03/2026"},
		{time.Date(2026, 12, 31, 17, 30, 0, 0, time.UTC), "01/01/2027 00:30", "01/01/2027"},
		{time.Date(2026, 6, 1, 9, 5, 59, 0, time.FixedZone("CEST", 2*3600)), "01/06/2026 14:05", "01/06/2026"},
		{time.Time{}, "", ""},
	} {
		if got := formsvc.DateTime(c.in); got != c.want {
			t.Errorf("DateTime(%v) = %q, want %q", c.in, got, c.want)
		}
		if got := formsvc.Date(c.in); got != c.date {
			t.Errorf("Date(%v) = %q, want %q", c.in, got, c.date)
		}
	}
}
