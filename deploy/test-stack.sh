#!/usr/bin/env bash
# The stack test: nginx (feed cache) -> gunicorn (2 processes) -> PostgreSQL, Redis, 2 workers, SMTP sink,
# all real and on loopback, with the demo data in a fresh database. Prints PASS/FAIL per check and a
# summary; exits non-zero on any failure. Everything it starts is stopped on any exit (trap), and it
# leaves the machine's own PostgreSQL and Redis alone (it runs its own on free ports).
#   bash deploy/test-stack.sh            (needs .venv: `make test` or `make run` builds it)
set -uo pipefail
cd "$(dirname "$0")/.."

bash deploy/install-packages.sh app stack || exit 1
if [ ! -x .venv/bin/python ]; then
  echo "FAIL: .venv is missing; run make test (or make run) first"
  exit 1
fi

RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/engagement-stack.XXXXXX")"
cleanup() {
  .venv/bin/python deploy/stack.py stop "$RUN_DIR" >/dev/null 2>&1 || true
  if [ "${KEEP_STACK_LOGS:-0}" = "1" ] || [ "${status:-1}" != "0" ]; then
    echo "stack logs kept in $RUN_DIR"
  else
    rm -rf "$RUN_DIR"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 290 s: the issue's budget is 5 minutes for the whole test.
timeout --signal=TERM --kill-after=10 290 .venv/bin/python deploy/stack_checks.py "$RUN_DIR"
status=$?
if [ "$status" -ne 0 ]; then
  echo "stack test FAILED (exit $status); the last lines of each log:"
  for log in "$RUN_DIR"/*.log; do echo "== $log"; tail -n 15 "$log"; done
fi
exit "$status"
