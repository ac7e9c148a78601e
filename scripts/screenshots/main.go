// Command screenshots builds the site, serves it with the real form service
// on a loopback port, and saves what a person sees on a 360×740 phone
// screen as PNG files, for a person to look at. The files are not
// committed, except the README's picture of the officers' inbox:
//
//	go run ./scripts/screenshots [-out DIR] [-full] [-nojs] [-pdf] [-click SELECTOR] [-name NAME] [-height PX] [path ...]
//	go run ./scripts/screenshots -console -height 1280 -out docs -name console-inbox-360   # docs/console-inbox-360.png
//
// Without paths it takes the home page, an article, the directory and the
// two forms. With -console the service's database is filled by `formsvc
// demo` (fictional records, the same each time) and the demo police
// officer logs in first; without paths it takes the inbox. -name names
// the file of a single path (else the path does).
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/hoaphong/phongchongmaidam/internal/testsite"
)

var defaultPaths = []string{
	"/",
	"/tuyen-truyen/cach-gui-tin-bao-an-toan/",
	"/danh-ba/",
	"/gui-tin-bao/",
	"/yeu-cau-ho-tro/",
}

func main() {
	out := flag.String("out", filepath.Join(os.TempDir(), "screenshots"), "folder for the PNG files")
	full := flag.Bool("full", false, "take the whole page, not only the first screen")
	noJS := flag.Bool("nojs", false, "turn JavaScript off")
	pdf := flag.Bool("pdf", false, "also print each page to an A4 PDF, as the browser's Print does")
	click := flag.String("click", "", "a CSS selector to click before each screenshot (for example \".menu summary\")")
	console := flag.Bool("console", false, "fill the database with demo data and log in as the demo police officer first")
	name := flag.String("name", "", "the file name (without .png) for a single path")
	height := flag.Int64("height", 740, "the screen's height in CSS pixels (360 px wide)")
	flag.Parse()
	paths := flag.Args()
	if len(paths) == 0 {
		paths = defaultPaths
		if *console {
			paths = []string{"/officer/"}
		}
	}
	if *name != "" && len(paths) != 1 {
		fmt.Fprintln(os.Stderr, "screenshots: -name needs exactly one path")
		os.Exit(2)
	}
	if err := run(*out, paths, *full, !*noJS, *pdf, *click, *console, *name, *height); err != nil {
		fmt.Fprintln(os.Stderr, "screenshots:", err)
		os.Exit(1)
	}
}

func run(out string, paths []string, full, js, pdf bool, click string, console bool, fileName string, height int64) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "screenshots-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	site := filepath.Join(tmp, "public")
	if err := testsite.BuildInto(site); err != nil {
		return err
	}
	base, password, stop, err := serve(tmp, site, console)
	if err != nil {
		return err
	}
	defer stop()

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.UserDataDir(filepath.Join(tmp, "profile")),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.WindowSize(360, int(height)),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancelC := chromedp.NewContext(actx)
	defer cancelC()
	ctx, cancelT := context.WithTimeout(ctx, 2*time.Minute)
	defer cancelT()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, height, chromedp.EmulateMobile)); err != nil {
		return err
	}
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !js}); err != nil {
		return err
	}
	if console {
		if err := chromedp.Do(ctx,
			chromedp.Navigate(base+"/officer/login"),
			chromedp.SendKeys(chromedp.ID("username"), "demo-congan", chromedp.NodeVisible),
			chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.Click(chromedp.CSS(`form[action="/officer/login"] button`)),
			chromedp.WaitVisible(chromedp.CSS("table.cases")),
		); err != nil {
			return fmt.Errorf("log in as demo-congan: %w", err)
		}
	}
	for _, p := range paths {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+p)); err != nil {
			return fmt.Errorf("open %s: %w", p, err)
		}
		if click != "" {
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(click), chromedp.NodeVisible)); err != nil {
				return fmt.Errorf("click %s on %s: %w", click, p, err)
			}
		}
		var shot []byte
		if full {
			shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
		} else {
			shot, err = chromedp.Run(ctx, chromedp.CaptureScreenshot())
		}
		if err != nil {
			return fmt.Errorf("screenshot %s: %w", p, err)
		}
		name := strings.Trim(strings.ReplaceAll(p, "/", "_"), "_")
		if name == "" {
			name = "home"
		}
		if fileName != "" {
			name = fileName
		}
		file := filepath.Join(out, name+".png")
		if err := os.WriteFile(file, shot, 0o644); err != nil {
			return err
		}
		fmt.Println(file)
		if pdf {
			b, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize()))
			if err != nil {
				return fmt.Errorf("print %s: %w", p, err)
			}
			if err := os.WriteFile(filepath.Join(out, name+".pdf"), b, 0o644); err != nil {
				return err
			}
		}
		if full {
			if err := tiles(shot, strings.TrimSuffix(file, ".png")); err != nil {
				return err
			}
		}
	}
	return nil
}

// tiles cuts a whole-page screenshot into screen-high pieces, each easy
// to look at: NAME-1.png, NAME-2.png, ...
func tiles(b []byte, name string) error {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return err
	}
	r := img.Bounds()
	const h = 740
	for i, y := 1, r.Min.Y; y < r.Max.Y; i, y = i+1, y+h {
		sub := image.NewRGBA(image.Rect(0, 0, r.Dx(), min(h, r.Max.Y-y)))
		draw.Draw(sub, sub.Bounds(), img, image.Pt(r.Min.X, y), draw.Src)
		var buf bytes.Buffer
		if err := png.Encode(&buf, sub); err != nil {
			return err
		}
		if err := os.WriteFile(fmt.Sprintf("%s-%d.png", name, i), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

var urlRe = regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)/`)

var passwordRe = regexp.MustCompile(`cùng một mật khẩu: (\S+)`)

// serve builds and starts `formsvc serve` on a free loopback port; with
// demo, on a database that `formsvc demo` filled first, whose officers'
// password it returns.
func serve(tmp, site string, demo bool) (base, password string, stop func(), err error) {
	bin := filepath.Join(tmp, "formsvc")
	build := exec.Command("go", "build", "-o", bin, "./formsvc/cmd/formsvc")
	build.Dir = testsite.Root()
	if b, err := build.CombinedOutput(); err != nil {
		return "", "", nil, fmt.Errorf("build formsvc: %v\n%s", err, b)
	}
	db, key := filepath.Join(tmp, "f.db"), filepath.Join(tmp, "f.key")
	if demo {
		// A fixed end and seed: the same records each time.
		b, err := exec.Command(bin, "demo", "--db", db, "--key-file", key, "--tips", "60", "--support", "25",
			"--months", "3", "--until", "2026-06-30", "--seed", "1").CombinedOutput()
		if err != nil {
			return "", "", nil, fmt.Errorf("formsvc demo: %v\n%s", err, b)
		}
		m := passwordRe.FindSubmatch(b)
		if m == nil {
			return "", "", nil, fmt.Errorf("formsvc demo printed no password:\n%s", b)
		}
		password = string(m[1])
	}
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", db, "--key-file", key, "--site", site)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return "", "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", "", nil, err
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := urlRe.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	stop = func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}
	select {
	case u := <-found:
		return u, password, stop, nil
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		return "", "", nil, fmt.Errorf("formsvc did not start")
	}
}
