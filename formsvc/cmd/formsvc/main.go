// Command formsvc is the commune's form service: it serves the site and the
// API, and administers accounts, exports, reports and backups.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/hoaphong/phongchongmaidam/formsvc/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
