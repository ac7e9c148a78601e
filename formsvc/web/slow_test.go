package web_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc/web"
)

// countingListener counts the connections the server holds open and the
// bytes it has read from them.
type countingListener struct {
	net.Listener
	open atomic.Int64
	read atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.open.Add(1)
	return &countedConn{Conn: c, l: l}, nil
}

type countedConn struct {
	net.Conn
	l      *countingListener
	closed sync.Once
}

func (c *countedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.l.read.Add(int64(n))
	return n, err
}

func (c *countedConn) Close() error {
	c.closed.Do(func() { c.l.open.Add(-1) })
	return c.Conn.Close()
}

// realServer serves e's handler with the real http.Server of
// web.HTTPServer, with timeouts t, on a loopback port.
func realServer(t *testing.T, e *env, timeouts web.Timeouts) (addr string, l *countingListener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l = &countingListener{Listener: ln}
	hs := web.HTTPServer(ln.Addr().String(), e.srv.Config.Handler, slog.New(slog.DiscardHandler), timeouts)
	go hs.Serve(l)
	t.Cleanup(func() { hs.Close() })
	return ln.Addr().String(), l
}

// waitUntil polls cond for at most 10 s: a bound on a liveness check,
// not a timing assertion.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after 10 s waiting until %s", what)
		}
	}
}

// TestSlowClientsDoNotHoldTheService: slowloris. Clients that dribble
// their headers, or their body, a byte at a time hold connections open;
// meanwhile a normal submission is answered, and once the timeouts pass
// the server has closed every slow connection.
func TestSlowClientsDoNotHoldTheService(t *testing.T) {
	e := newEnv(t)
	addr, l := realServer(t, e, web.Timeouts{ReadHeader: 800 * time.Millisecond, Read: 1500 * time.Millisecond,
		Write: 2 * time.Second, Idle: time.Second})
	const slowHeaders, slowBodies = 40, 20
	var wg sync.WaitGroup
	var serverClosed atomic.Int64
	stop := make(chan struct{})
	dribble := func(prefix, drip string) {
		defer wg.Done()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		if _, err := io.WriteString(c, prefix); err != nil {
			t.Error(err)
			return
		}
		// Read whatever the server answers until it closes the connection.
		closed := make(chan struct{})
		go func() {
			defer close(closed)
			c.SetReadDeadline(time.Now().Add(15 * time.Second))
			_, err := io.Copy(io.Discard, c)
			var ne net.Error
			if err == nil || !errors.As(err, &ne) || !ne.Timeout() {
				serverClosed.Add(1) // EOF or reset: the server hung up
			}
		}()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-closed:
				return
			case <-stop:
				return
			case <-tick.C:
				c.Write([]byte(drip)) // fails once the server is gone
			}
		}
	}
	for range slowHeaders {
		wg.Add(1)
		go dribble("POST /api/v1/tips HTTP/1.1\r\nHost: x\r\nX-Slow: ", "a")
	}
	for range slowBodies {
		wg.Add(1)
		go dribble("POST /api/v1/tips HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"location\":\"", "b")
	}
	waitUntil(t, "the slow clients are connected", func() bool { return l.open.Load() >= slowHeaders+slowBodies })

	// A normal submission, while every slow connection is still held.
	client := &http.Client{Timeout: 10 * time.Second}
	ct, body := encodings[2].encode(t, validTip(), nil)
	res, err := client.Post("http://"+addr+"/api/v1/tips", ct, body)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	heldDuring := l.open.Load() - 1 // less the normal client's own connection
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("normal submission during the attack: Status = %d, want 201", res.StatusCode)
	}
	if heldDuring < slowHeaders+slowBodies {
		t.Errorf("only %d slow connections were open when the normal answer came; the test proved nothing", heldDuring)
	}
	client.CloseIdleConnections()

	// Past the timeouts, the server has closed every slow connection.
	waitUntil(t, "the server closes the slow connections", func() bool { return l.open.Load() == 0 })
	close(stop)
	wg.Wait()
	if n := serverClosed.Load(); n != slowHeaders+slowBodies {
		t.Errorf("the server hung up on %d of %d slow clients", n, slowHeaders+slowBodies)
	}
	if n := e.count(); n != 1 {
		t.Errorf("stored %d submissions, want the normal one only", n)
	}
}

// TestOversizedBodiesAreRefusedUnread: a body over the limit gets 413
// while the server has read no more than the limit and its buffers, whether
// the client announced the size or streams it in chunks.
func TestOversizedBodiesAreRefusedUnread(t *testing.T) {
	const huge = 200 << 20 // what the client claims or would send: 200 MB
	cases := []struct {
		name, path, contentType string
		chunked                 bool
	}{
		{"json with Content-Length", "/api/v1/tips", "application/json", false},
		{"json chunked", "/api/v1/tips", "application/json", true},
		{"urlencoded chunked", "/api/v1/support-requests", "application/x-www-form-urlencoded", true},
		{"multipart with Content-Length", "/api/v1/tips", "multipart/form-data; boundary=b", false},
		{"multipart chunked", "/api/v1/tips", "multipart/form-data; boundary=b", true},
		{"follow-up with Content-Length", "/api/v1/follow-up", "application/json", false},
	}
	e := newEnv(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr, l := realServer(t, e, web.Timeouts{ReadHeader: 2 * time.Second, Read: 5 * time.Second, Write: 5 * time.Second})
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			header := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nContent-Type: %s\r\n", tc.path, tc.contentType)
			if tc.chunked {
				header += "Transfer-Encoding: chunked\r\n\r\n"
			} else {
				header += fmt.Sprintf("Content-Length: %d\r\n\r\n", huge)
			}
			if _, err := io.WriteString(c, header); err != nil {
				t.Fatal(err)
			}
			// Send the body in the background, as a client would, until
			// the server hangs up or the whole 200 MB is gone.
			var sent atomic.Int64
			done := make(chan struct{})
			go func() {
				defer close(done)
				piece := bytes.Repeat([]byte("x"), 32<<10)
				if strings.HasPrefix(tc.contentType, "multipart") {
					copy(piece, "--b\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n")
				} else if tc.contentType == "application/json" {
					copy(piece, `{"description":"`)
				}
				for sent.Load() < huge {
					chunk := piece
					if tc.chunked {
						chunk = append([]byte(fmt.Sprintf("%x\r\n", len(piece))), append(piece, "\r\n"...)...)
					}
					if _, err := c.Write(chunk); err != nil {
						return
					}
					sent.Add(int64(len(piece)))
					piece = bytes.Repeat([]byte("x"), 32<<10)
				}
			}()
			res, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("Status = %d, want 413", res.StatusCode)
			}
			c.Close()
			<-done
			// The limit is 128 KB for text; the server may read a buffer or
			// two past it, never the 200 MB.
			if read := l.read.Load(); read > 1<<20 {
				t.Errorf("the server read %d bytes of a refused body (the client sent %d)", read, sent.Load())
			}
			t.Logf("client sent %d KB, server read %d KB", sent.Load()>>10, l.read.Load()>>10)
		})
	}
	if n := e.count(); n != 0 {
		t.Errorf("stored %d submissions from refused bodies", n)
	}
}
