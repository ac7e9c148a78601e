package formsvc

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"golang.org/x/sync/semaphore"
	"golang.org/x/text/unicode/norm"
)

//go:generate go run ./internal/pwlist/gen -o common-passwords.txt

// Password rules, after NIST SP 800-63B (revision 4, §3.1.1.2):
//   - at least MinPasswordLen characters (Unicode code points, after
//     normalisation). NIST asks for 15 when a password is the only
//     factor and allows 8 with a second one; the second factor is optional
//     for police and social officers, so 15 holds for every account. A few
//     unrelated words ("trâu cày ruộng sáng sớm") pass easily.
//   - no composition rules (no "one digit, one capital"), any printable
//     character including spaces and Vietnamese letters, up to
//     MaxPasswordLen;
//   - normalised to Unicode NFKC before hashing and before every check,
//     so the same password typed with another keyboard (composed or
//     decomposed Vietnamese, full-width digits) is the same password;
//   - refused: control and invisible characters, only spaces, few distinct
//     characters, the username, and the shipped list of common passwords
//     (common-passwords.txt) alone or joined with simple digits.
const (
	MinPasswordLen = 15
	MaxPasswordLen = 256
)

// Vietnamese reasons for a refused password.
const (
	msgPasswordShort     = "Mật khẩu cần ít nhất %d ký tự. Dễ nhớ nhất là một câu gồm vài từ không liên quan đến nhau, ví dụ \"trâu cày ruộng sáng sớm\"."
	msgPasswordLong      = "Mật khẩu không được dài quá %d ký tự."
	msgPasswordControl   = "Mật khẩu không được chứa ký tự điều khiển hay ký tự vô hình (ký tự rỗng, tab, xuống dòng, khoảng trắng độ rộng 0…)."
	msgPasswordSpaces    = "Mật khẩu không được chỉ gồm khoảng trắng."
	msgPasswordRepeats   = "Mật khẩu lặp lại quá ít ký tự khác nhau: kẻ gian đoán được ngay."
	msgPasswordUsername  = "Mật khẩu không được chứa tên đăng nhập."
	msgPasswordCommon    = "Mật khẩu này nằm trong danh sách mật khẩu phổ biến, hay bị lộ, mà kẻ gian thử đầu tiên. Hãy chọn mật khẩu khác."
	msgPasswordGuessable = "Mật khẩu quá dễ đoán: nó chỉ ghép mật khẩu phổ biến, tên người, địa danh hoặc dãy số đơn giản (năm sinh, ngày sinh, 123…). Hãy dùng vài từ không liên quan đến nhau."
)

// NormalizePassword is the form in which a password is hashed and
// checked: Unicode NFKC, as NIST SP 800-63B asks.
func NormalizePassword(pw string) string { return norm.NFKC.String(pw) }

// CheckPasswordRules refuses a password that breaks a rule above, with the
// reason in Vietnamese (EINVALID). context holds words the password must
// not contain, such as the username.
func CheckPasswordRules(pw string, context ...string) error {
	if !utf8.ValidString(pw) {
		return Errorf(EINVALID, msgPasswordControl)
	}
	pw = NormalizePassword(pw)
	spaces := true
	distinct := map[rune]bool{}
	for _, r := range pw {
		if invisible(r) {
			return Errorf(EINVALID, msgPasswordControl)
		}
		if !unicode.IsSpace(r) {
			spaces = false
		}
		distinct[r] = true
	}
	n := utf8.RuneCountInString(pw)
	switch {
	case n > 0 && spaces:
		return Errorf(EINVALID, msgPasswordSpaces)
	case n < MinPasswordLen:
		return Errorf(EINVALID, msgPasswordShort, MinPasswordLen)
	case n > MaxPasswordLen:
		return Errorf(EINVALID, msgPasswordLong, MaxPasswordLen)
	case len(distinct) < 5:
		return Errorf(EINVALID, msgPasswordRepeats)
	}
	key := skeleton(pw)
	for _, c := range context {
		if c := skeleton(c); len(c) >= 3 && strings.Contains(key, c) {
			return Errorf(EINVALID, msgPasswordUsername)
		}
	}
	list := commonPasswords()
	if list[key] || list[compact(pw)] {
		return Errorf(EINVALID, msgPasswordCommon)
	}
	if guessable(key, list) {
		return Errorf(EINVALID, msgPasswordGuessable)
	}
	return nil
}

