package web_test

import (
	"os"
	"testing"

	"github.com/hoaphong/phongchongmaidam/internal/teststore"
)

func TestMain(m *testing.M) {
	code := teststore.Main(m)
	fuzzCleanup()
	os.Exit(code)
}
