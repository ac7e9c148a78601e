package formsvc

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/alexedwards/argon2id"
	"golang.org/x/text/unicode/norm"

	"github.com/hoaphong/phongchongmaidam/formsvc/internal/pwlist"
)

// TestPasswordRules: what the issue found accepted is refused, each with
// its reason in Vietnamese; passphrases pass.
func TestPasswordRules(t *testing.T) {
	refused := []struct {
		name, pw, want string
	}{
		{"ten spaces", strings.Repeat(" ", 10), "chỉ gồm khoảng trắng"},
		{"twenty spaces", strings.Repeat(" ", 20), "chỉ gồm khoảng trắng"},
		{"ten NULs", strings.Repeat("\x00", 10), "ký tự điều khiển"},
		{"twenty NULs", strings.Repeat("\x00", 20), "ký tự điều khiển"},
		{"ten zero-width spaces", strings.Repeat("\u200b", 10), "ký tự vô hình"},
		{"twenty zero-width spaces", strings.Repeat("\u200b", 20), "ký tự vô hình"},
		{"a zero-width space inside", "trâu cày\u200bruộng sáng sớm", "ký tự vô hình"},
		{"a tab inside", "trâu cày\truộng sáng sớm", "ký tự điều khiển"},
		{"a line break inside", "trâu cày\nruộng sáng sớm", "ký tự điều khiển"},
		{"a direction mark", "trâu cày ruộng\u202e sáng sớm", "ký tự vô hình"},
		{"private use", "trâu cày ruộng\ue000 sáng sớm", "ký tự vô hình"},
		{"not UTF-8", "trâu cày ruộng \xff sáng sớm", "ký tự điều khiển"},
		{"1234567890", "1234567890", "ít nhất 15 ký tự"},
		{"short", "ngắn quá", "ít nhất 15 ký tự"},
		{"long", strings.Repeat("trâu cày ", 40), "không được dài quá 256"},
		{"few distinct", "abababababababab", "quá ít ký tự khác nhau"},
		{"one repeated", "aaaaaaaaaaaaaaaaaaaa", "quá ít ký tự khác nhau"},
		{"digit run", "123456789012345", "danh sách mật khẩu phổ biến"},
		{"keyboard row", "1qaz2wsx3edc4rfv", "danh sách mật khẩu phổ biến"},
		{"listed phrase", "anhyeuemnhieulam", "danh sách mật khẩu phổ biến"},
		{"listed phrase with marks and spaces", "Anh yêu em nhiều lắm!", "danh sách mật khẩu phổ biến"},
		{"word and digits", "matkhau123456789", "quá dễ đoán"},
		{"Vietnamese word and digits", "Mật khẩu 123456789", "quá dễ đoán"},
		{"word and symbols", "matkhau@123456789!", "quá dễ đoán"},
		{"word twice", "iloveyouiloveyou", "quá dễ đoán"},
		{"two keyboard rows", "qwertyuiopasdfgh", "quá dễ đoán"},
		{"name and year", "nguyenthihuong1990", "quá dễ đoán"},
		{"name and birthday", "Nguyễn Văn An 12031990", "quá dễ đoán"},
		{"phrase and year", "toi yeu viet nam 2024", "quá dễ đoán"},
		{"place and date", "hanoi 20/11/1985 !", "quá dễ đoán"},
		{"service words", "cong an xa hoa phong", "quá dễ đoán"},
		{"full-width digits", "matkhau１２３４５６７８９", "quá dễ đoán"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPasswordRules(tt.pw)
			if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), tt.want) {
				t.Errorf("CheckPasswordRules(%q) = %v, want EINVALID with %q", tt.pw, err, tt.want)
			}
			if _, err := HashPassword(context.Background(), tt.pw); ErrorCode(err) != EINVALID {
				t.Errorf("HashPassword(%q) = %v, want the same refusal", tt.pw, err)
			}
		})
	}
	if err := CheckPasswordRules("quantri lua chin vang 2026", "quantri"); !strings.Contains(ErrorMessage(err), "tên đăng nhập") {
		t.Errorf("a password holding the username: %v", err)
	}
	for _, pw := range []string{
		"trâu cày ruộng sáng sớm",
		"mat-khau-du-dai-2026",
		"correct horse battery staple",
		"Đồng lúa chín vàng ươm 2026",
		"839201746593817",
		"bánh chưng xanh ngày tết",
		"hoa binh an khang thinh vuong",
	} {
		if err := CheckPasswordRules(pw, "congan"); err != nil {
			t.Errorf("CheckPasswordRules(%q) = %v, want nil", pw, err)
		}
	}
}

