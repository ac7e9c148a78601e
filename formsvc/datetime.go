package formsvc

import "time"

// One way of writing a moment for people, everywhere they read one: the
// console, the follow-up page (the site's JavaScript writes the same),
// CSV exports, reports and alert mail. Machine-readable places (JSON
// exports, the API, the webhook, datetime attributes) keep RFC 3339.
const (
	DateTimeLayout = "02/01/2006 15:04" // dd/mm/yyyy HH:mm
	DateLayout     = "02/01/2006"       // dd/mm/yyyy
)

// DateTime writes t as dd/mm/yyyy HH:mm in Vietnam's time; the zero time
// is "".
func DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(Vietnam).Format(DateTimeLayout)
}

// Date writes t's day in Vietnam as dd/mm/yyyy; the zero time is "".
func Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(Vietnam).Format(DateLayout)
}
