package live

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Postgres is a PostgreSQL cluster of this machine's server (Debian's
// postgresql package) in a temporary folder, reachable only through a Unix
// socket in that folder: no TCP listener. When the test runs as root the
// server runs as the `postgres` OS user, since PostgreSQL refuses to run
// as root.
//
// Authentication is peer, as NixOS's services.postgresql configures it,
// with one addition: an ident map lets the test's own OS user connect as
// the cluster's superuser and as each role made by CreateLocally. A
// service under test runs as the test's user, not as an OS user named
// after its role (the test creates no OS users), and this map is what
// stands in for that user.
type Postgres struct {
	Bin       string // the server's bin folder, e.g. /usr/lib/postgresql/15/bin
	Version   string // `postgres --version`
	Dir       string // data/, the cluster; sock/, the socket folder
	SocketDir string
	Superuser string // the role initdb made (the server's OS user name)

	osUser string              // the OS user connecting (the test's)
	cred   *syscall.Credential // the server's OS user, when the test is root
	cmd    *exec.Cmd
	done   chan struct{}
	logs   *logBuffer
	mu     sync.Mutex
	maps   []string // pg_ident.conf lines
}

// postgresBin finds the newest installed PostgreSQL server's bin folder:
// $ATPROTO_NUR_PG_BIN, else /usr/lib/postgresql/<major>/bin (Debian).
func postgresBin() (string, error) {
	if d := os.Getenv("ATPROTO_NUR_PG_BIN"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err != nil {
			return "", fmt.Errorf("ATPROTO_NUR_PG_BIN=%s holds no postgres program", d)
		}
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	if len(dirs) == 0 {
		return "", fmt.Errorf("PostgreSQL server not found (/usr/lib/postgresql/*/bin/postgres; Debian: apt-get install postgresql, or set ATPROTO_NUR_PG_BIN)")
	}
	major := func(p string) int {
		n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(p))))
		return n
	}
	sort.Slice(dirs, func(i, j int) bool { return major(dirs[i]) > major(dirs[j]) })
	return filepath.Dir(dirs[0]), nil
}

// StartPostgres initialises and starts a cluster for this test; it is
// stopped and removed when the test ends. The test skips, with one line,
// when no PostgreSQL server is installed.
func StartPostgres(t testing.TB) *Postgres {
	t.Helper()
	bin, err := postgresBin()
	if err != nil {
		t.Skip("skipped: " + err.Error())
	}
	me, err := user.Current()
	if err != nil {
		t.Fatalf("finding the test's OS user: %v", err)
	}
	pg := &Postgres{Bin: bin, osUser: me.Username, Superuser: me.Username, logs: &logBuffer{}}
	if os.Getuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("skipped: running as root, and there is no `postgres` OS user to run the PostgreSQL server as (Debian's postgresql package creates it)")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		pg.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		pg.Superuser = "postgres"
	}
	out, err := exec.Command(filepath.Join(bin, "postgres"), "--version").Output()
	if err != nil {
		t.Fatalf("%s/postgres --version: %v", bin, err)
	}
	pg.Version = strings.TrimSpace(string(out))

	// Not t.TempDir(): its parents are private to the test's user, and
	// the server's user must reach the folder.
	pg.Dir, err = os.MkdirTemp("", "atproto-nur-pg-")
	if err != nil {
		t.Fatalf("creating the PostgreSQL folder: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(pg.Dir) })
	pg.SocketDir = filepath.Join(pg.Dir, "sock")
	for _, d := range []string{pg.Dir, pg.SocketDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if pg.cred != nil {
			if err := os.Chown(d, int(pg.cred.Uid), int(pg.cred.Gid)); err != nil {
				t.Fatalf("handing %s to the postgres user: %v", d, err)
			}
		}
	}
	// The socket folder is the clients' way in (the server creates the
	// socket world-connectable; peer authentication decides).
	if err := os.Chmod(pg.SocketDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(pg.Dir, 0o755); err != nil {
		t.Fatal(err)
	}

	data := filepath.Join(pg.Dir, "data")
	if out, err := pg.serverCommand("initdb", "--pgdata="+data, "--username="+pg.Superuser,
		"--auth-local=peer", "--auth-host=reject", "--encoding=UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	// Peer authentication through the map described above; identity
	// first, so every OS user is still its own role.
	pg.maps = []string{`live /^(.*)$ \1`}
	if pg.osUser != pg.Superuser {
		pg.maps = append(pg.maps, "live "+pg.osUser+" "+pg.Superuser)
	}
	if err := pg.writeAuth(); err != nil {
		t.Fatal(err)
	}

	pg.cmd = pg.serverCommand("postgres", "-D", data,
		"-c", "listen_addresses=",
		"-c", "unix_socket_directories="+pg.SocketDir,
		"-c", "unix_socket_permissions=0777")
	pg.cmd.Stdout, pg.cmd.Stderr = pg.logs, pg.logs
	pg.cmd.SysProcAttr.Setpgid = true
	if err := pg.cmd.Start(); err != nil {
		t.Fatalf("starting PostgreSQL: %v", err)
	}
	pg.done = make(chan struct{})
	go func() { pg.cmd.Wait(); close(pg.done) }()
	t.Cleanup(func() {
		// SIGINT is PostgreSQL's fast shutdown.
		pg.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-pg.done:
		case <-time.After(30 * time.Second):
			pg.cmd.Process.Kill()
			<-pg.done
		}
		if t.Failed() {
			t.Logf("PostgreSQL log:\n%s", tail(pg.logs.Bytes(), 30))
		}
	})

	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-pg.done:
			t.Fatalf("PostgreSQL exited at start:\n%s", pg.logs.Bytes())
		default:
		}
		if _, err := pg.exec("postgres", "SELECT 1"); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("PostgreSQL not ready after 30s: %v\n%s", err, pg.logs.Bytes())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return pg
}

// serverCommand is one of the server's programs, run as the server's user.
func (pg *Postgres) serverCommand(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(pg.Bin, name), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: pg.cred}
	cmd.Dir = pg.Dir
	// LC_ALL: initdb reads the locale from the environment too.
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	return cmd
}

