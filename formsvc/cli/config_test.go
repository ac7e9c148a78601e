package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc/cli"
)

// run runs formsvc with args and only the environment in env, in a
// temporary folder of its own (a command that gets as far as opening the
// default database makes it there, not in the package).
func run(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Chdir(t.TempDir())
	var out, errb bytes.Buffer
	code = cli.Run(context.Background(), append([]string{"formsvc"}, args...), func(k string) string { return env[k] },
		strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

var flagLine = regexp.MustCompile(`(?m)^  --([a-z0-9-]+)$`)

// Each command's -h lists its own flags and the settings it uses, nothing
// else: the server's settings are serve's alone.
func TestHelpListsOnlyTheCommandsFlags(t *testing.T) {
	storage := []string{"db", "key-file"}
	server := []string{"addr", "site", "client-ip-header", "trusted-proxies", "netlify-secret-file", "allowed-origins",
		"submit-limit", "submit-global-limit", "follow-up-limit", "follow-up-global-limit", "login-limit", "login-global-limit",
		"secure-cookies", "overdue-after",
		"smtp-url", "mail-from", "alert-delay", "digest-at", "alert-webhook", "alert-webhook-secret", "console-url"}
	tests := []struct {
		cmd  []string
		want []string
	}{
		{[]string{"backup"}, append([]string{"out", "force"}, storage...)},
		{[]string{"purge"}, append([]string{"retention"}, storage...)},
		{[]string{"export"}, append([]string{"kind", "format", "status", "from", "to", "out"}, storage...)},
		{[]string{"report"}, append([]string{"period", "format", "out", "publication", "kind"}, storage...)},
		{[]string{"demo"}, append([]string{"tips", "support", "months", "seed", "until"}, storage...)},
		{[]string{"officer", "add"}, append([]string{"username", "role", "password-stdin", "email", "alerts"}, storage...)},
		{[]string{"serve"}, append(slices.Clone(server), storage...)},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.cmd, " "), func(t *testing.T) {
			code, _, stderr := run(t, nil, append(tt.cmd, "-h")...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var got []string
			for _, m := range flagLine.FindAllStringSubmatch(stderr, -1) {
				got = append(got, m[1])
			}
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("flags = %v\nwant %v\n%s", got, want, stderr)
			}
			if !strings.Contains(stderr, "Cách dùng: formsvc "+tt.cmd[0]) {
				t.Errorf("no Vietnamese usage line:\n%s", stderr)
			}
			for _, s := range storage {
				if !strings.Contains(stderr, "biến môi trường FORMSVC_"+strings.ToUpper(strings.ReplaceAll(s, "-", "_"))) {
					t.Errorf("the help does not name the variable of --%s:\n%s", s, stderr)
				}
			}
		})
	}
}

// A malformed server setting in the environment (shared by the units of
// serve, backup and purge) leaves the nightly backup alone, and stops
// serve with a message that names the flag and the variable.
func TestServerSettingsDoNotReachOtherCommands(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{
		"FORMSVC_DB":           filepath.Join(dir, "var", "f.db"),
		"FORMSVC_KEY_FILE":     filepath.Join(dir, "var", "f.key"),
		"FORMSVC_SUBMIT_LIMIT": "abc",
		"FORMSVC_ADDR":         "nowhere",
		"FORMSVC_SMTP_URL":     "ftp://mail.example",
	}
	if code, _, stderr := run(t, env, "purge"); code != 0 {
		t.Fatalf("purge: exit %d: %s", code, stderr)
	}
	if code, stdout, stderr := run(t, env, "backup", "--out", filepath.Join(dir, "b.db")); code != 0 || !strings.Contains(stdout, "Đã sao lưu") {
		t.Fatalf("backup: exit %d: %s%s", code, stdout, stderr)
	}
	delete(env, "FORMSVC_ADDR")
	delete(env, "FORMSVC_SMTP_URL")
	code, _, stderr := run(t, env, "serve")
	want := `formsvc serve: --submit-limit / FORMSVC_SUBMIT_LIMIT: giới hạn "abc" không hợp lệ`
	if code == 0 || !strings.Contains(stderr, want) {
		t.Errorf("serve: exit %d, stderr %q; want %q", code, stderr, want)
	}
	if strings.Contains(stderr, "--db\n") {
		t.Errorf("serve printed its usage after a bad setting:\n%s", stderr)
	}
}

