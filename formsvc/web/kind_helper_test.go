package web_test

import (
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// defaultKind is the binary's own definition of kind k.
func defaultKind(t testing.TB, k formsvc.Kind) *formsvc.KindDef {
	t.Helper()
	spec, err := formsvc.DefaultSpec()
	if err != nil {
		t.Fatal(err)
	}
	return spec.Kind(k)
}
