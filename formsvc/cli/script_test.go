package cli_test

import (
	"context"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/hoaphong/phongchongmaidam/formsvc/cli"
)

// The formsvc command, run by the txtar scripts in testdata/script as a
// real process with its own arguments, standard input and output.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"formsvc": func() {
			os.Exit(cli.Run(context.Background(), os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			// Each script gets its own database and key file.
			env.Setenv("FORMSVC_DB", env.WorkDir+"/var/formsvc.db")
			env.Setenv("FORMSVC_KEY_FILE", env.WorkDir+"/var/formsvc.key")
			return nil
		},
	})
}