// Every bad variable is reported at once, each with its names.
func TestBadVariablesAreAllReported(t *testing.T) {
	code, _, stderr := run(t, map[string]string{"FORMSVC_SUBMIT_LIMIT": "abc", "FORMSVC_OVERDUE_AFTER": "soon"}, "serve")
	for _, want := range []string{"--submit-limit / FORMSVC_SUBMIT_LIMIT:", "--overdue-after / FORMSVC_OVERDUE_AFTER:"} {
		if code == 0 || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, stderr %q; want %q", code, stderr, want)
		}
	}
}

// The flag beats the variable: a variable is not even read when its flag
// is given, and is used when it is not.
func TestFlagBeatsEnvironment(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"FORMSVC_DB": filepath.Join(dir, "env.db"), "FORMSVC_KEY_FILE": filepath.Join(dir, "env.key"),
		"FORMSVC_RETENTION": "forever"}
	flagDB := filepath.Join(dir, "flag.db")
	code, stdout, stderr := run(t, env, "purge", "--retention", "30d", "--db", flagDB)
	if code != 0 || !strings.Contains(stdout, "Đã xóa 0 hồ sơ") {
		t.Fatalf("purge with flags over bad variables: exit %d: %s%s", code, stdout, stderr)
	}
	for _, f := range []string{flagDB, filepath.Join(dir, "env.key")} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "env.db")); err == nil {
		t.Errorf("purge opened FORMSVC_DB although --db was given")
	}
	code, _, stderr = run(t, env, "purge", "--db", flagDB)
	if want := `--retention / FORMSVC_RETENTION: "forever" không hợp lệ`; code == 0 || !strings.Contains(stderr, want) {
		t.Errorf("purge without --retention: exit %d, stderr %q; want %q", code, stderr, want)
	}
	// serve reads the same way: the good flag hides the bad variable, and
	// the first error is then the bad --addr.
	code, _, stderr = run(t, map[string]string{"FORMSVC_SUBMIT_LIMIT": "abc"}, "serve", "--submit-limit", "5/1m", "--addr", "x")
	if code == 0 || strings.Contains(stderr, "submit-limit") || !strings.Contains(stderr, "--addr / FORMSVC_ADDR") {
		t.Errorf("serve: exit %d, stderr %q; want only the --addr error", code, stderr)
	}
}