// invisible: control characters (NUL, tab, line breaks), format
// characters (zero-width spaces and joiners, direction marks, BOM),
// private-use and unassigned code points.
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co) || !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z)
}

// skeleton is the comparison key of a password or a list entry: lower
// case, Vietnamese diacritics and đ folded ("Mật khẩu" is "matkhau"),
// letters and digits only.
func skeleton(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case r == 'đ':
			b.WriteByte('d')
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// compact is a password in lower case without spaces: the key for list
// entries made of symbols ("!@#$%^&*()"), which have no skeleton.
func compact(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), "")
}

//go:embed common-passwords.txt
var commonPasswordsFile string

// commonPasswords is the shipped list by skeleton (and by compact form for
// entries of symbols), read on first use.
var commonPasswords = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for line := range strings.Lines(commonPasswordsFile) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if k := skeleton(line); k != "" {
			m[k] = true
		} else {
			m[compact(line)] = true
		}
	}
	return m
})

// guessable reports whether key splits into at most three pieces, each a
// listed entry or a simple run of digits: "matkhau" + "123456",
// "nguyenthi" + "huong" + "1990", "iloveyou" + "iloveyou".
func guessable(key string, list map[string]bool) bool {
	const most = 3
	// pieces[i]: the fewest pieces that make key[:i] (most+1: more).
	pieces := make([]int, len(key)+1)
	for i := 1; i <= len(key); i++ {
		pieces[i] = most + 1
		for j := max(0, i-64); j < i; j++ {
			if pieces[j]+1 < pieces[i] && (list[key[j:i]] || simpleDigits(key[j:i])) {
				pieces[i] = pieces[j] + 1
			}
		}
	}
	return pieces[len(key)] <= most
}

// simpleDigits: a run of digits that is short (up to four: a year, a PIN),
// one digit repeated, ascending or descending, a short group repeated, or
// a date (ddmmyyyy, yyyymmdd, ddmmyy).
func simpleDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	if len(s) <= 4 {
		return true
	}
	up, down := true, true
	for i := 1; i < len(s); i++ {
		d := (int(s[i]) - int(s[i-1]) + 10) % 10
		up = up && d == 1
		down = down && d == 9
	}
	if up || down {
		return true
	}
	for p := 1; p <= 4 && p < len(s); p++ {
		if strings.Repeat(s[:p], len(s)/p+1)[:len(s)] == s {
			return true
		}
	}
	return isDate(s)
}

func isDate(s string) bool {
	var d, m, y int
	switch len(s) {
	case 6: // ddmmyy
		fmt.Sscanf(s, "%2d%2d%2d", &d, &m, &y)
		return d >= 1 && d <= 31 && m >= 1 && m <= 12
	case 8: // ddmmyyyy or yyyymmdd
		fmt.Sscanf(s, "%2d%2d%4d", &d, &m, &y)
		if d >= 1 && d <= 31 && m >= 1 && m <= 12 && y >= 1900 && y <= 2099 {
			return true
		}
		fmt.Sscanf(s, "%4d%2d%2d", &y, &m, &d)
		return d >= 1 && d <= 31 && m >= 1 && m <= 12 && y >= 1900 && y <= 2099
	}
	return false
}

