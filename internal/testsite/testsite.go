// Package testsite builds the real Hugo site once per test process, for
// tests that need the built pages: the checks of the build in site/ (one
// of them keeps formsvc/web/testdata/site, the form service's test
// fixture, in step with it) and the browser tests in e2e/.
package testsite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc/web"
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

// BuildWith builds a copy of the site into dest, with extra files added to
// the copy (paths from the repository's root, such as
// "data/so-lieu/2026-h1.json"): the site as it would be with those data.
func BuildWith(dest string, extra map[string][]byte) error {
	root, err := os.MkdirTemp("", "site-copy-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(root)
	for _, d := range []string{"content", "data", "site/layouts", "site/assets", "site/static", "site/i18n", "site/hugo.toml"} {
		if err := copyTree(filepath.Join(Root(), d), filepath.Join(root, d)); err != nil {
			return err
		}
	}
	for name, b := range extra {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return err
		}
	}
	// (Not --quiet: it silences the errors a test may look for.)
	cmd := exec.Command("go", "tool", "hugo", "--source", filepath.Join(root, "site"), "--destination", dest,
		"--panicOnWarning", "--cleanDestinationDir")
	cmd.Dir = Root()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("hugo: %v\n%s", err, out)
	}
	return nil
}

// copyTree copies a file or a folder; a missing one is skipped.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == src {
			return nil
		}
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}

// Unlisted reports whether the page at url is one the service fills in
// and answers with (a form's confirmation, the error page): built, but
// listed nowhere, not in the sitemap nor in the site's search.
func Unlisted(url string) bool {
	return strings.HasSuffix(url, "/"+web.ConfirmationChild) || url == web.ErrorPagePath
}
