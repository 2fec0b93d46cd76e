package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as nurdocs: with NURDOCS_RUN_MAIN=1 it runs
// main with its arguments, so the serve test drives the real command line,
// signal handling included, without building a separate binary.
func init() {
	if os.Getenv("NURDOCS_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
}

var servingRE = regexp.MustCompile(`serving (http://\S+) `)

// TestServeCommandSignals starts `nurdocs serve` as a process on a free
// loopback port, fetches a page, and stops it with SIGINT and SIGTERM:
// it exits 0, frees the port and removes its temporary folder.
func TestServeCommandSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			repo := t.TempDir()
			guide := "---\ntitle: Hello\n---\nHello from the guide.\n"
			if err := os.MkdirAll(filepath.Join(repo, "content"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(repo, "content", "hello.md"), []byte(guide), 0o644); err != nil {
				t.Fatal(err)
			}
			tmp := t.TempDir()
			cmd := exec.Command(os.Args[0], "serve", "--addr", "127.0.0.1:0", "--repo", repo, "--source", "none")
			cmd.Env = append(os.Environ(), "NURDOCS_RUN_MAIN=1", "TMPDIR="+tmp)
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			lines := make(chan string, 64)
			go func() {
				sc := bufio.NewScanner(stderr)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
			}()
			var url string
			var log []string
			for url == "" {
				select {
				case l, ok := <-lines:
					if !ok {
						t.Fatalf("serve exited before serving:\n%s", strings.Join(log, "\n"))
					}
					log = append(log, l)
					if m := servingRE.FindStringSubmatch(l); m != nil {
						url = m[1]
					}
				case <-time.After(60 * time.Second):
					t.Fatalf("serve did not start in 60s:\n%s", strings.Join(log, "\n"))
				}
			}
			resp, err := http.Get(url + "guides/hello/")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(body), "Hello from the guide.") {
				t.Fatalf("GET guide: %d\n%.300s", resp.StatusCode, body)
			}
			if !strings.HasPrefix(url, "http://127.0.0.1:") {
				t.Errorf("serve listens on %s, want loopback", url)
			}
			// An open event stream must not hold the shutdown up.
			events, err := http.Get(strings.TrimSuffix(url, "/") + "/__nurdocs/events")
			if err != nil {
				t.Fatal(err)
			}
			defer events.Body.Close()

			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				for l := range lines {
					log = append(log, l)
				}
				done <- cmd.Wait()
			}()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("serve exited with %v after %s:\n%s", err, sig, strings.Join(log, "\n"))
				}
			case <-time.After(15 * time.Second):
				t.Fatalf("serve still running 15s after %s", sig)
			}
			if !strings.Contains(strings.Join(log, "\n"), "serve: stopped") {
				t.Errorf("no clean stop in the log:\n%s", strings.Join(log, "\n"))
			}
			addr := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/")
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				t.Errorf("port %s not freed: %v", addr, err)
			} else {
				ln.Close()
			}
			if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) > 0 {
				t.Errorf("temporary files left behind: %v", left)
			}
		})
	}
}
