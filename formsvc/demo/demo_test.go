package demo_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/demo"
	"github.com/hoaphong/phongchongmaidam/formsvc/export"
	"github.com/hoaphong/phongchongmaidam/formsvc/report"
	"github.com/hoaphong/phongchongmaidam/internal/teststore"
)

var ict = formsvc.Vietnam

const password = "mat-khau-mau-thu"

func open(t *testing.T) (*teststore.DB, *formsvc.Keys) {
	t.Helper()
	keys, err := formsvc.LoadOrCreateKeyFile(filepath.Join(t.TempDir(), "key"))
	if err != nil {
		t.Fatal(err)
	}
	return teststore.Open(t, keys), keys
}

func spec(t *testing.T) *formsvc.Spec {
	t.Helper()
	s, err := formsvc.LoadSpec(data.FormsYAML, data.ReferralsYAML)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func options(t *testing.T, keys *formsvc.Keys, tips, support, months int, seed uint64) demo.Options {
	return demo.Options{Tips: tips, Support: support, Months: months, Seed: seed, Password: password, Spec: spec(t),
		ReceiptKey: keys.Receipt, Until: time.Date(2026, 6, 30, 23, 59, 0, 0, ict)}
}

// TestFill: the counts asked for, spread over every month; statuses with
// their history, notes, replies, reporters' messages and photos; every
// text marked as fictional; demo officers who can log in; an audit log in
// time order; and the exports and the report work on it.
func TestFill(t *testing.T) {
	ctx := context.Background()
	db, keys := open(t)
	res, err := demo.Fill(ctx, db, options(t, keys, 300, 120, 12, 1))
	if err != nil {
		t.Fatal(err)
	}
	if !res.From.Equal(time.Date(2025, 7, 1, 0, 0, 0, 0, ict)) || len(res.Receipts) != 2 {
		t.Errorf("result = %+v", res)
	}

	// Counts, months, statuses.
	kinds := []formsvc.Kind{formsvc.KindTip, formsvc.KindSupport}
	stats, err := formsvc.CollectStats(ctx, db, formsvc.CaseFilter{Kinds: kinds})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[formsvc.Kind]int{formsvc.KindTip: 300, formsvc.KindSupport: 120} {
		s := stats[k]
		if s.Received != want {
			t.Errorf("%s: %d records, want %d", k, s.Received, want)
		}
		months := formsvc.Months(res.From, res.Until)
		if len(months) != 12 || len(s.ByMonth) != 12 {
			t.Errorf("%s: months %v, by month %v: want the 12 months from 07/2025 to 06/2026", k, months, s.ByMonth)
		}
		for _, m := range months {
			if s.ByMonth[m] == 0 {
				t.Errorf("%s: no record in %s", k, m)
			}
		}
		if len(s.ByStatus) < 4 || s.ByStatus[formsvc.StatusClosed] == 0 || s.ByStatus[formsvc.StatusReceived] == 0 {
			t.Errorf("%s: statuses %v, want open and closed records in several statuses", k, s.ByStatus)
		}
		if s.FirstActionN == 0 || s.ClosureN == 0 {
			t.Errorf("%s: no first action or closure to measure", k)
		}
	}
	if stats[formsvc.KindTip].ByPriority[formsvc.PriorityHigh] == 0 || stats[formsvc.KindSupport].Reached["referred"] == 0 {
		t.Errorf("no high-priority tip or referred support request")
	}

	// Every record and what was done with it: marked, sealed, readable.
	var photos, notes, replies, messages, histories int
	err = db.EachSubmission(ctx, formsvc.CaseFilter{Kinds: kinds}, func(s *formsvc.Submission) error {
		for name, v := range s.Content.Text {
			if v != "" && name != "observed_at" && name != "contact_method" && name != "category" && !strings.HasPrefix(v, demo.Marker) {
				t.Errorf("%s: %s = %q is not marked as demo data", s.Ref, name, v)
			}
		}
		if s.Kind == formsvc.KindTip && !strings.HasPrefix(s.Content.Text["description"], demo.Marker) {
			t.Errorf("%s: description %q", s.Ref, s.Content.Text["description"])
		}
		photos += s.PhotoCount
		h, err := db.History(ctx, s)
		if err != nil {
			return err
		}
		for _, c := range h {
			histories++
			if !strings.HasPrefix(c.Note, demo.Marker) || !strings.HasPrefix(c.OfficerName, "demo-") {
				t.Errorf("%s: history %+v", s.Ref, c)
			}
		}
		ns, err := db.Notes(ctx, s)
		if err != nil {
			return err
		}
		for _, n := range ns {
			notes++
			if !strings.HasPrefix(n.Body, demo.Marker) {
				t.Errorf("%s: note %q", s.Ref, n.Body)
			}
		}
		ms, err := db.Messages(ctx, s)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.Author == formsvc.AuthorOfficer {
				replies++
			} else {
				messages++
			}
			if !strings.HasPrefix(m.Body, demo.Marker) {
				t.Errorf("%s: message %q", s.Ref, m.Body)
			}
		}
		if s.PhotoCount > 0 && photos < 3 {
			ps, err := db.Photos(ctx, s)
			if err != nil {
				return err
			}
			for _, p := range ps {
				if p.ContentType != "image/jpeg" || !bytes.HasPrefix(p.Data, []byte{0xFF, 0xD8}) || bytes.Contains(p.Data, []byte("Exif")) {
					t.Errorf("%s: photo %s of %d bytes is not a cleaned JPEG", s.Ref, p.ContentType, len(p.Data))
				}
			}
		}
		return nil
	}, func(s *formsvc.Submission, err error) { t.Errorf("%s does not open: %v", s.Ref, err) })
	if err != nil {
		t.Fatal(err)
	}
	if photos == 0 || notes == 0 || replies == 0 || messages == 0 || histories < 420 {
		t.Errorf("photos %d, notes %d, replies %d, reporters' messages %d, status changes %d", photos, notes, replies, messages, histories)
	}

	// A receipt printed for the follow-up page opens its record.
	r, ok := formsvc.ParseReceipt(res.Receipts[0][1])
	if !ok {
		t.Fatalf("receipt %q", res.Receipts[0][1])
	}
	if s, err := db.SubmissionByReceipt(ctx, formsvc.NewReceiptHasher(keys.Receipt).Hash(r)); err != nil || s.Ref != res.Receipts[0][0] {
		t.Errorf("receipt of %s opens %v, %v", res.Receipts[0][0], s, err)
	}

	// The demo officers, one per role, log in with the printed password.
	officers, err := db.Officers(ctx)
	if err != nil || len(officers) != 3 {
		t.Fatalf("officers: %v, %v", officers, err)
	}
	for _, want := range demo.Officers {
		o, hash, err := db.OfficerByUsername(ctx, want.Username)
		if err != nil || o.Role != want.Role {
			t.Errorf("%s: %v, %v", want.Username, o, err)
			continue
		}
		if ok, err := formsvc.CheckPassword(ctx, password, hash); !ok || err != nil {
			t.Errorf("%s cannot log in with the password: %v", want.Username, err)
		}
	}

	// The audit log reads in time order, as a real one does.
	entries, total, err := db.AuditLog(ctx, 0, 100000)
	if err != nil || total < 1000 {
		t.Fatalf("audit log: %d entries, %v", total, err)
	}
	for i := 1; i < len(entries); i++ { // newest first
		if entries[i].At.After(entries[i-1].At) {
			t.Fatalf("audit entry %d (%v) is after entry %d (%v)", entries[i].ID, entries[i].At, entries[i-1].ID, entries[i-1].At)
		}
	}

	// Exports and reports work on it.
	var buf bytes.Buffer
	enc, err := export.New("csv", &buf, spec(t), formsvc.KindTip)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := export.Write(enc, spec(t), func(fn func(*formsvc.Submission) error, skip func(*formsvc.Submission, error)) error {
		return db.EachSubmission(ctx, formsvc.CaseFilter{Kinds: []formsvc.Kind{formsvc.KindTip}}, fn, skip)
	}, nil)
	n := sum.Records
	if err != nil || n != 300 || len(sum.Unreadable) != 0 || strings.Count(buf.String(), demo.Marker) < 600 {
		t.Errorf("tip export: %d rows, %v", n, err)
	}
	p, _ := report.ParsePeriod("2026-H1")
	rep, err := report.Build(ctx, db, spec(t), kinds, p, false, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	h1 := 0
	for _, m := range formsvc.Months(p.From, p.To.Add(-time.Second)) {
		h1 += stats[formsvc.KindTip].ByMonth[m]
	}
	if rep.Kinds[0].Received != strconv.Itoa(h1) || h1 == 0 {
		t.Errorf("report: %s tips received in 2026-H1, want %d", rep.Kinds[0].Received, h1)
	}
	if err := report.WriteDOCX(&buf, rep); err != nil {
		t.Fatal(err)
	}

	// A second run refuses: the database is no longer empty.
	_, err = demo.Fill(ctx, db, options(t, keys, 1, 1, 1, 1))
	var full *demo.NotEmptyError
	if !errors.As(err, &full) || full.Records != 420 || full.Officers != 3 || !strings.Contains(err.Error(), "cơ sở dữ liệu trống") {
		t.Errorf("second run: %v", err)
	}
}

// TestFillRefusesRealRecords: one officer, or one record, and the demo
// refuses, with nothing written.
func TestFillRefusesRealRecords(t *testing.T) {
	ctx := context.Background()
	db, keys := open(t)
	o, hash, err := formsvc.NewOfficer(ctx, "congan", "police", "mat-khau-that-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateOfficer(ctx, o, hash); err != nil {
		t.Fatal(err)
	}
	_, err = demo.Fill(ctx, db, options(t, keys, 5, 5, 2, 1))
	var full *demo.NotEmptyError
	if !errors.As(err, &full) || full.Officers != 1 || full.Records != 0 {
		t.Fatalf("with an officer: %v", err)
	}

	db2, keys2 := open(t)
	s := &formsvc.Submission{Kind: formsvc.KindSupport, Status: "received", Priority: "normal", Services: []string{"job"}, CreatedAt: time.Now()}
	if err := db2.CreateSubmission(ctx, s, bytes.Repeat([]byte{1}, 32)); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Fill(ctx, db2, options(t, keys2, 5, 5, 2, 1)); !errors.As(err, &full) || full.Records != 1 {
		t.Fatalf("with a record: %v", err)
	}
	if officers, _ := db2.Officers(ctx); len(officers) != 0 {
		t.Errorf("the refused run made officers: %v", officers)
	}
}

// TestFillRepeatsWithTheSeed: the same seed and end make the same
// records; another seed, others.
func TestFillRepeatsWithTheSeed(t *testing.T) {
	dump := func(seed uint64) string {
		db, keys := open(t)
		if _, err := demo.Fill(context.Background(), db, options(t, keys, 20, 8, 4, seed)); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		for _, k := range []formsvc.Kind{formsvc.KindTip, formsvc.KindSupport} {
			enc, err := export.New("json", &buf, spec(t), k)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := export.Write(enc, spec(t), func(fn func(*formsvc.Submission) error, skip func(*formsvc.Submission, error)) error {
				return db.EachSubmission(context.Background(), formsvc.CaseFilter{Kinds: []formsvc.Kind{k}}, fn, skip)
			}, nil); err != nil {
				t.Fatal(err)
			}
		}
		return buf.String()
	}
	a, b, c := dump(7), dump(7), dump(8)
	if a != b {
		t.Errorf("the same seed made different records:\n%s\n---\n%s", a, b)
	}
	if a == c {
		t.Error("another seed made the same records")
	}
}
