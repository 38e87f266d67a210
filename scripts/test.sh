#!/usr/bin/env bash
# The whole test suite, as `make test` runs it: lint, SQLite, PostgreSQL, then real Chromium.
# With CI=true nothing may be skipped; elsewhere a missing PostgreSQL or Chromium is reported loudly.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_URL=${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
ran=()
FAULTS_PG_URL=""  # the fault tests' PostgreSQL cases run only when it answers

echo "== Lint (ruff)"
$PY -m ruff check .
$PY -m ruff format --check .

echo "== Lint (ESLint)"
npm run --silent lint

echo "== Security lint (bandit: no medium or high findings)"
$PY -m bandit -q -c pyproject.toml --severity-level medium --confidence-level low -r app

echo "== Tests on SQLite"
env -u TEST_DATABASE_URL $PY -m pytest -q tests/unit tests/functional
ran+=("SQLite")

echo "== The fast suite again on fixed dates (1 January, 29 February, the UK clock changes, New Year's Eve)"
bash scripts/fixed-dates.sh
ran+=("fixed dates")

postgres_answers() {
  $PY - "$PG_URL" <<'PY' >/dev/null 2>&1
import sys
import psycopg
psycopg.connect(sys.argv[1].replace("postgresql+psycopg", "postgresql"), connect_timeout=3).close()
PY
}

if postgres_answers; then
  echo "== Tests on PostgreSQL"
  TEST_DATABASE_URL="$PG_URL" $PY -m pytest -q tests/unit tests/functional
  ran+=("PostgreSQL")
  FAULTS_PG_URL=$PG_URL
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL does not answer at $PG_URL, and CI must test on it." >&2
  exit 1
else
  echo "!! PostgreSQL does not answer at $PG_URL: the PostgreSQL run is SKIPPED." >&2
fi

has_nginx() { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; }
if ! has_nginx && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "== Installing Debian's nginx for the two-app-node fault test"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi
if ! has_nginx; then
  if [ "${CI:-}" = "true" ]; then
    echo "nginx is missing and could not be installed; CI must run the two-app-node fault test." >&2
    exit 1
  fi
  echo "!! No nginx: the two-app-node fault test is SKIPPED." >&2
fi

echo "== Fault tests (concurrent SQLite writers, PostgreSQL restart, a worker killed mid-request,"
echo "   one of two app nodes behind nginx killed under load)"
TEST_DATABASE_URL="$FAULTS_PG_URL" $PY -m pytest -q tests/faults
ran+=("fault tests")

if [ ! -x "$CHROMIUM" ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "== Installing Debian's chromium for the browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if [ -x "$CHROMIUM" ]; then
  echo "== Browser tests in Chromium ($("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM"))"
  CHROMIUM_PATH="$CHROMIUM" $PY -m pytest -q tests/e2e
  ran+=("Chromium browser tests")
elif [ "${CI:-}" = "true" ]; then
  echo "Chromium is missing at $CHROMIUM and could not be installed; CI must run the browser tests." >&2
  exit 1
else
  echo "!!!! No Chromium at $CHROMIUM and no way to install it: the browser tests are SKIPPED. !!!!" >&2
fi

echo "== Ran: ${ran[*]}"
