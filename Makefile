# Two commands: `make run` (everything, embedded default) and `make test` (the whole suite).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export FLASK_APP := wsgi
PORT ?= 5000
CARRIER_PORT ?= 5055

.PHONY: run test venv redis postgres chromium migrate seed bench lint

$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

venv: $(VENV)/.installed

redis:
	@scripts/ensure-redis

postgres:
	@scripts/ensure-postgres

chromium:
	@scripts/ensure-chromium

migrate: venv
	mkdir -p instance
	$(VENV)/bin/flask db upgrade heads

seed: migrate
	$(VENV)/bin/flask demo seed --carrier-url http://127.0.0.1:$(CARRIER_PORT)

run: venv redis migrate
	@PORT=$(PORT) CARRIER_PORT=$(CARRIER_PORT) scripts/run-dev

test: venv redis postgres chromium
	$(VENV)/bin/pytest -q
	@echo "Again with every date moved 28 years ahead (product code must read time only from app.clock):"
	BIJNA_TEST_YEARS_AHEAD=28 $(VENV)/bin/pytest -q -m clock_sensitive

bench: venv redis postgres
	$(PY) -m bench.run_all
