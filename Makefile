# The two commands of the README: `make run` and `make test`. Everything they need is created here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format messages demo bench soak clean

# Reinstalled whenever a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

run: export DJANGO_DEBUG ?= 1
run: $(VENV)/.installed
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	$(MANAGE) runserver $(HOST):$(PORT)

# With DATABASE_URL set, the suite runs against that database (see .ci/run for PostgreSQL).
# In parallel, one pytest-xdist worker per core, each with its own test database; TEST_WORKERS=0
# runs it serially. Work stealing, because the slow browser tests are collected together near the
# end: handed out in batches they kept one worker busy for a minute after the other had finished.
TEST_WORKERS ?= auto
test: $(VENV)/.installed
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the message catalogues after changing user-visible strings, then translate the
# new entries in locale/*/LC_MESSAGES/django.po and run this again to compile them.
messages: $(VENV)/.installed
	$(MANAGE) makemessages --no-obsolete --no-location -l fa_AF -l ps -l fr -l en --ignore=$(VENV) --ignore=staticfiles --ignore=tests
	$(MANAGE) compilemessages --ignore=$(VENV)

# The load benchmark (bench/README.md): gunicorn on PostgreSQL, measured by wrk over loopback.
# Not part of `make test`; it takes about two minutes.
bench: $(VENV)/.installed
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/load.py

# The soak test (bench/README.md, "Soak"): ten minutes at a steady rate with a burst of admin
# saves midway, beside `make bench` if need be. Options through SOAK_ARGS, for a quick run:
# make soak SOAK_ARGS="--communiques 200 --minutes 1"
soak: $(VENV)/.installed
	$(BIN)/python bench/soak.py $(SOAK_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
