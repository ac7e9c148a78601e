package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"net/http"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// An Idempotency-Key is 16 to 128 visible ASCII characters: long enough
// that a random key (a UUID) cannot be guessed.
const (
	minIdempotencyKey = 16
	maxIdempotencyKey = 128
)

// idempotencyField carries the key in a plain form post (site.js adds it
// when it falls back to one); the forms do not have it otherwise.
const idempotencyField = "idempotency_key"

var receiptSpace = new(big.Int).Exp(big.NewInt(10), big.NewInt(formsvc.ReceiptDigits), nil)

// validIdempotencyKey: 16 to 128 visible ASCII characters.
func validIdempotencyKey(k string) bool {
	if len(k) < minIdempotencyKey || len(k) > maxIdempotencyKey {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// idempotentReceipt derives the receipt of a submission sent with an
// Idempotency-Key from the service's secret, the key and the submission
// itself (its cleaned content and photos): a retry of the same submission
// derives the same receipt, finds its hash already stored, and gets the
// same answer without a second record. A different submission under the
// same key derives another receipt, so a key never leads to someone
// else's report. Nothing about the key is stored.
func idempotentReceipt(secret []byte, sub *formsvc.Submission, key string) (formsvc.Receipt, error) {
	content, err := sub.Content.MarshalBinary()
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, secret)
	field := func(b []byte) {
		binary.Write(m, binary.BigEndian, uint64(len(b)))
		m.Write(b)
	}
	field([]byte("idempotency"))
	field([]byte(sub.Kind))
	field([]byte(key))
	field(content)
	for _, p := range sub.Photos {
		field([]byte(p.ContentType))
		field(p.Data)
	}
	n := new(big.Int).SetBytes(m.Sum(nil))
	return formsvc.Receipt(fmt.Sprintf("%0*d", formsvc.ReceiptDigits, n.Mod(n, receiptSpace))), nil
}

// plainSpan is how long a plain post's derived key lasts.
const plainSpan = 10 * time.Minute

// plainKey is the idempotency key of a plain form post: a keyed hash of
// the client's address and the ten-minute span (offset spans from now),
// under Keys.Address (the same in every instance). Like every key it only derives a
// receipt together with the submission's own content; two people behind
// one address who send the very same words within minutes would share
// one record, which is what they sent.
func (s *Server) plainKey(r *http.Request, offset int64) string {
	span := s.now().Unix()/int64(plainSpan/time.Second) + offset
	m := hmac.New(sha256.New, s.keys.Address)
	fmt.Fprintf(m, "plain|%s|%d", clientKey(r), span)
	return hex.EncodeToString(m.Sum(nil))
}
