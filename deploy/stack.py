"""Start the production stack on loopback from a scratch directory: the stack test and the load test use it.

  .venv/bin/python deploy/stack.py up [RUN_DIR]     start everything, print the addresses, stop on Ctrl-C
  .venv/bin/python deploy/stack.py stop RUN_DIR     stop whatever a run left (the test's trap calls this)

Every piece is a real server of its own, so nothing shared on the machine is touched: a
throwaway PostgreSQL cluster (initdb/pg_ctl), its own redis-server, a loopback SMTP sink,
gunicorn with deploy/gunicorn.conf.py, `flask worker` processes and nginx with the rendered
deploy/nginx config. Each started process is listed in RUN_DIR/pids, so a trap can stop them
even if the Python side dies.
"""

# ruff: noqa: S603, S310 - fixed commands (nginx, pg_ctl, openssl, wrk) with arguments built here; loopback URLs only

from __future__ import annotations

import glob
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from nginx_conf import scratch_config, self_signed_certificate, site_config  # noqa: E402

VENV = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, seconds: float, what: str) -> None:
    """Poll `check()` until it is true, at most `seconds`; every wait in the stack is bounded."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"timed out after {seconds:.0f}s waiting for {what}")


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if not path:
        raise RuntimeError(f"{name} not found: apt-get install postgresql")
    return path


def as_postgres(cmd: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres user when we are root."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class Stack:
    def __init__(self, run_dir: Path, *, gunicorn_workers: int = 2, threads: int = 4, worker_class: str = "gthread",
                 workers: int = 2, smtp_delay: float = 0.0, shared_max_age: int = 30):  # fmt: skip
        self.run = run_dir
        self.run.mkdir(parents=True, exist_ok=True)
        self.run.chmod(0o755)
        self.ports = {name: free_port() for name in ("pg", "redis", "smtp", "app", "https", "http")}
        self.procs: dict[str, subprocess.Popen] = {}
        self.settings = dict(gunicorn_workers=gunicorn_workers, threads=threads, worker_class=worker_class,
                             workers=workers, smtp_delay=smtp_delay)  # fmt: skip
        self.mail_dir = self.run / "mail"
        self.pgdata = self.run / "pgdata"
        self.base_url = f"https://127.0.0.1:{self.ports['https']}"
        self.app_url = f"http://127.0.0.1:{self.ports['app']}"
        self.database_url = f"postgresql+psycopg://postgres@127.0.0.1:{self.ports['pg']}/engagement"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "APP_", "DATABASE_"))},
            "APP_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": self.database_url,
            "BASE_URL": self.base_url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(self.ports["smtp"]),
            "MAIL_TIMEOUT": "10",
            "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{self.ports['redis']}/0",
            "TRUSTED_PROXIES": "1",
            "FEEDS_SHARED_MAX_AGE": str(shared_max_age),
            "LOG_FORMAT": "json",
            "PROMETHEUS_MULTIPROC_DIR": str(self.run / "metrics"),
            "GUNICORN_BIND": f"127.0.0.1:{self.ports['app']}",
            "GUNICORN_PIDFILE": str(self.run / "gunicorn.pid"),
            "GUNICORN_WORKERS": str(gunicorn_workers),
            "GUNICORN_THREADS": str(threads),
            "GUNICORN_WORKER_CLASS": worker_class,
            "PYTHONUNBUFFERED": "1",
        }

    # --- processes ---------------------------------------------------------------------------------

    def _spawn(self, name: str, cmd: list[str], **kwargs) -> subprocess.Popen:
        log = open(self.run / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it; closed with the run
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True, **kwargs)
        self.procs[name] = proc
        with open(self.run / "pids", "a") as pids:
            pids.write(f"{name} {proc.pid}\n")
        return proc

    def flask(self, *args: str, stdin: str | None = None, env: dict | None = None) -> str:
        result = subprocess.run([str(VENV / "flask"), "--app", "app", *args], cwd=ROOT, env={**self.env, **(env or {})},
                                input=stdin, capture_output=True, text=True, timeout=300)  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start_postgres(self) -> None:
        if not self.pgdata.exists():
            self.pgdata.mkdir()
            if os.geteuid() == 0:
                shutil.chown(self.pgdata, "postgres", "postgres")
            subprocess.run(as_postgres([pg_bin("initdb"), "-D", str(self.pgdata), "-U", "postgres", "-A", "trust",
                                        "--no-sync"]), check=True, capture_output=True, timeout=120)  # fmt: skip
            with open(self.run / "pids", "a") as pids:
                pids.write(f"pgdata {self.pgdata}\n")
        self.pg_ctl("start")

    def pg_ctl(self, action: str) -> None:
        opts = f"-p {self.ports['pg']} -k {self.pgdata} -c listen_addresses=127.0.0.1 -c max_connections=200"
        cmd = [pg_bin("pg_ctl"), "-D", str(self.pgdata), "-w", "-t", "60", "-l", str(self.pgdata / "server.log")]
        cmd += ["-o", opts, "start"] if action == "start" else ["-m", "fast", "stop"]
        subprocess.run(as_postgres(cmd), check=True, capture_output=True, timeout=90)

    def create_database(self) -> None:
        psql = [pg_bin("psql"), "-h", "127.0.0.1", "-p", str(self.ports["pg"]), "-U", "postgres", "-qc"]
        subprocess.run([*psql, "CREATE DATABASE engagement"], check=True, capture_output=True, timeout=60)

    def start_redis(self) -> None:
        server = shutil.which("redis-server")
        if not server:
            raise RuntimeError("redis-server not found: apt-get install redis-server")
        self._spawn("redis", [server, "--port", str(self.ports["redis"]), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", str(self.run)])  # fmt: skip
        wait_for(lambda: socket.create_connection(("127.0.0.1", self.ports["redis"]), 1).close() or True, 20, "redis")

    def start_smtp(self) -> None:
        self._spawn("smtp", [str(VENV / "python"), str(HERE / "smtp_sink.py"), "--port", str(self.ports["smtp"]),
                             "--dir", str(self.mail_dir), "--delay", str(self.settings["smtp_delay"])])  # fmt: skip
        wait_for(lambda: socket.create_connection(("127.0.0.1", self.ports["smtp"]), 1).close() or True, 20, "smtp")

    def start_gunicorn(self) -> None:
        self._spawn("gunicorn", [str(VENV / "gunicorn"), "-c", str(HERE / "gunicorn.conf.py"), "app:app"], env=self.env)
        wait_for(lambda: urllib.request.urlopen(self.app_url + "/healthz", timeout=2).status == 200, 60, "gunicorn")

    def restart_gunicorn(self, *, worker_class: str, workers: int, threads: int) -> None:
        """Stop gunicorn and start it with another worker model (the load tests compare them)."""
        proc = self.procs.pop("gunicorn", None)
        if proc is not None:
            _stop_pid(proc.pid)
        self.env.update(
            GUNICORN_WORKER_CLASS=worker_class, GUNICORN_WORKERS=str(workers), GUNICORN_THREADS=str(threads)
        )
        self.start_gunicorn()

    def start_workers(self, count: int | None = None) -> None:
        for _ in range(count if count is not None else self.settings["workers"]):
            n = sum(1 for name in self.procs if name.startswith("worker-")) + 1
            self._spawn(f"worker-{n}", [str(VENV / "flask"), "--app", "app", "worker", "--interval", "1"], env=self.env)

    def start_nginx(self) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise RuntimeError("nginx not found: apt-get install nginx")
        cert, key = self_signed_certificate(self.run)
        self.cert = cert
        site = site_config(SERVER_NAME="127.0.0.1 localhost", UPSTREAM=f"127.0.0.1:{self.ports['app']}",
                           HTTPS_LISTEN=f"127.0.0.1:{self.ports['https']}", HTTP_LISTEN=f"127.0.0.1:{self.ports['http']}",
                           TLS_CERT=str(cert), TLS_KEY=str(key), STATIC_ROOT=str(ROOT / "static"),
                           CACHE_DIR=str(self.run / "nginx-cache"), ACCESS_LOG=str(self.run / "nginx-access.log"))  # fmt: skip
        conf = scratch_config(self.run / "nginx", site=site)
        check = subprocess.run(
            [nginx, "-t", "-q", "-p", str(conf.parent), "-c", str(conf)], capture_output=True, text=True
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t failed: {check.stderr}")
        self._spawn("nginx", [nginx, "-p", str(conf.parent), "-c", str(conf)])
        wait_for(lambda: socket.create_connection(("127.0.0.1", self.ports["https"]), 1).close() or True, 20, "nginx")

    def up(self, *, demo: bool = True) -> None:
        """Everything, in the production start order: database, migrate, then app, workers and proxy."""
        self.start_postgres()
        self.create_database()
        self.start_redis()
        self.start_smtp()
        self.flask("translate", "compile")  # the .mo catalogues are built, not committed (README: Languages)
        self.flask("db", "upgrade")
        if demo:
            self.flask("demo", "load", env={"APP_ENV": "development"})
            if "remove-demo" in self.flask("users", "--help"):  # production refuses to serve published demo passwords
                self.flask("users", "remove-demo")
        self.start_gunicorn()
        self.start_workers()
        self.start_nginx()

    def gunicorn_master(self) -> int:
        return int((self.run / "gunicorn.pid").read_text().strip())

    def down(self) -> None:
        stop_run(self.run)


def _stop_pid(pid: int, seconds: float = 15) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.1)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def stop_run(run_dir: Path) -> None:
    """Stop every process listed in run_dir/pids (newest first) and the scratch PostgreSQL cluster."""
    listing = run_dir / "pids"
    if not listing.exists():
        return
    entries = [line.split(" ", 1) for line in listing.read_text().splitlines() if " " in line]
    for name, value in reversed(entries):
        if name == "pgdata":
            if Path(value, "postmaster.pid").exists():
                cmd = [pg_bin("pg_ctl"), "-D", value, "-w", "-t", "30", "-m", "immediate", "stop"]
                subprocess.run(as_postgres(cmd), capture_output=True, timeout=60)
        else:
            _stop_pid(int(value))
    listing.rename(run_dir / "pids.stopped")


def main() -> None:
    if len(sys.argv) >= 3 and sys.argv[1] == "stop":
        stop_run(Path(sys.argv[2]))
        return
    if len(sys.argv) >= 2 and sys.argv[1] == "up":
        run = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.gettempdir()) / "engagement-stack"
        stack = Stack(run)
        try:
            stack.up()
            print(f"nginx: {stack.base_url}  gunicorn: {stack.app_url}  run dir: {run}  (Ctrl-C stops)", flush=True)
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
            signal.sigwait({signal.SIGINT, signal.SIGTERM})
        finally:
            stack.down()
        return
    print(__doc__)
    sys.exit(2)


if __name__ == "__main__":
    main()
