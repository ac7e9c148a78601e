package console_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// withStatus is data/forms.yaml with one more support status, "waiting",
// before "in_progress": an edit of the data only.
func withStatus(t *testing.T) *formsvc.Spec {
	t.Helper()
	yaml := string(data.FormsYAML)
	anchor := "      - code: in_progress\n"
	if strings.Count(yaml, anchor) != 1 {
		t.Fatal("forms.yaml changed: find another place for the new status")
	}
	yaml = strings.Replace(yaml, anchor, `      - code: waiting
        public: Cán bộ đang chờ bạn trả lời
        officer: Chờ người gửi trả lời
        open: true
        outcome: Đã từng chờ người gửi trả lời
`+anchor, 1)
	spec, err := formsvc.LoadSpec([]byte(yaml), data.ReferralsYAML)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// A status added in the data reaches the store, the public follow-up, the
// console (inbox, case, dashboard), exports and reports with no change of
// code; the database takes it and still refuses one that is not there.
func TestAStatusAddedInDataNeedsNoCode(t *testing.T) {
	a := newAppWith(t, withStatus(t))
	receipt, ref := a.support()
	b := a.loggedIn("xahoi")
	casePath := "/officer/cases/" + ref

	_, doc := b.get(casePath)
	if doc.Find(`select[name="status"] option[value="waiting"]`).Text() != "Chờ người gửi trả lời" {
		t.Fatal("the case page does not offer the new status")
	}
	res, _ := b.post(casePath, casePath+"/status", url.Values{"status": {"waiting"}, "note": {"Đã nhắn hỏi giờ hẹn."}, "from": {"received"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change to the new status: %d", res.StatusCode)
	}
	_, doc = b.get(casePath)
	if got := doc.Find(".facts dd").First().Text(); got != "Chờ người gửi trả lời" {
		t.Errorf("case page shows status %q", got)
	}

	// The inbox counts it and filters by it.
	_, doc = b.get("/officer/?status=waiting")
	if doc.Find(`a[href="/officer/cases/`+ref+`"]`).Length() == 0 {
		t.Error("the inbox filtered by the new status does not list the case")
	}
	if !strings.Contains(doc.Text(), "Chờ người gửi trả lời") {
		t.Error("the inbox does not name the new status")
	}
	// It is open: the dashboard counts it among open records.
	_, doc = b.get("/officer/dashboard")
	if !strings.Contains(doc.Text(), "Chờ người gửi trả lời") {
		t.Error("the dashboard's open counts lack the new status")
	}

	// The reporter reads its public label.
	fres, err := http.Post(a.srv.URL+"/api/v1/follow-up", "application/json", strings.NewReader(`{"receipt":"`+receipt+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	var fu struct {
		Status      string `json:"status"`
		StatusLabel string `json:"status_label"`
	}
	json.NewDecoder(fres.Body).Decode(&fu)
	fres.Body.Close()
	if fu.Status != "waiting" || fu.StatusLabel != "Cán bộ đang chờ bạn trả lời" {
		t.Errorf("follow-up = %+v", fu)
	}

	// The export names it, and takes it as a filter.
	res, body := b.download("/officer/export/download?kind=support&format=csv&status=waiting")
	if res.StatusCode != 200 {
		t.Fatalf("export: %d %s", res.StatusCode, body)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil || len(rows) < 2 || !strings.Contains(strings.Join(rows[1], "|"), "Chờ người gửi trả lời") {
		t.Errorf("export rows = %q (%v)", rows, err)
	}

	// The report counts it, and its outcome row.
	res, body = b.download("/officer/report/download?period=" + thisYear())
	if res.StatusCode != 200 || !strings.Contains(body, "Chờ người gửi trả lời") || !strings.Contains(body, "Đã từng chờ người gửi trả lời") {
		t.Errorf("report: %d, lacks the new status or its outcome row", res.StatusCode)
	}

	// The database refuses a status the workflow does not have...
	if err := a.db.Exec(t, `UPDATE submissions SET status = 'nonsense'`); err == nil {
		t.Error("the database took a status that is in no workflow")
	}
	// ...and a service whose forms.yaml lacks a status in use will not
	// start: no record is left in a status nobody can see or leave.
	a.srv.Close()
	a.db.Close()
	_, err = a.db.Reopen(t, a.keys)
	if err == nil || !strings.Contains(err.Error(), `"waiting"`) {
		t.Errorf("open with the status removed: %v", err)
	}
}
