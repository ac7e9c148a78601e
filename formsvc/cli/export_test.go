package cli_test

import (
	"bytes"
	"context"
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
		mark, status string
		at           time.Time
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
