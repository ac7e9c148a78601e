package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/cli"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
)

// TestExportFilters runs `formsvc export` on a database with three tips
// of different months and statuses: each filter (--status, --from, --to)
// keeps exactly its tips, decrypted, and every run is in the audit log,
// its start and its end with the count.
func TestExportFilters(t *testing.T) {
	dir := t.TempDir()
	dbPath, keyPath := filepath.Join(dir, "formsvc.db"), filepath.Join(dir, "formsvc.key")
	keys, err := formsvc.LoadOrCreateKeyFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, dbPath, keys)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range []struct {
		mark   string
		status formsvc.Status
		at     time.Time
	}{
		{"MARK-A", formsvc.StatusReceived, time.Date(2026, 1, 10, 3, 0, 0, 0, time.UTC)},
		{"MARK-B", "verifying", time.Date(2026, 2, 15, 3, 0, 0, 0, time.UTC)},
		{"MARK-C", formsvc.StatusReceived, time.Date(2026, 3, 20, 3, 0, 0, 0, time.UTC)},
	} {
		sub := &formsvc.Submission{Kind: formsvc.KindTip, Status: s.status, Priority: formsvc.PriorityNormal, Category: "karaoke",
			CreatedAt: s.at, Content: formsvc.Content{Text: map[string]string{"description": s.mark + " có người lạ", "location": "Thôn 3"}}}
		if err := db.CreateSubmission(ctx, sub, bytes.Repeat([]byte{byte(i + 1)}, 32)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	export := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		all := append([]string{"formsvc", "export", "--db", dbPath, "--key-file", keyPath, "--kind", "tip", "--format", "csv"}, args...)
		if code := cli.Run(ctx, all, func(string) string { return "" }, nil, &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr.String())
		}
		return stdout.String()
	}
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{nil, []string{"MARK-A", "MARK-B", "MARK-C"}},
		{[]string{"--status", "verifying"}, []string{"MARK-B"}},
		{[]string{"--from", "2026-02-01", "--to", "2026-02-28"}, []string{"MARK-B"}},
		{[]string{"--from", "2026-03-01"}, []string{"MARK-C"}},
		{[]string{"--to", "2026-01-31"}, []string{"MARK-A"}},
	} {
		out := export(tt.args...)
		for _, m := range []string{"MARK-A", "MARK-B", "MARK-C"} {
			if want := strings.Contains(fmt.Sprint(tt.want), m); strings.Contains(out, m) != want {
				t.Errorf("export %v: has %s = %v, want %v", tt.args, m, !want, want)
			}
		}
	}
	db, err = sqlite.Open(ctx, dbPath, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	entries, _, err := db.AuditLog(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	starts, ends := 0, 0
	for _, e := range entries {
		if e.Action != formsvc.AuditExport {
			continue
		}
		switch {
		case strings.HasSuffix(e.Detail, ": bắt đầu"):
			starts++
		case strings.Contains(e.Detail, ": xong, 1 hồ sơ"), strings.Contains(e.Detail, ": xong, 3 hồ sơ"):
			ends++
		}
	}
	if starts != 5 || ends != 5 {
		t.Errorf("audit log: %d export starts and %d ends, want 5 and 5", starts, ends)
	}
}

// swapContents exchanges two records' sealed contents in the database
// file, through a connection of its own: what someone with write access
// to the file could do.
func swapContents(t *testing.T, path string, a, b int64) {
	t.Helper()
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var ca, cb []byte
	if err := conn.QueryRow(`SELECT content FROM submissions WHERE id = ?`, a).Scan(&ca); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(`SELECT content FROM submissions WHERE id = ?`, b).Scan(&cb); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(`UPDATE submissions SET content = ? WHERE id = ?`, cb, a); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(`UPDATE submissions SET content = ? WHERE id = ?`, ca, b); err != nil {
		t.Fatal(err)
	}
}

// TestExportSkipsRecordsThatDoNotOpen: `formsvc export` on a database
// where two tips' sealed contents were swapped exports the third, says on
// stderr which two it left out and exits 0; the audit log names them.
func TestExportSkipsRecordsThatDoNotOpen(t *testing.T) {
	dir := t.TempDir()
	dbPath, keyPath := filepath.Join(dir, "formsvc.db"), filepath.Join(dir, "formsvc.key")
	keys, err := formsvc.CreateKeyFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, dbPath, keys)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i, mark := range []string{"MARK-A", "MARK-B", "MARK-C"} {
		sub := &formsvc.Submission{Kind: formsvc.KindTip, Status: formsvc.StatusReceived, Priority: formsvc.PriorityNormal, Category: "karaoke",
			CreatedAt: time.Date(2026, 1, 10+i, 3, 0, 0, 0, time.UTC), Content: formsvc.Content{Text: map[string]string{"description": mark, "location": "Thôn 3"}}}
		if err := db.CreateSubmission(ctx, sub, bytes.Repeat([]byte{byte(i + 1)}, 32)); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, sub.ID)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	swapContents(t, dbPath, ids[0], ids[1])

	var stdout, stderr bytes.Buffer
	args := []string{"formsvc", "export", "--db", dbPath, "--key-file", keyPath, "--kind", "tip", "--format", "json"}
	if code := cli.Run(ctx, args, func(string) string { return "" }, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if out := stdout.String(); !strings.Contains(out, "MARK-C") || strings.Contains(out, "MARK-A") || strings.Contains(out, "MARK-B") {
		t.Errorf("exported:\n%s", out)
	}
	if want := "Lưu ý: 2 hồ sơ không mở được nên không có trong tệp này: TB-2026-0001, TB-2026-0002."; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
	db, err = sqlite.Open(ctx, dbPath, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	entries, _, err := db.AuditLog(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 || entries[0].Detail != "json, dòng lệnh: xong, 1 hồ sơ; bỏ qua 2 hồ sơ không mở được: TB-2026-0001, TB-2026-0002" {
		t.Errorf("last audit entry %+v", entries[0])
	}
}
