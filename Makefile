# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
ARGS ?=

.PHONY: run test venv migrate demo messages chromium check prod bench backup restore clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

venv: $(VENV)/.installed

migrate: venv
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

## make run: install, migrate, load demo data, serve on http://127.0.0.1:8000 (SQLite, Celery in-process)
run: demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Serving the portal on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	$(PY) manage.py runserver $(HOST):$(PORT) --noreload

## make test: install, then run the whole suite (browser tests need Debian's chromium; installed when possible)
test: venv chromium
	$(PY) -m pytest $(ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests were collected"; fi; exit $$rc

## Debian's chromium for the browser tests, and pango + a CJK font for the PDF reports, when missing
## and the machine allows (root + apt).
SYSTEM_PACKAGES := chromium fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0
chromium:
	@if [ -x /usr/bin/chromium ] && dpkg -s libpangoft2-1.0-0 fonts-wqy-microhei >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's $(SYSTEM_PACKAGES) for the browser tests and PDF reports"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null) \
	    || echo "Could not install them: browser and PDF tests will skip"; \
	else echo "chromium/pango are missing and cannot be installed here (needs root and apt-get): browser and PDF tests will skip"; fi

## make check: the checks CI runs besides the tests
check: venv
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py spectacular --validate --fail-on-warn --file /tmp/portal-openapi.yaml

## make messages: refresh and compile the Chinese translations
messages: venv
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=staticfiles --no-obsolete
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

## make prod: production mode (needs DATABASE_URL, CELERY_BROKER_URL, REDIS_URL, SECRET_KEY): web, worker, beat
prod: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(VENV)/bin/honcho start

## make bench SCALE=tiny|province|national: synthetic data on PostgreSQL, measurements against their floors,
## results in bench/results/<scale>-<date>.json and .md (one database per scale; data is reused when present)
SCALE ?= tiny
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal_bench_$(SCALE)
BENCH_ARGS ?=
bench: venv
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py bench --scale $(SCALE) $(BENCH_ARGS)

## make backup: the PostgreSQL database (DATABASE_URL, pg_dump -Fc) and the uploaded documents (MEDIA_ROOT)
## into backups/portal-<UTC time>.dump and portal-<UTC time>-media.tar.gz (BACKUP_DIR to change the folder)
backup: venv
	$(PY) manage.py backup

## make restore FILE=backups/portal-<UTC time>.dump: put a backup back (asks first; stop the portal before)
restore: venv
	@test -n "$(FILE)" || { echo "Name the backup: make restore FILE=backups/portal-<UTC time>.dump"; exit 2; }
	$(PY) manage.py restore "$(FILE)" $(ARGS)

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
