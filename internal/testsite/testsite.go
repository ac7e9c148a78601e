// Package testsite builds the real Hugo site once per test process, for
// tests that need the built pages (the form service answers plain form
// posts with them; the browser tests browse them).
package testsite

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var (
	once sync.Once
	dir  string
	err  error
)

// Root is the repository's root folder.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Build runs `go tool hugo --source site --panicOnWarning` into a temporary
// folder (once per process) and returns that folder. Call Cleanup from
// TestMain to remove it.
func Build(tb testing.TB) string {
	tb.Helper()
	once.Do(func() {
		dir, err = os.MkdirTemp("", "site-public-*")
		if err != nil {
			return
		}
		err = BuildInto(dir)
	})
	if err != nil {
		tb.Fatalf("build the site: %v", err)
	}
	return dir
}

// BuildInto builds the site into dest. env adds variables to Hugo's
// environment, such as HUGO_PARAMS_DIRECTORYPAGESIZE=4 to override a
// setting of site/hugo.toml.
func BuildInto(dest string, env ...string) error {
	cmd := exec.Command("go", "tool", "hugo", "--source", "site", "--destination", dest,
		"--panicOnWarning", "--cleanDestinationDir", "--quiet")
	cmd.Dir = Root()
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("hugo: %v\n%s", err, out)
	}
	return nil
}

// Cleanup removes the built site.
func Cleanup() {
	if dir != "" {
		os.RemoveAll(dir)
	}
}
