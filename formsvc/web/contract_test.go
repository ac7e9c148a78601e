package web_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/web"
)

// fixtureSite is the site these tests serve: a few pages of the real Hugo
// build (the form pages, their confirmations, the follow-up page, the
// error page, 404, the home page, one stylesheet and one script) and its
// contract, copied by site/webfixture_test.go. That test fails when the
// copy is out of step with the real build; this command rewrites it:
//
//go:generate go test -count=1 ../../site -run ^TestWebFixture$ -update
var fixtureSite = filepath.Join("testdata", "site")

// copySite copies the fixture into a folder of the test's own.
func copySite(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(fixtureSite)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestSiteContract: the fixture was built from this binary's forms.yaml and
// has every slot the service fills; a site from another forms.yaml, or one
// missing a slot or its contract, is refused with a message that says to
// rebuild; no site at all is ErrNoSite. (site/ checks the real build.)
func TestSiteContract(t *testing.T) {
	spec, err := formsvc.ParseSpec(data.FormsYAML)
	if err != nil {
		t.Fatal(err)
	}
	if err := web.CheckSite(fixtureSite, spec, data.FormsYAML); err != nil {
		t.Fatalf("the fixture %s is out of step with data/forms.yaml or the service: run `go generate ./formsvc/web`: %v", fixtureSite, err)
	}
	other := []byte(strings.Replace(string(data.FormsYAML), "Địa điểm", "Nơi chốn", 1))
	if err := web.CheckSite(fixtureSite, spec, other); err == nil || !strings.Contains(err.Error(), "forms.yaml khác") || !strings.Contains(err.Error(), "dựng lại") {
		t.Errorf("another forms.yaml: %v", err)
	}
	noSlot := copySite(t)
	page := filepath.Join(noSlot, "gui-tin-bao", "da-gui", "index.html")
	b, _ := os.ReadFile(page)
	os.WriteFile(page, []byte(strings.ReplaceAll(string(b), "data-receipt", "data-x")), 0o644)
	if err := web.CheckSite(noSlot, spec, data.FormsYAML); err == nil || !strings.Contains(err.Error(), "data-receipt") {
		t.Errorf("a confirmation page without its slot: %v", err)
	}
	noContract := copySite(t)
	os.Remove(filepath.Join(noContract, web.ContractFile))
	if err := web.CheckSite(noContract, spec, data.FormsYAML); err == nil || !strings.Contains(err.Error(), web.ContractFile) {
		t.Errorf("a site without its contract: %v", err)
	}
	if err := web.CheckSite(t.TempDir(), spec, data.FormsYAML); !errors.Is(err, web.ErrNoSite) {
		t.Errorf("an empty folder: %v, want ErrNoSite", err)
	}
}
