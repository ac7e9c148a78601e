package web_test

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	fuzzCleanup()
	os.Exit(code)
}
