#!/usr/bin/env bash
# The fast suite (SQLite) once for each moment that breaks date arithmetic (make test has already
# run it on today's date). Two workers share the files (pytest-xdist), one file to a worker. The
# property-based walks of every route (marked `walks`) do not depend on the date: not repeated.
# Each run starts the clock at that moment (tests/conftest.py reads LEARNLOOP_TEST_NOW) with the
# server's time zone set as given: UK time, as a provider's own server may be, or UTC, where the
# date differs from the UK's for an hour after midnight in summer time.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

runs=(
  "2027-01-01T00:30:00+00:00 Europe/London"   # 1 January, just after midnight
  "2028-02-29T12:00:00+00:00 Europe/London"   # 29 February of a leap year
  "2027-03-28T00:30:00+00:00 Europe/London"   # last Sunday of March, 00:30 GMT, before the change
  "2027-03-28T01:30:00+00:00 Europe/London"   # 01:30 by the old clock: 02:30 BST, just after it
  "2027-10-31T00:30:00+01:00 Europe/London"   # last Sunday of October, 00:30 BST
  "2027-10-31T00:30:00+01:00 UTC"             # the same moment on a UTC server: still 30 October
  "2027-10-31T01:30:00+01:00 Europe/London"   # 01:30 BST, the first of the two 01:30s
  "2027-10-31T01:30:00+00:00 Europe/London"   # 01:30 GMT, the second, after the clocks went back
  "2027-12-31T23:30:00+00:00 Europe/London"   # New Year's Eve, 23:30 UK time
)

for run in "${runs[@]}"; do
  read -r moment zone <<<"$run"
  echo "== Fast suite with the clock at $moment, TZ=$zone"
  LEARNLOOP_TEST_NOW="$moment" TZ="$zone" env -u TEST_DATABASE_URL \
    $PY -m pytest -q -p no:cacheprovider -n 2 --dist loadfile -m "not walks" tests/unit tests/functional
done
