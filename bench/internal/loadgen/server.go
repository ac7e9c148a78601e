// Package loadgen is the shared machinery of the benchmarks under bench/:
// it builds and starts the form service on loopback, posts valid tips at a
// fixed concurrency for a bounded time and count, and reads the service's
// memory from /proc.
package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Root finds the repository's root folder (the one with go.mod) from the
// working directory up.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			bytes.Contains(b, []byte("module github.com/hoaphong/phongchongmaidam")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the repository (no go.mod of github.com/hoaphong/phongchongmaidam found)")
		}
		dir = parent
	}
}

// BuildFormsvc builds ./formsvc/cmd/formsvc into dir and returns the
// binary's path.
func BuildFormsvc(ctx context.Context, dir string) (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "formsvc")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, "./formsvc/cmd/formsvc")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// NoLimits are the serve flags that turn every rate limit off.
var NoLimits = []string{"--submit-limit", "off", "--submit-global-limit", "off",
	"--follow-up-limit", "off", "--follow-up-global-limit", "off"}

// ServeArgs are the arguments of `formsvc serve` on a free loopback port
// with the database and key file in dir, the durable defaults, and no
// rate limits.
func ServeArgs(dir string) []string {
	return ServeArgsOn(dir, filepath.Join(dir, "formsvc.db"))
}

// ServeArgsOn are ServeArgs with db as --db: an SQLite file, or a
// PostgreSQL URL (the key file and site stay in dir).
func ServeArgsOn(dir, db string) []string {
	return append([]string{"serve", "--addr", "127.0.0.1:0",
		"--db", db, "--key-file", filepath.Join(dir, "formsvc.key"),
		"--site", filepath.Join(dir, "site")}, NoLimits...)
}

// Server is a running service process.
type Server struct {
	URL      string // http://127.0.0.1:PORT
	cmd      *exec.Cmd
	logLines atomic.Int64
	done     chan struct{}
	waitErr  error
	tail     tailBuffer
}

var urlRe = regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)/`)

// Start runs bin with args, waits until it logs the address it listens on
// (url=http://127.0.0.1:PORT/), and keeps reading its log so that it never
// blocks on a full pipe.
func Start(bin string, args []string, env ...string) (*Server, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout = io.Discard
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &Server{cmd: cmd, done: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if n := s.logLines.Add(1); n <= 50 || strings.Contains(line, "group commit") {
				s.tail.add(line)
			}
			if m := urlRe.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, stderr)
		s.waitErr = cmd.Wait()
		close(s.done)
	}()
	select {
	case u := <-found:
		s.URL = u
		return s, nil
	case <-s.done:
		return nil, fmt.Errorf("%s exited before listening: %v\n%s", filepath.Base(bin), s.waitErr, s.tail.String())
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-s.done
		return nil, fmt.Errorf("%s did not listen within 30 s\n%s", filepath.Base(bin), s.tail.String())
	}
}

// Log is the start of the service's log, and its "group commit" line.
func (s *Server) Log() string { return s.tail.String() }

// PID is the process id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// LogLines is how many log lines the service wrote so far.
func (s *Server) LogLines() int64 { return s.logLines.Load() }

// Kill sends SIGKILL: no shutdown, no close, no last fsync.
func (s *Server) Kill() error {
	err := s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
	return err
}

// Stop sends SIGTERM and waits for a clean exit.
func (s *Server) Stop() error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-s.done:
		return s.waitErr
	case <-time.After(60 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		return errors.New("did not stop within 60 s of SIGTERM; killed")
	}
}

// Memory is a process's resident memory, from /proc/PID/status.
type Memory struct {
	RSS, Peak int64 // VmRSS and VmHWM, bytes
}

// ReadMemory reads VmRSS and VmHWM of pid.
func ReadMemory(pid int) (Memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, err
	}
	var m Memory
	for _, line := range strings.Split(string(b), "\n") {
		name, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			continue
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			continue
		}
		switch name {
		case "VmRSS":
			m.RSS = kb << 10
		case "VmHWM":
			m.Peak = kb << 10
		}
	}
	if m.Peak == 0 {
		return m, fmt.Errorf("/proc/%d/status: no VmHWM", pid)
	}
	return m, nil
}

// tailBuffer keeps the first lines of a log for error messages.
type tailBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (t *tailBuffer) add(l string) {
	t.mu.Lock()
	t.lines = append(t.lines, l)
	t.mu.Unlock()
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}

// CPUTime is the user plus system CPU time pid has used, from
// /proc/PID/stat (clock ticks of 1/100 s).
func CPUTime(pid int) (time.Duration, error) {
	st, err := readStat(pid)
	if err != nil {
		return 0, err
	}
	return st.utime + st.stime, nil
}

// TreeCPUTime is the CPU time of pid, of its children that have ended
// (and were waited for), and of its living children: a PostgreSQL
// server's, whose backends are its children.
func TreeCPUTime(pid int) (time.Duration, error) {
	st, err := readStat(pid)
	if err != nil {
		return 0, err
	}
	total := st.utime + st.stime + st.cutime + st.cstime
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		child, err := strconv.Atoi(filepath.Base(d))
		if err != nil || child == pid {
			continue
		}
		if cs, err := readStat(child); err == nil && cs.ppid == pid {
			total += cs.utime + cs.stime
		}
	}
	return total, nil
}

type procStat struct {
	ppid                         int
	utime, stime, cutime, cstime time.Duration
}

// readStat reads the parent and CPU times of /proc/PID/stat.
func readStat(pid int) (procStat, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, err
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 15 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	var st procStat
	var n [5]int64
	for k, j := range []int{1, 11, 12, 13, 14} { // ppid, utime, stime, cutime, cstime
		if n[k], err = strconv.ParseInt(f[j], 10, 64); err != nil {
			return procStat{}, fmt.Errorf("/proc/%d/stat: field %d: %w", pid, j+3, err)
		}
	}
	tick := 10 * time.Millisecond
	st.ppid = int(n[0])
	st.utime, st.stime, st.cutime, st.cstime = time.Duration(n[1])*tick, time.Duration(n[2])*tick, time.Duration(n[3])*tick, time.Duration(n[4])*tick
	return st, nil
}

// SelfCPUTime is the CPU time this process has used.
func SelfCPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// LoadAverage is the machine's load average (1, 5 and 15 minutes), from
// /proc/loadavg: other work on the machine shows in the figures.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], ", ")
}
