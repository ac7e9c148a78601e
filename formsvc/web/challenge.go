package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// A proof-of-work challenge in the ALTCHA format (version 1): the server
// picks a random salt and a secret number n ≤ maxnumber, and sends
// SHA-256(salt + n) with an HMAC of it under a key only the server holds;
// the browser finds n by trying 0, 1, 2, … and sends it back. Nothing is
// stored for a challenge until it is answered, no cookie is set, and no
// third party is involved. Asked only while the service is under
// pressure (see shares), so that a flood that does not run the site's
// JavaScript cannot use up the share of the people who do.

// PowHeader carries the answer, base64 of the JSON powAnswer.
const PowHeader = "X-Formsvc-Pow"

// Challenge difficulty and lifetime. With maxnumber 50,000 a browser tries
// 25,000 hashes on average (well under a second on a phone with Web
// Crypto); the lifetime leaves time to fill in a form.
const (
	powMaxNumber = 50_000
	powLifetime  = 15 * time.Minute
)

// Challenge is what the browser is asked to solve.
type Challenge struct {
	Algorithm string `json:"algorithm"`
	Challenge string `json:"challenge"`
	MaxNumber int    `json:"maxnumber"`
	Salt      string `json:"salt"`
	Signature string `json:"signature"`
}

// powAnswer is the solved challenge sent back in PowHeader.
type powAnswer struct {
	Algorithm string `json:"algorithm"`
	Challenge string `json:"challenge"`
	Number    int    `json:"number"`
	Salt      string `json:"salt"`
	Signature string `json:"signature"`
}

// pow issues and checks challenges; answers are good once. The key is
// the same in every instance (Keys.Challenge) and spent answers are in
// the shared state, so a challenge issued by one instance is answered to
// any, and only once.
type pow struct {
	key       []byte
	maxNumber int
	now       func() time.Time
	spent     formsvc.OnceSet
}

func (p *pow) sign(challenge string) string {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(challenge))
	return hex.EncodeToString(m.Sum(nil))
}

func powHash(salt string, n int) string {
	h := sha256.Sum256([]byte(salt + strconv.Itoa(n)))
	return hex.EncodeToString(h[:])
}

// issue makes a new challenge.
func (p *pow) issue() Challenge {
	b := make([]byte, 12)
	rand.Read(b)
	salt := hex.EncodeToString(b) + "?expires=" + strconv.FormatInt(p.now().Add(powLifetime).Unix(), 10)
	nb, _ := rand.Int(rand.Reader, big.NewInt(int64(p.maxNumber)+1))
	challenge := powHash(salt, int(nb.Int64()))
	return Challenge{Algorithm: "SHA-256", Challenge: challenge, MaxNumber: p.maxNumber, Salt: salt, Signature: p.sign(challenge)}
}

// verify checks an answer (PowHeader's value) and spends it: a second use
// of one answer fails.
func (p *pow) verify(ctx context.Context, header string) error {
	if header == "" {
		return fmt.Errorf("no answer")
	}
	if len(header) > 1024 {
		return fmt.Errorf("answer too long")
	}
	raw, err := base64.StdEncoding.DecodeString(header)
	if err != nil {
		return fmt.Errorf("answer is not base64: %w", err)
	}
	var a powAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		return fmt.Errorf("answer is not JSON: %w", err)
	}
	if a.Algorithm != "SHA-256" || a.Number < 0 || a.Number > p.maxNumber {
		return fmt.Errorf("answer out of range")
	}
	if !hmac.Equal([]byte(p.sign(a.Challenge)), []byte(a.Signature)) {
		return fmt.Errorf("not a challenge of this service")
	}
	_, query, _ := strings.Cut(a.Salt, "?")
	q, _ := url.ParseQuery(query)
	exp, err := strconv.ParseInt(q.Get("expires"), 10, 64)
	now := p.now()
	if err != nil || now.Unix() > exp {
		return fmt.Errorf("challenge expired")
	}
	if powHash(a.Salt, a.Number) != a.Challenge {
		return fmt.Errorf("wrong number")
	}
	first, err := p.spent.SpendOnce(ctx, sha256.Sum256([]byte("pow\x00"+a.Challenge)), time.Unix(exp, 0))
	if err != nil {
		return fmt.Errorf("spent answers unavailable: %w", err)
	}
	if !first {
		return fmt.Errorf("answer already used")
	}
	return nil
}

// Solve finds the number of a challenge, as the site's JavaScript does;
// for tests and benchmarks that act as a browser.
func Solve(c Challenge) (string, error) {
	for n := 0; n <= c.MaxNumber; n++ {
		if powHash(c.Salt, n) == c.Challenge {
			b, _ := json.Marshal(powAnswer{Algorithm: c.Algorithm, Challenge: c.Challenge, Number: n, Salt: c.Salt, Signature: c.Signature})
			return base64.StdEncoding.EncodeToString(b), nil
		}
	}
	return "", fmt.Errorf("no solution up to %d", c.MaxNumber)
}

// challengeBody answers GET /api/v1/challenge: whether a form post must
// now carry a solved challenge, and one to solve if so.
type challengeBody struct {
	Required  bool       `json:"required"`
	Challenge *Challenge `json:"challenge,omitempty"`
}

// handleChallenge lets the site's JavaScript start solving in the
// background while the person is still writing, so that the post itself
// is not delayed. Issuing costs one HMAC and stores nothing.
func (s *Server) handleChallenge() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var b challengeBody
		if s.submit.pressed(r.Context()) || s.followUp.pressed(r.Context()) {
			b = challengeBody{Required: true, Challenge: ptr(s.pow.issue())}
		}
		writeJSON(w, http.StatusOK, b)
	}
}
