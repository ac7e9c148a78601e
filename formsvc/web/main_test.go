package web_test

import (
	"os"
	"testing"

	"github.com/hoaphong/phongchongmaidam/internal/testsite"
)

func TestMain(m *testing.M) {
	code := m.Run()
	fuzzCleanup()
	testsite.Cleanup()
	os.Exit(code)
}
