# Bodemregie: `make run` starts the system, `make test` passes the whole suite.
SHELL := /bin/bash
PY := .venv/bin/python
STAMP := .venv/.installed

.PHONY: run test lint install infra infra-stop kafka postgres adr-linter clean bench demo \
	cluster cluster-stop chaos browser

$(STAMP): pyproject.toml
	@command -v python3 >/dev/null || { echo "python3 is required"; exit 1; }
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

kafka:
	deploy/kafka/kafka.sh start
	$(PY) -m bodemregie.cli topics

postgres:
	deploy/postgres/pg.sh start

# Three brokers (KRaft) on localhost:19192-19194, replication factor 3, min.insync.replicas=2
# (deploy/kafka/cluster.sh); beside the single broker of make kafka. Stop with make cluster-stop.
cluster: install
	deploy/kafka/cluster.sh start
	$(PY) -m bodemregie.cli topics --bootstrap "$$(deploy/kafka/cluster.sh bootstrap)" --replicas 3

cluster-stop:
	deploy/kafka/cluster.sh stop

# Faults with figures (chaos/): brokers, instances, PostgreSQL and the relay killed under load;
# prints the table that goes to RELIABILITY.md. Starts and stops its own cluster and PostgreSQL.
chaos: install
	$(PY) -m chaos $(CHAOS_ARGS)

deploy/adr/node_modules/.bin/spectral: deploy/adr/package.json deploy/adr/package-lock.json
	cd deploy/adr && npm ci --no-audit --no-fund --loglevel=error
	touch $@

adr-linter: deploy/adr/node_modules/.bin/spectral

# Headless Chromium for the landing-page screenshot test (tests/integration/test_landingspagina.py):
# installed from Debian when missing and we are root, else we say how.
# System packages the tests need and pip cannot bring: Chromium (landing-page screenshots) and
# Pango (WeasyPrint renders the PDF reports with it). Installed when missing and root.
SYSTEM_PACKAGES := chromium libpango-1.0-0 libpangoft2-1.0-0

browser:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	else \
		echo "missing system packages: run 'sudo apt-get update && sudo apt-get install -y" $$missing"'"; \
		exit 1; \
	fi

infra: install kafka postgres adr-linter browser

infra-stop:
	deploy/kafka/kafka.sh stop
	deploy/postgres/pg.sh stop

test: infra lint
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy shared services tests auditor bench deploy bodemregie chaos

run: install
	$(PY) -m deploy.run

bench: infra
	$(PY) -m pip install -q -e '.[dev,bench]'
	-$(PY) -m bench.run $(BENCH_ARGS)

demo: install
	$(PY) -m services.locaties.entrypoints.demo $(DEMO_ARGS)

clean:
	rm -rf var .venv