// Each typed setting refuses a bad value with the same message from the
// flag and from the variable, naming both.
func TestTypedSettingErrors(t *testing.T) {
	short := filepath.Join(t.TempDir(), "short")
	if err := os.WriteFile(short, []byte("ngan\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		cmd, flag, value, want string
	}{
		{"backup", "db", "", `không được để trống`},
		{"backup", "key-file", "", `không được để trống`},
		{"serve", "site", "", `không được để trống`},
		{"serve", "addr", "localhost", `"localhost" không hợp lệ: cần dạng máy:cổng`},
		{"serve", "addr", "127.0.0.1:99999", `cổng "99999" không hợp lệ`},
		{"serve", "submit-limit", "abc", `giới hạn "abc" không hợp lệ: cần dạng số/thời gian`},
		{"serve", "submit-global-limit", "0/1m", `giới hạn "0/1m" không hợp lệ`},
		{"serve", "follow-up-limit", "5/soon", `thời gian "soon" không hợp lệ`},
		{"serve", "follow-up-global-limit", "-1/1h", `không hợp lệ`},
		{"serve", "login-limit", "x/1m", `giới hạn "x/1m" không hợp lệ`},
		{"serve", "login-global-limit", "5/-1m", `thời gian "-1m" không hợp lệ`},
		{"purge", "retention", "0d", `"0d" không hợp lệ: cần số ngày là số nguyên dương`},
		{"purge", "retention", "-3d", `"-3d" không hợp lệ`},
		{"purge", "retention", "forever", `"forever" không hợp lệ: cần một khoảng thời gian dương`},
		{"serve", "overdue-after", "0", `"0" không hợp lệ`},
		{"serve", "secure-cookies", "maybe", `"maybe": cần true hoặc false`},
		{"serve", "trusted-proxies", "127.0.0.1/32,loopback", `"loopback" không phải dải địa chỉ CIDR`},
		{"serve", "allowed-origins", "ftp://x", `"ftp://x" không phải nguồn dạng https://tên-miền`},
		{"serve", "allowed-origins", "https://a.example/path", `không phải nguồn`},
		{"serve", "client-ip-header", "X-Nf-Client-Connection-Ip", `ai cũng tự đặt được; hãy dùng --netlify-secret-file / FORMSVC_NETLIFY_SECRET_FILE`},
		{"serve", "netlify-secret-file", "/no/such/file", `không đọc được /no/such/file`},
		{"serve", "netlify-secret-file", short, `quá ngắn (4 byte)`},
		{"serve", "smtp-url", "ftp://mail.example", `địa chỉ phải bắt đầu bằng smtp://`},
		{"serve", "mail-from", "không phải thư", `không phải địa chỉ thư`},
		{"serve", "alert-delay", "0s", `"0s" không hợp lệ: cần từ 1s tới 24h0m0s`},
		{"serve", "alert-delay", "25h", `"25h" không hợp lệ`},
		{"serve", "digest-at", "7:5", `"7:5" không hợp lệ: cần giờ:phút`},
		{"serve", "alert-webhook", "http://bridge.example/hook", `cần https://`},
		{"serve", "console-url", "https://x.example/?a=1", `không hợp lệ: cần địa chỉ https://`},
	}
	for _, tt := range tests {
		variable := "FORMSVC_" + strings.ToUpper(strings.ReplaceAll(tt.flag, "-", "_"))
		names := "--" + tt.flag + " / " + variable + ": "
		t.Run(tt.flag+"="+tt.value+"/flag", func(t *testing.T) {
			code, _, stderr := run(t, nil, tt.cmd, "--"+tt.flag, tt.value)
			if code == 0 || !strings.Contains(stderr, names) || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %q and %q", code, stderr, names, tt.want)
			}
		})
		if tt.value == "" {
			continue // an empty variable is no variable
		}
		t.Run(tt.flag+"="+tt.value+"/env", func(t *testing.T) {
			code, _, stderr := run(t, map[string]string{variable: tt.value}, tt.cmd)
			if code == 0 || !strings.Contains(stderr, names) || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %q and %q", code, stderr, names, tt.want)
			}
		})
	}
}

// Settings that only work together are refused together, by both names.
func TestSettingsThatGoTogether(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--client-ip-header", "X-Real-Ip"}, "--client-ip-header / FORMSVC_CLIENT_IP_HEADER cần đi cùng --trusted-proxies / FORMSVC_TRUSTED_PROXIES"},
		{[]string{"--trusted-proxies", "127.0.0.1/32"}, "--trusted-proxies / FORMSVC_TRUSTED_PROXIES cần đi cùng --client-ip-header / FORMSVC_CLIENT_IP_HEADER"},
		{[]string{"--smtp-url", "smtp://127.0.0.1:2525"}, "--smtp-url / FORMSVC_SMTP_URL cần đi cùng --mail-from / FORMSVC_MAIL_FROM"},
		{[]string{"--alert-webhook", "https://b.example/h"}, "--alert-webhook-secret / FORMSVC_ALERT_WEBHOOK_SECRET: cần ít nhất 32 byte (đang có 0)"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := run(t, nil, append([]string{"serve"}, tt.args...)...)
			if code == 0 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %q", code, stderr, tt.want)
			}
		})
	}
}

// Secrets given in the environment never show in the usage text, and
// the help is the same whatever the environment holds.
func TestHelpShowsDefaultsNotTheEnvironment(t *testing.T) {
	_, _, plain := run(t, nil, "serve", "-h")
	_, _, withEnv := run(t, map[string]string{"FORMSVC_SMTP_URL": "smtp://u:mat-khau-thu@mail.example:587",
		"FORMSVC_ALERT_WEBHOOK_SECRET": "bi-mat-webhook-0123456789abcdef012345", "FORMSVC_ADDR": "0.0.0.0:9"}, "serve", "-h")
	if plain != withEnv {
		t.Errorf("help changes with the environment:\n%s\n---\n%s", plain, withEnv)
	}
	if !strings.Contains(plain, "mặc định: 127.0.0.1:8080") {
		t.Errorf("no default address in the help:\n%s", plain)
	}
}
