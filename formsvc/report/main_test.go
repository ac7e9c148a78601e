package report_test

import (
	"os"
	"testing"

	"github.com/hoaphong/phongchongmaidam/internal/teststore"
)

// The tests run on the store FORMSVC_TEST_STORE names (see teststore).
func TestMain(m *testing.M) { os.Exit(teststore.Main(m)) }
