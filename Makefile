# PARC — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
HOST   ?= 127.0.0.1:8000

# The demo runs with DEBUG on (fixed development key, runserver serves static files) and a
# SQLite file beside manage.py unless DATABASE_URL says otherwise.
DEMO_ENV := DEBUG=1

.PHONY: demo demodata serve test test-browser lint install install-dev messages clean help bench

help:
	@echo "make demo      install, load demo data and serve on http://$(HOST)"
	@echo "make demodata  migrate and load demo data (safe to run twice)"
	@echo "make test      install test tools and run the whole suite"
	@echo "make test-browser  the browser journeys (needs Debian's chromium)"
	@echo "make lint      ruff"
	@echo "make bench     national-scale benchmarks on PostgreSQL (results in docs/BENCHMARKS.md)"
	@echo "make messages  refresh and compile the Vietnamese translations"

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (python3.11 not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Stamp files: reinstall only when a requirements file changes.
$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demodata: install
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py load_demo

# The import worker runs beside the development server and stops with it.
serve: install
	$(DEMO_ENV) $(PY) manage.py import_worker & worker=$$!; \
	trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	$(DEMO_ENV) $(PY) manage.py runserver $(HOST)

demo: demodata serve

test: install-dev
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# The browser journeys (e2e/): Chromium from Debian (`apt-get install chromium`), Playwright.
test-browser: install-dev
	$(VENV)/bin/pytest -m browser e2e

lint: install-dev
	$(VENV)/bin/ruff check .

# Needs GNU gettext; the compiled .mo is committed so running the portal does not.
messages: install
	$(DEMO_ENV) $(PY) manage.py makemessages -l vi --no-obsolete --ignore=.venv --ignore=staticfiles
	$(DEMO_ENV) $(PY) manage.py compilemessages -l vi --ignore=.venv

# Benchmarks on PostgreSQL at national scale (not part of `make test`). Results are appended
# to docs/BENCHMARKS.md; compare ratios measured in one run, as the machines are shared.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/parc_bench
bench: install-dev
	psql "$(dir $(BENCH_DATABASE_URL))postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='parc_bench'" | grep -q 1 || \
		psql "$(dir $(BENCH_DATABASE_URL))postgres" -c "CREATE DATABASE parc_bench"
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) || echo "no wrk: throughput skipped"
	DATABASE_URL=$(BENCH_DATABASE_URL) SECRET_KEY=bench-only DEBUG=0 $(PY) manage.py migrate --noinput -v0
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/scale_bench.py | tee -a docs/BENCHMARKS.md
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/import_bench.py | tee -a docs/BENCHMARKS.md
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/upload_bench.py | tee -a docs/BENCHMARKS.md

clean:
	rm -rf $(VENV) staticfiles
