package formsvc

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"math/big"
	"strings"
)

// ReceiptDigits is the length of a receipt code.
const ReceiptDigits = 16

var receiptSpace = new(big.Int).Exp(big.NewInt(10), big.NewInt(ReceiptDigits), nil)

// Receipt is the secret code a reporter keeps to follow up: 16 decimal
// digits from crypto/rand. It is shown once and stored only as a keyed hash.
type Receipt string

// NewReceipt draws a receipt uniformly from the 10^16 possible codes.
func NewReceipt() Receipt {
	n, err := rand.Int(rand.Reader, receiptSpace)
	if err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // the OS source does not fail
	}
	return Receipt(fmt.Sprintf("%0*d", ReceiptDigits, n))
}

// ParseReceipt accepts a code typed by a person: spaces and dashes are
// ignored; anything else but exactly 16 digits is refused.
func ParseReceipt(s string) (Receipt, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '\t':
		default:
			return "", false
		}
	}
	if b.Len() != ReceiptDigits {
		return "", false
	}
	return Receipt(b.String()), true
}

// String formats the receipt in groups of four: 1234-5678-9012-3456.
func (r Receipt) String() string {
	s := string(r)
	if len(s) != ReceiptDigits {
		return s
	}
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
}

// ReceiptHasher turns a receipt into the keyed hash that is stored.
// Without the key, the stored hashes cannot be tested against guesses.
type ReceiptHasher struct{ key []byte }

// NewReceiptHasher makes a hasher with a secret key of at least 32 bytes.
func NewReceiptHasher(key []byte) *ReceiptHasher { return &ReceiptHasher{key: key} }

// Hash is HMAC-SHA-256 of the receipt's digits under the key.
func (h *ReceiptHasher) Hash(r Receipt) []byte {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(r))
	return m.Sum(nil)
}
