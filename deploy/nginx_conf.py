"""Render the nginx site config (and, for scratch runs, a whole nginx.conf) from deploy/nginx/*.in.

One template serves the server and the tests, so what the stack test proves is what is deployed:

  python3 deploy/nginx_conf.py --server-name engage.example.org --upstream 127.0.0.1:8000 \
      --cert /etc/ssl/engage/fullchain.pem --key /etc/ssl/engage/privkey.pem \
      --static-root /srv/engagement/app/static > /etc/nginx/conf.d/engagement.conf
"""

# ruff: noqa: S603, S607 - fixed commands (nginx, pg_ctl, openssl, wrk) with arguments built here; loopback URLs only

from __future__ import annotations

import argparse
import os
import re
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
SITE = HERE / "nginx" / "engagement.conf.in"
MAIN = HERE / "nginx" / "nginx.conf.in"


def fill(template: str, values: dict[str, str]) -> str:
    """Replace @@NAME@@ marks; a mark left unfilled is an error, never an empty directive."""
    text = template
    for name, value in values.items():
        text = text.replace(f"@@{name}@@", str(value))
    missing = sorted(set(re.findall(r"@@([A-Z_]+)@@", text)))
    if missing:
        raise ValueError(f"no value for {', '.join(missing)}")
    return text


def site_config(**values: str) -> str:
    return fill(SITE.read_text(), values)


def scratch_config(run_dir: Path, *, site: str) -> Path:
    """Write nginx.conf + engagement.conf into run_dir for `nginx -p run_dir -c run_dir/nginx.conf`."""
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "engagement.conf").write_text(site)
    # As root, nginx's workers drop to www-data (Debian's nginx user); they must reach the cache and temp dirs.
    user_line = "user www-data;" if os.geteuid() == 0 else ""
    if os.geteuid() == 0:
        run_dir.chmod(0o755)
    main = fill(MAIN.read_text(), {"RUN_DIR": str(run_dir), "USER_LINE": user_line})
    path = run_dir / "nginx.conf"
    path.write_text(main)
    return path


def self_signed_certificate(directory: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """A throwaway certificate for loopback tests (openssl); a real site uses its CA's or Let's Encrypt's."""
    cert, key = directory / "tls.crt", directory / "tls.key"
    san = f"IP:{host}" if re.fullmatch(r"[0-9.]+", host) else f"DNS:{host}"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={host}",
         "-addext", f"subjectAltName={san}", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server-name", required=True)
    parser.add_argument("--upstream", default="127.0.0.1:8000")
    parser.add_argument("--https-listen", default="443")
    parser.add_argument("--http-listen", default="80")
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--static-root", required=True)
    parser.add_argument("--cache-dir", default="/var/cache/nginx/engagement")
    parser.add_argument("--access-log", default="/var/log/nginx/engagement.access.log")
    args = parser.parse_args()
    print(
        site_config(
            SERVER_NAME=args.server_name,
            UPSTREAM=args.upstream,
            HTTPS_LISTEN=args.https_listen,
            HTTP_LISTEN=args.http_listen,
            TLS_CERT=args.cert,
            TLS_KEY=args.key,
            STATIC_ROOT=args.static_root.rstrip("/"),
            CACHE_DIR=args.cache_dir,
            ACCESS_LOG=args.access_log,
        ),  # fmt: skip
        end="",
    )


if __name__ == "__main__":
    main()
