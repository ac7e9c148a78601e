package e2e

import (
	"debug/elf"
	"os/exec"
	"strings"
	"testing"
)

// TestBinaryIsStatic: CGO_ENABLED=0 gives one binary that needs no shared
// library and no dynamic loader, so it runs on any Linux of its CPU.
func TestBinaryIsStatic(t *testing.T) {
	f, err := elf.Open(binary)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("the binary has a %v program header: it is dynamically linked", p.Type)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %v", libs)
	}
	out, err := exec.Command(binary, "version").Output()
	if err != nil || strings.TrimSpace(string(out)) != "formsvc "+testVersion {
		t.Errorf("formsvc version = %q, %v", out, err)
	}
}
