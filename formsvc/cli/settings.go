package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// A command's flags are of two sorts: its own (backup's --out), and the
// settings it takes from the groups in config.go (--db, --submit-limit).
// A setting can also be given by the environment variable of the same
// name (--submit-limit, FORMSVC_SUBMIT_LIMIT); the flag wins. Each setting
// is a typed flag.Value, so a bad value is refused while it is read, from
// the flag or the variable, with both names in the message. A command
// registers only the groups it uses: a variable of a setting it does not
// take is never read.

// flagSet is one command's flags.
type flagSet struct {
	*flag.FlagSet
	name   string
	stderr io.Writer
	bad    error // a setting's value refused during Parse
}

// newFlagSet makes a command's flag set with a Vietnamese usage text.
func newFlagSet(name string, e *env) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), name: name, stderr: e.stderr}
	// The flag package's own messages would repeat ours in English; the
	// ones it has alone (an unknown flag) parse returns.
	fs.SetOutput(io.Discard)
	fs.Usage = fs.usage
	return fs
}

// setting is a configuration value registered on a flag set.
type setting struct {
	flag.Value
	fs   *flagSet
	name string // the flag's name, "submit-limit"
}

// Set parses s and names the flag and the variable if it is refused.
func (s *setting) Set(v string) error {
	if err := s.Value.Set(v); err != nil {
		err = fmt.Errorf("%s: %w", settingNames(s.name), err)
		if s.fs.bad == nil {
			s.fs.bad = err
		}
		return err
	}
	return nil
}

// envName is the environment variable of a setting: FORMSVC_SUBMIT_LIMIT
// for submit-limit.
func envName(flagName string) string {
	return "FORMSVC_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// settingNames is how messages name a setting: by its flag and its
// variable, as either may have set it.
func settingNames(flagName string) string {
	return "--" + flagName + " / " + envName(flagName)
}

// setting registers a setting: v holds its default and parses what is
// given.
func (fs *flagSet) setting(name string, v flag.Value, help string) {
	fs.Var(&setting{Value: v, fs: fs, name: name}, name, help)
}

// parse reads args, then gives each setting that args leave out the value
// of its environment variable, if set. Asking for help is not an error.
func (fs *flagSet) parse(args []string, getenv func(string) string) error {
	if err := fs.Parse(args); err != nil {
		switch {
		case errors.Is(err, flag.ErrHelp):
			return errHelp
		case fs.bad != nil:
			return fs.bad
		}
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		s, ok := f.Value.(*setting)
		if !ok || given[f.Name] {
			return
		}
		if v := getenv(envName(f.Name)); v != "" {
			if err := s.Set(v); err != nil {
				errs = append(errs, err)
			}
		}
	})
	return errors.Join(errs...)
}

// usage lists the command's own flags, then its settings with their
// variables. A failed setting's message is enough: no list after it.
func (fs *flagSet) usage() {
	if fs.bad != nil {
		return
	}
	var own, settings strings.Builder
	fs.VisitAll(func(f *flag.Flag) {
		b := &own
		var notes []string
		if _, ok := f.Value.(*setting); ok {
			b = &settings
			notes = append(notes, "biến môi trường "+envName(f.Name))
		}
		if f.DefValue != "" && f.DefValue != "false" {
			notes = append(notes, "mặc định: "+f.DefValue)
		}
		fmt.Fprintf(b, "  --%s\n      %s", f.Name, f.Usage)
		if len(notes) > 0 {
			fmt.Fprintf(b, " (%s)", strings.Join(notes, "; "))
		}
		b.WriteString("\n")
	})
	fmt.Fprintf(fs.stderr, "Cách dùng: formsvc %s [tùy chọn]\n", fs.name)
	if own.Len() > 0 {
		fmt.Fprintf(fs.stderr, "\nTùy chọn:\n%s", own.String())
	}
	if settings.Len() > 0 {
		fmt.Fprintf(fs.stderr, "\nCấu hình (tùy chọn, hoặc biến môi trường cùng tên; tùy chọn được ưu tiên):\n%s", settings.String())
	}
}

// errHelp: the usage was printed on request.
var errHelp = errors.New("help")
