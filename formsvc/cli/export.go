package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/export"
)

// parseDay reads a YYYY-MM-DD date in Vietnam's time.
func parseDay(flagName, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation("2006-01-02", s, formsvc.Vietnam)
	if err != nil {
		return time.Time{}, fmt.Errorf("--%s %q: cần ngày dạng NĂM-THÁNG-NGÀY, ví dụ 2026-01-31", flagName, s)
	}
	return t, nil
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// atomicFile writes to a temporary file beside path and renames it into
// place on Commit, so a failed export never leaves half a file.
type atomicFile struct {
	*os.File
	path string
}

func createAtomic(path string) (*atomicFile, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, err
	}
	return &atomicFile{File: f, path: path}, nil
}

func (a *atomicFile) Commit() error {
	if err := a.Sync(); err != nil {
		a.Abort()
		return err
	}
	if err := a.Close(); err != nil {
		os.Remove(a.Name())
		return err
	}
	return os.Rename(a.Name(), a.path)
}

func (a *atomicFile) Abort() {
	a.Close()
	os.Remove(a.Name())
}

// output opens --out (atomically) or standard output.
func output(e *env, path string) (w io.Writer, done func(ok bool) error, err error) {
	if path == "" || path == "-" {
		return e.stdout, func(bool) error { return nil }, nil
	}
	f, err := createAtomic(path)
	if err != nil {
		return nil, nil, fmt.Errorf("tạo tệp %s: %w", path, err)
	}
	return f, func(ok bool) error {
		if !ok {
			f.Abort()
			return nil
		}
		return f.Commit()
	}, nil
}

// runExport: formsvc export --kind tip|support --format csv|xlsx|json ...
func runExport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("export", e)
	cfg := storageSettings(fs)
	kind := fs.String("kind", "", "loại hồ sơ: tip (tin báo) hoặc support (yêu cầu hỗ trợ)")
	format := fs.String("format", "csv", "định dạng: csv, xlsx hoặc json (JSON Lines)")
	status := fs.String("status", "", "chỉ lấy hồ sơ ở trạng thái này")
	from := fs.String("from", "", "từ ngày nhận (NĂM-THÁNG-NGÀY)")
	to := fs.String("to", "", "đến hết ngày nhận (NĂM-THÁNG-NGÀY)")
	out := fs.String("out", "", "tệp kết quả (bỏ trống: in ra đầu ra chuẩn)")
	if err := fs.parse(args, e.getenv); err != nil {
		return err
	}
	spec, err := formsvc.DefaultSpec()
	if err != nil {
		return err
	}
	k := formsvc.Kind(*kind)
	def := spec.Kind(k)
	if def == nil {
		return errors.New("--kind phải là tip hoặc support")
	}
	st := formsvc.Status(*status)
	if st != "" && !def.Valid(st) {
		return fmt.Errorf("--status %q không phải trạng thái của loại %s", *status, k)
	}
	f := formsvc.CaseFilter{Kinds: []formsvc.Kind{k}, Status: st}
	if f.From, err = parseDay("from", *from); err != nil {
		return err
	}
	if f.To, err = parseDay("to", *to); err != nil {
		return err
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1)
	}
	_, db, err := openStore(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer db.Close()

	w, done, err := output(e, *out)
	if err != nil {
		return err
	}
	enc, err := export.New(*format, w, spec, k)
	if err != nil {
		done(false)
		return errors.New(formsvc.ErrorMessage(err))
	}
	var progress func()
	tty := isTerminal(e.stderr)
	if tty {
		_, total, err := db.Cases(ctx, formsvc.CaseFilter{Kinds: f.Kinds, Status: f.Status, From: f.From, To: f.To, Limit: 1}, time.Now())
		if err != nil {
			done(false)
			return err
		}
		bar := progressbar.NewOptions(total, progressbar.OptionSetWriter(e.stderr), progressbar.OptionSetDescription("Đang xuất"),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		progress = func() { bar.Add(1) }
	}
	// Logged before the first row is written: no log, no export.
	audit := func(detail string) error {
		return db.Audit(ctx, formsvc.AuditEntry{Username: cliUser, Action: formsvc.AuditExport, Target: string(k), Detail: detail})
	}
	what := fmt.Sprintf("%s, dòng lệnh", *format)
	if err := audit(what + ": bắt đầu"); err != nil {
		done(false)
		return err
	}
	sum, err := export.Write(enc, spec, func(fn func(*formsvc.Submission) error, skip func(*formsvc.Submission, error)) error {
		return db.EachSubmission(ctx, f, fn, skip)
	}, progress)
	if err == nil {
		err = done(true)
	} else {
		done(false)
	}
	if err != nil {
		audit(fmt.Sprintf("%s: dở dang sau %d hồ sơ", what, sum.Records) + skipped(sum))
		return err
	}
	if err := audit(fmt.Sprintf("%s: xong, %d hồ sơ", what, sum.Records) + skipped(sum)); err != nil {
		return err
	}
	if len(sum.Unreadable) > 0 {
		// Whether or not stderr is a terminal: a nightly export's log
		// must show it too.
		fmt.Fprintln(e.stderr, export.UnreadableNote(sum.Unreadable))
	}
	if tty {
		fmt.Fprintf(e.stderr, "Đã xuất %d hồ sơ.\n", sum.Records)
	}
	return nil
}

// skipped is the audit log's words for the records an export left out.
func skipped(sum export.Summary) string {
	if len(sum.Unreadable) == 0 {
		return ""
	}
	return fmt.Sprintf("; bỏ qua %d hồ sơ không mở được: %s", len(sum.Unreadable), export.ListRefs(sum.Unreadable))
}
