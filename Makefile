# Bodemregie: `make run` starts the system, `make test` passes the whole suite.
SHELL := /bin/bash
PY := .venv/bin/python
STAMP := .venv/.installed

.PHONY: run test lint install infra infra-stop kafka postgres clean bench demo

$(STAMP): pyproject.toml
	@command -v python3 >/dev/null || { echo "python3 is required"; exit 1; }
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

kafka:
	deploy/kafka/kafka.sh start
	$(PY) -m shared.cli topics

postgres:
	deploy/postgres/pg.sh start

infra: install kafka postgres

infra-stop:
	deploy/kafka/kafka.sh stop
	deploy/postgres/pg.sh stop

test: infra lint
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy shared services tests

run: install
	$(PY) -m deploy.run

clean:
	rm -rf var .venv
