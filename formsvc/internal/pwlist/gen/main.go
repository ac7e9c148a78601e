// Command gen writes formsvc/common-passwords.txt from package pwlist:
// go generate ./formsvc (or go run ./formsvc/internal/pwlist/gen -o FILE).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/hoaphong/phongchongmaidam/formsvc/internal/pwlist"
)

func main() {
	out := flag.String("o", "common-passwords.txt", "file to write")
	flag.Parse()
	var buf bytes.Buffer
	if err := pwlist.Write(&buf); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