// TestPasswordsAreNormalised: the same password typed as composed or
// decomposed Vietnamese, or with full-width digits, is one password.
func TestPasswordsAreNormalised(t *testing.T) {
	ctx := context.Background()
	composed := "Đồng lúa chín vàng ươm 2026"
	decomposed := norm.NFD.String(composed)
	if composed == decomposed {
		t.Fatal("the test needs a password that NFD changes")
	}
	hash, err := HashPassword(ctx, decomposed)
	if err != nil {
		t.Fatal(err)
	}
	for _, typed := range []string{composed, decomposed, "Đồng lúa chín vàng ươm ２０２６"} {
		if ok, err := CheckPassword(ctx, typed, hash); !ok || err != nil {
			t.Errorf("CheckPassword(%q) = %v, %v; want true", typed, ok, err)
		}
		if ok, _ := VerifyPassword(ctx, &Officer{}, hash, typed); !ok {
			t.Errorf("VerifyPassword(%q) = false", typed)
		}
	}
	if ok, _ := CheckPassword(ctx, "Dong lua chin vang uom 2026", hash); ok {
		t.Error("a password without its marks matched")
	}
}

// TestLegacyHashesStillWork: a hash made from the text as typed, before
// normalisation, is checked with the text as typed; a new hash of the
// same password is checked with its normalised form.
func TestLegacyHashesStillWork(t *testing.T) {
	ctx := context.Background()
	typed := norm.NFD.String("mật khẩu cũ 10") // short, and decomposed: what older versions accepted
	legacy, err := argon2id.CreateHash(typed, passwordParams)
	if err != nil {
		t.Fatal(err)
	}
	o := &Officer{LegacyHash: true}
	if ok, _ := VerifyPassword(ctx, o, legacy, typed); !ok {
		t.Error("the legacy hash does not open with the password as typed")
	}
	renewed, err := RehashPassword(ctx, typed)
	if err != nil {
		t.Fatal(err)
	}
	o.LegacyHash = false
	for _, pw := range []string{typed, norm.NFC.String(typed)} {
		if ok, _ := VerifyPassword(ctx, o, renewed, pw); !ok {
			t.Errorf("the renewed hash does not open with %q", pw)
		}
	}
}

// TestUnknownUserCostsOneRealCheck: the hash an unknown user is compared
// with has the very parameters of real ones, so it costs the same.
func TestUnknownUserCostsOneRealCheck(t *testing.T) {
	p, _, _, err := argon2id.DecodeHash(dummyHash)
	if err != nil {
		t.Fatal(err)
	}
	if *p != *passwordParams {
		t.Errorf("dummy hash params = %+v, want %+v", *p, *passwordParams)
	}
	if ok, err := VerifyPassword(context.Background(), nil, "", "bất cứ mật khẩu nào"); ok || err != nil {
		t.Errorf("unknown user: %v, %v; want false, nil", ok, err)
	}
}

// TestCommonPasswordListIsGenerated: the shipped file is exactly what
// formsvc/internal/pwlist makes (run go generate ./formsvc after a change),
// says where it comes from, and holds Vietnamese entries.
func TestCommonPasswordListIsGenerated(t *testing.T) {
	var buf bytes.Buffer
	if err := pwlist.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if buf.String() != commonPasswordsFile {
		t.Fatal("common-passwords.txt is stale: run go generate ./formsvc")
	}
	if !strings.HasPrefix(commonPasswordsFile, "# ") || !strings.Contains(commonPasswordsFile, "Origin:") {
		t.Error("the file does not say where it comes from")
	}
	list := commonPasswords()
	if len(list) < 3000 {
		t.Errorf("%d entries, want a few thousand", len(list))
	}
	for _, pw := range []string{"matkhau", "123456789", "anhyeuem", "iloveyou", "matkhau123", "vietnam", "hanoi", "p@ssw0rd", "!@#$%^&*()"} {
		if !list[skeleton(pw)] && !list[compact(pw)] {
			t.Errorf("%q is not in the list", pw)
		}
	}
}
