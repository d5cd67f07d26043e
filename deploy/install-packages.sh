#!/usr/bin/env bash
# The Debian packages the project needs, installed only when missing and only as root (CI, a server,
# a fresh machine). `make run`, `make test` and .ci/run call it, so a new machine needs nothing by hand.
#   app    WeasyPrint's libraries (Pango, HarfBuzz) and fonts (Noto: Latin with Polish, Arabic, Urdu,
#          Bengali, Gurmukhi; DejaVu) for letters and posters; poppler-utils to read PDFs back
#   test   app + Debian's Chromium for the browser tests
#   stack  nginx, wrk, redis-server, PostgreSQL binaries and openssl for the stack test and a server
# Several modes may be given: `install-packages.sh test stack`.
set -euo pipefail
need=()
has_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for mode in "${@:-stack}"; do
  case "$mode" in
    app|test)
      for pkg in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-core poppler-utils; do
        has_pkg "$pkg" || need+=("$pkg")
      done
      if [ "$mode" = test ] && [ ! -x /usr/bin/chromium ]; then need+=(chromium); fi
      ;;
    stack)
      command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
      command -v wrk >/dev/null 2>&1 || need+=(wrk)
      command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
      command -v openssl >/dev/null 2>&1 || need+=(openssl)
      ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
      ;;
    *) echo "unknown mode $mode (app, test or stack)" >&2; exit 2 ;;
  esac
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${need[*]} (run as root: apt-get install -y ${need[*]})" >&2
  exit 1
fi
echo "Installing ${need[*]}..."
export DEBIAN_FRONTEND=noninteractive
# A policy-rc.d answering 101 keeps the packages' services from starting: the tests start their own.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y "${need[@]}" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "${need[@]}" >/dev/null; }
