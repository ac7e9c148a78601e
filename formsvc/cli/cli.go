// Package cli is the formsvc command line: it reads the configuration,
// wires storage, keys and the web server, and runs one command.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Version is set at build time with -ldflags "-X ...cli.Version=v1.2.3".
var Version = "dev"

// env is the process environment, passed in so tests can set their own.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	name, summary string
	run           func(ctx context.Context, e *env, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"serve", "phục vụ trang web và API", runServe},
		{"officer", "quản lý tài khoản cán bộ: add, passwd, disable, enable, reset-2fa, set (email, loại thông báo), alerts, list, require-2fa on|off", runOfficer},
		{"export", "xuất hồ sơ ra CSV, XLSX hoặc JSON Lines", runExport},
		{"report", "lập báo cáo 6 tháng, năm hoặc một khoảng thời gian (HTML in A4, DOCX hoặc XLSX)", runReport},
		{"purge", "xóa hồ sơ đã đóng quá thời gian lưu giữ (--retention)", runPurge},
		{"backup", "sao lưu cơ sở dữ liệu khi dịch vụ đang chạy (--out TỆP); không chép khóa bí mật", runBackup},
		{"migrate", "chuyển cơ sở dữ liệu SQLite sang PostgreSQL (--from TỆP --to postgres://…), kiểm tra từng bảng; chạy lại được", runMigrate},
		{"grant", "PostgreSQL: nâng lược đồ bằng vai trò chủ sở hữu (--db) và cấp cho vai trò của dịch vụ (--role) đúng quyền cần, không quyền sửa hay xóa nhật ký kiểm tra", runGrant},
		{"demo", "tạo dữ liệu mẫu (hư cấu) trong một cơ sở dữ liệu trống, để tập huấn", runDemo},
		{"version", "in phiên bản", func(_ context.Context, e *env, _ []string) error {
			fmt.Fprintln(e.stdout, "formsvc", Version)
			return nil
		}},
	}
}

// errUsage marks an error whose message already explains the usage.
var errUsage = errors.New("usage")

// Run runs the command named in args[1] and returns the exit code.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) < 2 || args[1] == "help" || args[1] == "-h" || args[1] == "--help" {
		usage(stderr)
		if len(args) < 2 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name == args[1] {
			if err := c.run(ctx, e, args[2:]); err != nil {
				if errors.Is(err, errHelp) {
					return 0
				}
				if !errors.Is(err, errUsage) {
					fmt.Fprintf(stderr, "formsvc %s: %v\n", c.name, err)
				}
				return 1
			}
			return 0
		}
	}
	fmt.Fprintf(stderr, "formsvc: không có lệnh %q\n", args[1])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("Cách dùng: formsvc <lệnh> [tùy chọn]\n\nCác lệnh:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	b.WriteString("\nXem tùy chọn của một lệnh: formsvc <lệnh> -h\n")
	io.WriteString(w, b.String())
}

// newLogger logs at Info with times to the minute: a line's time to the
// millisecond beside a proxy's access log (which has addresses) would tie
// an address to the moment a record was made.
func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo, ReplaceAttr: minuteTimes}))
}

func minuteTimes(groups []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey && len(groups) == 0 && a.Value.Kind() == slog.KindTime {
		return slog.String(slog.TimeKey, a.Value.Time().UTC().Format("2006-01-02T15:04Z"))
	}
	return a
}
