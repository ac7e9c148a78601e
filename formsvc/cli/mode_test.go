package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc/cli"
)

// Under the usual umask 022, every file the commands make is readable by
// its owner only: the key file, the database, exports, reports, backups.
func TestCommandsMakeFilesForTheirOwnerOnly(t *testing.T) {
	old := syscall.Umask(0o022) // process-wide: this test is not parallel
	t.Cleanup(func() { syscall.Umask(old) })
	dir := t.TempDir()
	ctx := context.Background()
	run := func(stdin string, args ...string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		all := append([]string{"formsvc"}, args...)
		all = append(all, "--db", filepath.Join(dir, "var", "formsvc.db"), "--key-file", filepath.Join(dir, "var", "formsvc.key"))
		if code := cli.Run(ctx, all, func(string) string { return "" }, strings.NewReader(stdin), &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr.String())
		}
	}
	run("mat-khau-du-dai-123\n", "officer", "add", "--username", "quantri", "--role", "admin", "--password-stdin")
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	run("", "export", "--kind", "tip", "--format", "csv", "--out", filepath.Join(out, "tb.csv"))
	run("", "export", "--kind", "support", "--format", "xlsx", "--out", filepath.Join(out, "ht.xlsx"))
	run("", "report", "--period", "2026", "--out", filepath.Join(out, "bc.html"))
	run("", "backup", "--out", filepath.Join(out, "b.db"))
	for _, f := range []string{"var/formsvc.key", "var/formsvc.db", "out/tb.csv", "out/ht.xlsx", "out/bc.html", "out/b.db"} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s: mode %v, want 0600", f, got)
		}
	}
}
