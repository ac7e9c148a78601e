package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"math/big"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// maxIdempotencyKey bounds the Idempotency-Key header.
const maxIdempotencyKey = 128

var receiptSpace = new(big.Int).Exp(big.NewInt(10), big.NewInt(formsvc.ReceiptDigits), nil)

// validIdempotencyKey: 1 to 128 visible ASCII characters.
func validIdempotencyKey(k string) bool {
	if len(k) == 0 || len(k) > maxIdempotencyKey {
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
// Idempotency-Key: a retry derives the same receipt, finds its hash already
// stored, and gets the same answer without a second record. Nothing about
// the key is stored; without the service's secret the receipt cannot be
// derived from the key.
func idempotentReceipt(secret []byte, kind formsvc.Kind, key string) formsvc.Receipt {
	m := hmac.New(sha256.New, secret)
	fmt.Fprintf(m, "idempotency:%s:%s", kind, key)
	n := new(big.Int).SetBytes(m.Sum(nil))
	return formsvc.Receipt(fmt.Sprintf("%0*d", formsvc.ReceiptDigits, n.Mod(n, receiptSpace)))
}
