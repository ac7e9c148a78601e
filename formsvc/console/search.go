package console

import (
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// Search bounds: content is encrypted at rest, so a search by words opens
// records one by one, within the officer's kinds, newest first, and stops
// at searchScan records or searchMax matches, whichever comes first.
const (
	searchScan = 2000
	searchMax  = 50
	searchLen  = 100 // characters of a query
)

// A search by words costs some 200 ms of CPU and 9 MB (BenchmarkSearchByWords):
// at most DefaultSearchSlots run at once, so that officers searching
// together (or a stolen session searching in a loop) cannot take the CPUs
// the public intake needs. A search waits up to searchWait for a slot.
const (
	DefaultSearchSlots = 2
	searchWait         = 2 * time.Second
)

// msgSearchBusy is the answer of a search that found no slot.
const msgSearchBusy = "Đang có nhiều lượt tìm theo từ cùng lúc nên chưa tìm được. Vui lòng thử lại sau ít giây."

// searchResult is what a search found, for the inbox page.
type searchResult struct {
	Query   string
	Cases   []caseRow
	Scanned int  // records opened
	Capped  bool // stopped at searchScan or searchMax: there may be more
	Error   string
}

var errEnough = errors.New("enough matches")

// search handles the inbox's ?q=: a reference opens its case (a case of
// another kind, or none, is "not found" alike); words find the cases whose
// text holds every one of them, case and accents aside. The words are
// never written to a log or the audit: the audit says a search was made.
func (c *Console) search(w http.ResponseWriter, r *http.Request, q string) (*searchResult, bool) {
	o := officerFrom(r.Context())
	res := &searchResult{Query: q}
	if utf8.RuneCountInString(q) > searchLen {
		res.Error = "Từ tìm quá dài: tối đa 100 ký tự."
		return res, false
	}
	if _, _, _, ok := c.spec.ParseRef(q); ok {
		if err := c.audit(r, formsvc.AuditSearch, "", "theo mã hồ sơ"); err != nil {
			c.fail(w, r, err) // a search that cannot be audited is not made
			return nil, true
		}
		s, err := c.store.CaseByRef(r.Context(), q, o.Role.Kinds())
		if err == nil {
			http.Redirect(w, r, "/officer/cases/"+s.Ref, http.StatusSeeOther)
			return nil, true
		}
		if formsvc.ErrorCode(err) != formsvc.ENOTFOUND {
			c.fail(w, r, err)
			return nil, true
		}
		res.Error = "Không có hồ sơ mã “" + strings.ToUpper(strings.TrimSpace(q)) + "” trong các loại hồ sơ anh/chị được xem."
		return res, false
	}
	words := strings.Fields(fold(q))
	if len(words) == 0 || len([]rune(strings.Join(words, ""))) < 2 {
		res.Error = "Vui lòng nhập mã hồ sơ hoặc ít nhất 2 chữ cái để tìm."
		return res, false
	}
	t := time.NewTimer(searchWait)
	select {
	case c.searches <- struct{}{}:
		t.Stop()
		defer func() { <-c.searches }()
	case <-t.C:
		res.Error = msgSearchBusy
		return res, false
	case <-r.Context().Done():
		t.Stop()
		res.Error = msgSearchBusy
		return res, false
	}
	if err := c.audit(r, formsvc.AuditSearch, "", "theo từ"); err != nil {
		c.fail(w, r, err) // a search that cannot be audited is not made
		return nil, true
	}
	f := formsvc.CaseFilter{Kinds: o.Role.Kinds(), Newest: true, Limit: searchScan}
	err := c.store.EachSubmission(r.Context(), f, func(s *formsvc.Submission) error {
		res.Scanned++
		if matches(s, words) {
			res.Cases = append(res.Cases, caseRow{CaseSummary: formsvc.CaseSummary{ID: s.ID, Kind: s.Kind, Ref: s.Ref, Status: s.Status,
				Priority: s.Priority, Category: s.Category, Services: s.Services, CreatedAt: s.CreatedAt, AssignedTo: s.AssignedName},
				What: c.what(s.Kind, s.Category, s.Services)})
			if len(res.Cases) == searchMax {
				return errEnough
			}
		}
		return nil
	}, func(*formsvc.Submission, error) { res.Scanned++ })
	if err != nil && !errors.Is(err, errEnough) {
		c.fail(w, r, err)
		return nil, true
	}
	res.Capped = errors.Is(err, errEnough) || res.Scanned >= searchScan
	return res, false
}

// matches reports whether every word is in the record's text.
func matches(s *formsvc.Submission, words []string) bool {
	var b strings.Builder
	for _, v := range s.Content.Text {
		b.WriteString(v)
		b.WriteByte('\n')
	}
	text := fold(b.String())
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// fold puts text in a form to compare: lower case, without accents, đ as
// d ("Nhà nghỉ" and "nha nghi" match).
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteRune('d')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