// writeAuth writes pg_hba.conf (peer authentication on the socket, through
// the ident map; nothing else) and pg_ident.conf.
func (pg *Postgres) writeAuth() error {
	data := filepath.Join(pg.Dir, "data")
	files := map[string]string{
		"pg_hba.conf":   "local all all peer map=live\n",
		"pg_ident.conf": strings.Join(pg.maps, "\n") + "\n",
	}
	for name, content := range files {
		path := filepath.Join(data, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		if pg.cred != nil {
			if err := os.Chown(path, int(pg.cred.Uid), int(pg.cred.Gid)); err != nil {
				return fmt.Errorf("handing %s to the postgres user: %w", path, err)
			}
		}
	}
	return nil
}

// exec runs SQL with psql as the superuser in database db.
func (pg *Postgres) exec(db, sql string) (string, error) {
	return pg.execAs(pg.Superuser, db, sql)
}

// execAs runs SQL with psql as role in database db.
func (pg *Postgres) execAs(role, db, sql string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(pg.Bin, "psql"), "--no-psqlrc", "--quiet", "--tuples-only", "--no-align",
		"--set=ON_ERROR_STOP=1", "--host="+pg.SocketDir, "--username="+role, "--dbname="+db, "--command="+sql)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("psql %q as %s in database %s: %w\n%s", sql, role, db, err, stderr.String())
	}
	return strings.TrimSpace(stdout.String()), nil
}

// Query runs SQL as the superuser in database db and returns psql's
// unaligned output (rows on lines, columns separated by |).
func (pg *Postgres) Query(t testing.TB, db, sql string) string {
	t.Helper()
	out, err := pg.exec(db, sql)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// CopyIn runs a `COPY … FROM STDIN` statement as the superuser in
// database db with data (COPY's text format) as its input.
func (pg *Postgres) CopyIn(t testing.TB, db, copySQL, data string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(pg.Bin, "psql"), "--no-psqlrc", "--quiet",
		"--set=ON_ERROR_STOP=1", "--host="+pg.SocketDir, "--username="+pg.Superuser, "--dbname="+db, "--command="+copySQL)
	cmd.Stdin = strings.NewReader(data)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("psql %q in database %s: %v\n%s", copySQL, db, err, out)
	}
}

// CreateLocally does what a module's `database.createLocally` asks of
// NixOS's services.postgresql (ensureUsers with ensureDBOwnership, and
// ensureDatabases): a login role and a database, both named role, the
// database owned by the role. The test's OS user may then connect as role.
func (pg *Postgres) CreateLocally(t testing.TB, role string) {
	t.Helper()
	ident := quoteIdent(role)
	pg.Query(t, "postgres", "CREATE ROLE "+ident+" LOGIN")
	pg.Query(t, "postgres", "CREATE DATABASE "+ident+" OWNER "+ident)
	pg.mu.Lock()
	defer pg.mu.Unlock()
	if pg.osUser != role {
		pg.maps = append(pg.maps, "live "+pg.osUser+" "+role)
		if err := pg.writeAuth(); err != nil {
			t.Fatal(err)
		}
		pg.Query(t, "postgres", "SELECT pg_reload_conf()")
	}
	// The reload is asynchronous: wait until the role can connect.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := pg.execAs(role, role, "SELECT 1")
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("connecting as the new role %s: %v", role, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Paths maps the socket folder NixOS's PostgreSQL uses to this cluster's,
// for Options.Paths.
func (pg *Postgres) Paths() map[string]string {
	return map[string]string{"/run/postgresql": pg.SocketDir}
}

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
