#!/usr/bin/env bash
# The fast suite (SQLite) once for each date that breaks date arithmetic, then on today's date.
# Each run starts the clock at that moment (tests/conftest.py reads LEARNLOOP_TEST_NOW) and
# runs with the server's time zone set to UK time, as a provider's own server may be.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

moments=(
  "2027-01-01T00:30:00+00:00"   # 1 January, just after midnight
  "2028-02-29T12:00:00+00:00"   # 29 February of a leap year
  "2027-03-28T00:30:00+00:00"   # last Sunday of March, 00:30 UK time (GMT), before clocks go forward
  "2027-03-28T01:30:00+00:00"   # 01:30 by the old clock: 02:30 BST, just after they went forward
  "2027-10-31T00:30:00+01:00"   # last Sunday of October, 00:30 UK time (BST)
  "2027-10-31T01:30:00+01:00"   # 01:30 BST, the first of the two 01:30s
  "2027-10-31T01:30:00+00:00"   # 01:30 GMT, the second, after the clocks went back
  "2027-12-31T23:30:00+00:00"   # New Year's Eve, 23:30 UK time
  ""                            # today, as it is
)

for moment in "${moments[@]}"; do
  echo "== Fast suite with the clock at ${moment:-today ($(date -u +%FT%TZ))}"
  LEARNLOOP_TEST_NOW="$moment" TZ=Europe/London \
    env -u TEST_DATABASE_URL $PY -m pytest -q -p no:cacheprovider tests/unit tests/functional
done
