// Package specs gives tests the binary's own forms and kinds.
package specs

import (
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// Kind is the binary's definition of kind k (formsvc.DefaultSpec).
func Kind(t testing.TB, k formsvc.Kind) *formsvc.KindDef {
	t.Helper()
	spec, err := formsvc.DefaultSpec()
	if err != nil {
		t.Fatal(err)
	}
	return spec.Kind(k)
}
