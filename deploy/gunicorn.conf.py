"""gunicorn settings for the engagement app: `gunicorn -c deploy/gunicorn.conf.py app:app`.

Worker model: gthread, GUNICORN_WORKERS processes (one per core) x GUNICORN_THREADS threads.
Measured on the 2-core machine (README, "Production"): sync x2 answers one cheap URL a little
faster, but while four clients build uncached calendars its p99 for /teams is 1.5 s against
108 ms for gthread 2x4: a slow request (a calendar build, an export) blocks a sync process and
everything queued behind it, while threads keep the quick pages moving.

Reload: `kill -HUP <master pid>` (systemd `reload`) starts new workers with the new code and
config, then lets the old ones finish their requests (graceful_timeout) before they exit;
requests arriving while the new ones import the app (2-5 s) wait in the listen backlog.
Each worker is replaced after max_requests (+ jitter, so they do not all restart at once),
which bounds any slow leak. Access lines come from the app (engagement.ops, JSON, URL rules
instead of paths), so gunicorn's own access log is off; its error log is JSON on stderr.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))
timeout = 30  # a request still running after this is killed with its worker (exports stream well inside it)
graceful_timeout = 30  # on reload or stop, old workers get this long to finish what they are doing
keepalive = 15  # longer than nginx's upstream keepalive_timeout, so nginx closes idle connections first
backlog = 2048
preload_app = False  # each worker imports the app itself, so SIGHUP picks up new code
forwarded_allow_ips = "127.0.0.1"  # nginx on this host; the app applies X-Forwarded-* via TRUSTED_PROXIES
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
proc_name = "engagement-web"
pidfile = os.environ.get("GUNICORN_PIDFILE") or None
control_socket_disable = True  # gunicornc is not used: signals (HUP, TERM) and systemd do the controlling

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "engagement.ops.logs.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
    },
}

# Prometheus counters from every worker process are written here and summed by /metrics.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or str(Path(tempfile.gettempdir()) / "engagement-metrics")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def on_starting(server):
    """Counters start from zero with the master: files left by an earlier run would be added in."""
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    Path(_metrics_dir).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