// passwordParams are argon2id's parameters, above OWASP's minimum
// (m=19 MiB, t=2, p=1): 64 MiB, 2 passes.
var passwordParams = &argon2id.Params{Memory: 64 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Password hashes at once: each takes 64 MiB, so 30 logins at once would
// take 1.9 GB. The rest wait up to hashWait, then are told to try again.
const hashSlots = 2

var hashWait = 3 * time.Second // a variable for the tests only

var hashGate = semaphore.NewWeighted(hashSlots)

// MsgBusyLogin answers a login that found every hash slot taken.
const MsgBusyLogin = "Hệ thống đang bận kiểm tra đăng nhập. Vui lòng đợi một phút rồi thử lại."

// withHashSlot runs fn while holding one of the hash slots, waiting at
// most hashWait (or until ctx ends); EUNAVAILABLE if none came free.
func withHashSlot(ctx context.Context, fn func()) error {
	ctx, cancel := context.WithTimeout(ctx, hashWait)
	defer cancel()
	if err := hashGate.Acquire(ctx, 1); err != nil {
		return Errorf(EUNAVAILABLE, MsgBusyLogin)
	}
	defer hashGate.Release(1)
	fn()
	return nil
}

// HashPassword checks a new password against the rules (context: words it
// must not contain, such as the username) and hashes its normalised form
// with argon2id.
func HashPassword(ctx context.Context, pw string, context ...string) (string, error) {
	if err := CheckPasswordRules(pw, context...); err != nil {
		return "", err
	}
	return RehashPassword(ctx, pw)
}

// RehashPassword hashes a password that was already accepted, without the
// rules: for a hash made before passwords were normalised, renewed at a
// successful login.
func RehashPassword(ctx context.Context, pw string) (string, error) {
	pw = NormalizePassword(pw)
	var h string
	var err error
	if gerr := withHashSlot(ctx, func() { h, err = argon2id.CreateHash(pw, passwordParams) }); gerr != nil {
		return "", gerr
	}
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// CheckPassword compares a password, normalised, with a hash made by
// HashPassword, in constant time. The error is EUNAVAILABLE when no hash
// slot came free: that is no answer about the password, and must not
// count as a failed login.
func CheckPassword(ctx context.Context, pw, hash string) (bool, error) {
	return comparePassword(ctx, NormalizePassword(clipPassword(pw)), hash)
}

// VerifyPassword is the one password check of a login, whatever the
// account: o nil (no such username) compares with a hash of nothing, an
// account whose hash predates normalisation (LegacyHash) with the password
// as typed, any other with its normalised form. Each way runs exactly one
// argon2id comparison with the same parameters, so the time it takes says
// nothing about whether the account exists.
func VerifyPassword(ctx context.Context, o *Officer, hash, pw string) (bool, error) {
	pw = clipPassword(pw)
	switch {
	case o == nil:
		_, err := comparePassword(ctx, NormalizePassword(pw), dummyHash)
		return false, err
	case o.LegacyHash:
		return comparePassword(ctx, pw, hash)
	}
	return comparePassword(ctx, NormalizePassword(pw), hash)
}

func clipPassword(pw string) string {
	if len(pw) > 4*MaxPasswordLen {
		return pw[:4*MaxPasswordLen] // no valid password is longer
	}
	return pw
}

func comparePassword(ctx context.Context, pw, hash string) (bool, error) {
	var ok bool
	var err error
	if gerr := withHashSlot(ctx, func() { ok, err = argon2id.ComparePasswordAndHash(pw, hash) }); gerr != nil {
		return false, gerr
	}
	return err == nil && ok, nil
}

// dummyHash is an argon2id hash, with passwordParams, of a random
// password nobody knows (made once, kept here so that no process spends
// 64 MiB making it): a login for an unknown user compares with it and
// takes as long as a real one.
const dummyHash = "$argon2id$v=19$m=65536,t=2,p=1$R2hT9MlQWGc9j7BZh6IcHQ$YohB/Y3OHMrxAqB6TymVeyZ1/0cnvnw0i2EV0+WgsUk"

// CheckNoPassword spends the time of a password check, for unknown users.
func CheckNoPassword(ctx context.Context, pw string) error {
	_, err := VerifyPassword(ctx, nil, "", pw)
	return err
}
