package console

import (
	"crypto/subtle"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Second-factor codes (RFC 6238 as the apps make them: SHA-1, six digits,
// 30-second steps). A code is accepted for its own step, and for the first
// totpGrace of the next one (it was read, then typed, as the step turned);
// never a later step's, never an older one's. The store then takes each
// step once per account (UseTOTPStep), so a code opens one login only.
const (
	totpPeriod = 30
	totpGrace  = 10 * time.Second
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// matchTOTP returns the time step whose code is code, at now.
func matchTOTP(code, secret string, now time.Time) (step int64, ok bool) {
	cur := now.Unix() / totpPeriod
	steps := []int64{cur}
	if now.Sub(time.Unix(cur*totpPeriod, 0)) < totpGrace {
		steps = append(steps, cur-1)
	}
	for _, s := range steps {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totpOpts)
		if err == nil && len(code) == len(want) && subtle.ConstantTimeCompare([]byte(code), []byte(want)) == 1 {
			return s, true
		}
	}
	return 0, false
}
