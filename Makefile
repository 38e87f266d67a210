# LearnLoop: `make run` sets up everything and serves the demo; `make test` sets up and runs every test.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .stamps
export FLASK_APP := wsgi

.PHONY: run test test-fast test-dates test-faults mutation setup serve db demo lint bandit e2e bench clean

run: setup db demo serve

test: setup
	bash scripts/test.sh

## Only the fast tests (SQLite, no browser): for the edit-test loop.
test-fast: setup
	$(PY) -m pytest -q tests/unit tests/functional

## The fast suite with the clock at each date that breaks date arithmetic (make test runs it too).
test-dates: setup
	bash scripts/fixed-dates.sh

## The slow fault tests: two gunicorn workers writing SQLite at once, a private PostgreSQL
## restarted under load (needs root and the PostgreSQL server binaries), one of two app nodes
## behind nginx killed under load (needs nginx; scripts/test.sh installs it). CI runs them.
test-faults: setup
	$(PY) -m pytest -q tests/faults

## Mutation testing of the modules that hold rules (config: [tool.mutmut] in pyproject.toml).
## Slow (about 15 to 20 minutes), so not part of `make test`; docs/testing.md reads the result.
mutation: setup
	rm -rf mutants
	$(VENV)/bin/mutmut run --max-children 2
	$(VENV)/bin/mutmut export-cicd-stats
	$(PY) scripts/mutation_score.py mutants/mutmut-cicd-stats.json

setup: $(STAMPS)/python $(STAMPS)/assets

$(STAMPS)/python: pyproject.toml constraints.txt
	@mkdir -p $(STAMPS)
	test -x $(VENV)/bin/pip || python3 -m venv --clear $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $@

$(STAMPS)/assets: package.json package-lock.json scripts/build-assets.mjs scripts/sw.js \
		$(wildcard app/static/js/*.js app/static/css/*.css app/static/icons/*) \
		app/templates/base.html $(wildcard app/templates/pwa/*.html)
	@mkdir -p $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build
	@touch $@

db: setup
	$(PY) -m flask db upgrade

demo: setup
	$(PY) -m flask seed-demo

serve:
	@echo "LearnLoop is at http://127.0.0.1:5000 (Ctrl+C to stop)"
	$(PY) -m flask run --host 127.0.0.1 --port 5000

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	npm run --silent lint

bandit: setup
	$(PY) -m bandit -q -c pyproject.toml --severity-level medium --confidence-level low -r app

e2e: setup
	$(PY) -m pytest -q tests/e2e

## Benchmarks in the production shape (nginx with TLS before two gunicorn nodes, PostgreSQL,
## Redis, Locust, Chromium): writes bench-results/report.md in under 15 minutes. Not in `make test`.
bench: setup $(STAMPS)/bench
	command -v nginx >/dev/null || test -x /usr/sbin/nginx || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx)
	test -x $${CHROMIUM_PATH:-/usr/bin/chromium} || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	$(PY) bench/run.py

## Locust (the `bench` extra) and Lighthouse (bench/package.json), for `make bench` only.
$(STAMPS)/bench: pyproject.toml constraints.txt bench/package.json bench/package-lock.json
	@mkdir -p $(STAMPS)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,bench]'
	npm ci --prefix bench --no-audit --no-fund --loglevel=error
	@touch $@

clean:
	rm -rf $(VENV) node_modules app/static/vendor $(STAMPS)
