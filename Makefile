# LearnLoop: `make run` sets up everything and serves the demo; `make test` sets up and runs every test.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .stamps
export FLASK_APP := wsgi

.PHONY: run test test-fast setup serve db demo lint e2e clean

run: setup db demo serve

test: setup
	bash scripts/test.sh

## Only the fast tests (SQLite, no browser): for the edit-test loop.
test-fast: setup
	$(PY) -m pytest -q tests/unit tests/functional

setup: $(STAMPS)/python $(STAMPS)/assets

$(STAMPS)/python: pyproject.toml
	@mkdir -p $(STAMPS)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
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

e2e: setup
	$(PY) -m pytest -q tests/e2e

clean:
	rm -rf $(VENV) node_modules app/static/vendor $(STAMPS)
