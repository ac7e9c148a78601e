package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// cliUser names the command line in the audit log.
const cliUser = "(dòng lệnh)"

const officerUsage = "Cách dùng: formsvc officer add|passwd|disable|enable|reset-2fa|set|alerts|list [tùy chọn], hoặc formsvc officer require-2fa on|off"

// runOfficer: formsvc officer add|passwd|disable|enable|reset-2fa|set|alerts|list,
// and require-2fa on|off.
func runOfficer(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, officerUsage)
		return errUsage
	}
	sub, args := args[0], args[1:]
	var onOff string
	if sub == "require-2fa" {
		if len(args) == 0 || (args[0] != "on" && args[0] != "off") {
			fmt.Fprintln(e.stderr, "Cách dùng: formsvc officer require-2fa on|off")
			return errUsage
		}
		onOff, args = args[0], args[1:]
	}
	fs := newFlagSet("officer "+sub, e)
	cfg := storageSettings(fs)
	username := fs.String("username", "", "tên đăng nhập")
	role := fs.String("role", "", "vai trò: admin, police hoặc social (với add)")
	fromStdin := fs.Bool("password-stdin", false, "đọc mật khẩu từ dòng đầu của đầu vào chuẩn thay vì hỏi")
	af := bindAlertFlags(fs.FlagSet)
	if err := fs.parse(args, e.getenv); err != nil {
		return err
	}
	_, db, err := openStore(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	audit := func(action, target, detail string) error {
		return db.Audit(ctx, formsvc.AuditEntry{Username: cliUser, Action: action, Target: target, Detail: detail})
	}
	switch sub {
	case "list":
		return listOfficers(ctx, e, db)
	case "require-2fa":
		if err := db.SetRequireTOTP(ctx, onOff == "on"); err != nil {
			return err
		}
		if onOff == "on" {
			fmt.Fprintln(e.stdout, "Đã bắt buộc xác thực hai bước cho mọi cán bộ: ai chưa bật sẽ được đưa tới trang cài đặt ở lần làm việc tới.")
			return audit(formsvc.AuditSettings, "", "bắt buộc xác thực hai bước cho mọi cán bộ")
		}
		fmt.Fprintln(e.stdout, "Đã bỏ yêu cầu xác thực hai bước (tài khoản quản trị vẫn phải có).")
		return audit(formsvc.AuditSettings, "", "bỏ yêu cầu xác thực hai bước")
	}
	if sub == "alerts" {
		return listOfficerAlerts(ctx, e, db)
	}
	if *username == "" {
		return errors.New("cần --username")
	}
	switch sub {
	case "add":
		if err := checkEmailFlag(af); err != nil {
			return err
		}
		pw, err := readPassword(e, *fromStdin, true)
		if err != nil {
			return err
		}
		o, hash, err := formsvc.NewOfficer(ctx, *username, *role, pw)
		if err != nil {
			return errors.New(formsvc.ErrorMessage(err))
		}
		if err := db.CreateOfficer(ctx, o, hash); err != nil {
			return errors.New(formsvc.ErrorMessage(err))
		}
		fmt.Fprintf(e.stdout, "Đã thêm tài khoản %s (%s).\n", o.Username, formsvc.RoleLabels[o.Role])
		if err := audit(formsvc.AuditOfficerAdd, o.Username, string(o.Role)); err != nil {
			return err
		}
		return setOfficerAlerts(ctx, e, db, fs.FlagSet, af, o)
	case "passwd", "disable", "enable", "reset-2fa", "set":
		o, _, err := db.OfficerByUsername(ctx, *username)
		if err != nil {
			return fmt.Errorf("không có tài khoản %q", *username)
		}
		switch sub {
		case "set":
			if !given(fs.FlagSet, "email") && !given(fs.FlagSet, "alerts") {
				return errors.New("cần --email hoặc --alerts")
			}
			return setOfficerAlerts(ctx, e, db, fs.FlagSet, af, o)
		case "passwd":
			pw, err := readPassword(e, *fromStdin, true)
			if err != nil {
				return err
			}
			hash, err := formsvc.HashPassword(ctx, pw, o.Username)
			if err != nil {
				return errors.New(formsvc.ErrorMessage(err))
			}
			if err := db.SetPassword(ctx, o.ID, hash); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Đã đặt mật khẩu mới cho %s.\n", o.Username)
			return audit(formsvc.AuditOfficerPasswd, o.Username, "")
		case "reset-2fa":
			// For a lost phone: the second factor and its recovery codes are
			// gone; an officer who must have it sets it up at the next login.
			if err := db.SetTOTP(ctx, o.ID, "", false, nil); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Đã tắt xác thực hai bước của %s; nếu tài khoản bắt buộc có, lần đăng nhập tới sẽ phải cài lại.\n", o.Username)
			return audit(formsvc.AuditTOTP, o.Username, "đặt lại bằng dòng lệnh")
		case "disable":
			if err := db.SetDisabled(ctx, o.ID, true); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Đã khóa tài khoản %s.\n", o.Username)
			return audit(formsvc.AuditOfficerDisable, o.Username, "")
		default:
			if err := db.SetDisabled(ctx, o.ID, false); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Đã mở lại tài khoản %s.\n", o.Username)
			return audit(formsvc.AuditOfficerEnable, o.Username, "")
		}
	}
	fmt.Fprintf(e.stderr, "formsvc officer: không có lệnh %q (add, passwd, disable, enable, reset-2fa, set, alerts, list, require-2fa)\n", sub)
	return errUsage
}

func listOfficers(ctx context.Context, e *env, db store) error {
	list, err := db.Officers(ctx)
	if err != nil {
		return err
	}
	required, err := db.RequireTOTP(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TÊN ĐĂNG NHẬP\tVAI TRÒ\tTÌNH TRẠNG\tHAI BƯỚC")
	for _, o := range list {
		state := "đang dùng"
		if o.Disabled {
			state = "đã khóa"
		}
		twoStep := "không"
		switch {
		case o.TOTPEnabled:
			twoStep = "có"
		case o.NeedsTOTP(required):
			twoStep = "chưa bật (bắt buộc)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.Username, o.Role, state, twoStep)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	rule := "chỉ tài khoản quản trị"
	if required {
		rule = "mọi cán bộ"
	}
	_, err = fmt.Fprintf(e.stdout, "Bắt buộc xác thực hai bước: %s\n", rule)
	return err
}

// readPassword reads the password from the first line of standard input
// (--password-stdin), or asks for it twice without echo on a terminal.
func readPassword(e *env, fromStdin, confirm bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", fmt.Errorf("đọc mật khẩu: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	f, ok := e.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", errors.New("không có màn hình để hỏi mật khẩu: dùng --password-stdin")
	}
	fmt.Fprint(e.stderr, "Mật khẩu: ")
	pw, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(e.stderr)
	if err != nil {
		return "", err
	}
	if confirm {
		fmt.Fprint(e.stderr, "Nhập lại mật khẩu: ")
		again, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", err
		}
		if string(again) != string(pw) {
			return "", errors.New("hai lần nhập mật khẩu không giống nhau")
		}
	}
	return string(pw), nil
}
