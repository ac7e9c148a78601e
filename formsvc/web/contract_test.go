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
	"github.com/hoaphong/phongchongmaidam/internal/testsite"
)

// copySite copies the built site into a folder of the test's own.
func copySite(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(testsite.Build(t))); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestSiteContract: the real build matches this binary's forms.yaml and
// has every slot the service fills; a site from another forms.yaml, or one
// missing a slot or its contract, is refused with a message that says to
// rebuild; no site at all is ErrNoSite.
func TestSiteContract(t *testing.T) {
	spec, err := formsvc.ParseSpec(data.FormsYAML)
	if err != nil {
		t.Fatal(err)
	}
	if err := web.CheckSite(testsite.Build(t), spec, data.FormsYAML); err != nil {
		t.Fatalf("the real build: %v", err)
	}
	other := []byte(strings.Replace(string(data.FormsYAML), "Địa điểm", "Nơi chốn", 1))
	if err := web.CheckSite(testsite.Build(t), spec, other); err == nil || !strings.Contains(err.Error(), "forms.yaml khác") || !strings.Contains(err.Error(), "dựng lại") {
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
