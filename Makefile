# Linli: two commands on a fresh machine.
#   make run   - venv, install, assets, migrate SQLite, demo data, serve on http://127.0.0.1:8000
#   make test  - dev install, Chromium, PostgreSQL, lint, the whole suite on SQLite and PostgreSQL

PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
PYTHON  := $(BIN)/python
STAMP   := $(VENV)/.installed
DEVSTAMP:= $(VENV)/.installed-dev
VENDOR  := linli/static/vendor
PG_URL  ?= postgres://postgres@127.0.0.1:5432/linli
HOST    ?= 127.0.0.1:8000

.PHONY: run test install dev assets messages migrate demo serve lint chromium postgres pg-client test-sqlite test-postgres bench bench-growth bench-smoke soak mutate clean

$(PYTHON):
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml constraints.txt | $(PYTHON)
	$(BIN)/pip install -q -c constraints.txt -e .
	touch $@

# dev: the test tools and the bench extra (Faker), which the bench tests and bench-smoke need
$(DEVSTAMP): pyproject.toml constraints.txt | $(PYTHON)
	$(BIN)/pip install -q -c constraints.txt -e '.[dev,bench]'
	touch $@ $(STAMP)

install: $(STAMP)
dev: $(DEVSTAMP)

# Front-end packages come from the npm registry and are served by the app (no CDN).
# The icon font is cut down to the icons used by fontTools (scripts/subset_icons.py), from the venv.
$(VENDOR)/.built: package.json package-lock.json scripts/vendor_assets.sh scripts/subset_icons.py scripts/icons.txt | $(STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	PYTHON=$(PYTHON) bash scripts/vendor_assets.sh $(VENDOR)
	touch $@
assets: $(VENDOR)/.built

# Compiled with polib, so serving needs no gettext tools (the catalog test uses xgettext).
messages: $(STAMP)
	$(PYTHON) -c "import polib; polib.pofile('linli/locale/zh_Hans/LC_MESSAGES/django.po').save_as_mofile('linli/locale/zh_Hans/LC_MESSAGES/django.mo')"

migrate: $(STAMP) messages
	DEBUG=1 $(PYTHON) manage.py migrate --noinput

demo: migrate
	DEBUG=1 $(PYTHON) manage.py demo --if-empty

run: install assets messages migrate demo
	@echo "Serving on http://$(HOST)  (background worker: manage.py db_worker)"
	@DEBUG=1 $(PYTHON) manage.py db_worker --interval 1 --no-reload & WORKER=$$!; \
	  DEBUG=1 $(PYTHON) manage.py check_overdue --every 300 & TICK=$$!; \
	  DEBUG=1 $(PYTHON) manage.py remind_votes --every 300 & VOTES=$$!; \
	  DEBUG=1 $(PYTHON) manage.py check_wishes --every 300 & WISHES=$$!; \
	  trap "kill $$WORKER $$TICK $$VOTES $$WISHES 2>/dev/null" EXIT INT TERM; \
	  DEBUG=1 $(PYTHON) manage.py runserver --noreload $(HOST)

lint: $(DEVSTAMP)
	$(BIN)/ruff check linli
	$(BIN)/ruff format --check linli
	$(BIN)/lint-imports
	DEBUG=1 $(BIN)/mypy
	DEBUG=1 $(PYTHON) manage.py makemigrations --check --dry-run >/dev/null

# Debian's Chromium drives the browser tests (Playwright never downloads a browser);
# gettext extracts messages for the translation-completeness test; Pango and the Noto CJK
# fonts typeset the meeting minutes as PDF.
chromium:
	@{ command -v chromium && command -v xgettext && fc-list | grep -q "Noto Sans CJK" && ldconfig -p | grep -q libpangoft2-1.0; } >/dev/null || { \
	  echo "Installing Debian's chromium, CJK fonts and gettext for the tests"; \
	  (apt-get update -qq || sudo apt-get update -qq) && \
	  (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk gettext libpango-1.0-0 libpangoft2-1.0-0 >/dev/null || \
	   sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk gettext libpango-1.0-0 libpangoft2-1.0-0 >/dev/null); }

postgres:
	@bash scripts/ensure_postgres.sh "$(PG_URL)"

# pg_dump and pg_restore for `linli backup` / `linli restore` on PostgreSQL (and their tests).
pg-client:
	@{ command -v pg_dump && command -v pg_restore; } >/dev/null || { \
	  echo "Installing Debian's postgresql-client for backups"; \
	  (apt-get update -qq || sudo apt-get update -qq) && \
	  (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null || \
	   sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null); }

# The API fuzz runs without xdist, one process per persona side by side (scripts/fuzz.sh):
# schemathesis gives its 276 tests (an operation and a persona each) one node id per persona, so
# xdist ran two items that exercised no operation.
FUZZ := linli/api/tests/test_fuzz.py

test-sqlite: dev assets messages chromium
	DEBUG=1 $(BIN)/pytest -q -n 2 --dist loadgroup --ignore=$(FUZZ)
	bash scripts/fuzz.sh $(BIN)

test-postgres: dev assets messages chromium postgres pg-client
	DEBUG=1 DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -n 2 --dist loadgroup --ignore=$(FUZZ)
	bash scripts/fuzz.sh $(BIN) $(PG_URL)

test: lint test-sqlite test-postgres bench-smoke

# Benchmarks (docs/benchmarks.md). With DATABASE_URL (PostgreSQL) the full district, scale 1.0;
# without it an SQLite file at scale 0.05. The district is generated once per database.
BENCH_SETTINGS := DJANGO_SETTINGS_MODULE=linli.bench.settings
BENCH_DB       ?= $(if $(DATABASE_URL),$(DATABASE_URL),sqlite:///$(CURDIR)/var/bench.sqlite3)
BENCH_SCALE    ?= $(if $(DATABASE_URL),1.0,0.05)
BENCH_ARGS     ?=
BENCH_DATA_ARGS ?=
bench: dev
	@case "$(BENCH_DB)" in postgres*) bash scripts/ensure_postgres.sh "$(BENCH_DB)" && \
	  $(PYTHON) scripts/fresh_database.py --if-absent "$(BENCH_DB)";; esac
	$(BENCH_SETTINGS) DATABASE_URL=$(BENCH_DB) $(PYTHON) manage.py migrate -v0 --noinput
	$(BENCH_SETTINGS) DATABASE_URL=$(BENCH_DB) $(PYTHON) manage.py bench_data --scale $(BENCH_SCALE) --if-absent $(BENCH_DATA_ARGS)
	$(BENCH_SETTINGS) DATABASE_URL=$(BENCH_DB) $(PYTHON) manage.py bench $(BENCH_ARGS)
	$(BENCH_SETTINGS) $(PYTHON) manage.py bench_chart

# How cost grows (docs/benchmarks.md): `make bench` at each of GROWTH_SCALES, each in a database of
# its own (linli_bench_s01, linli_bench_s03, linli_bench_s1, …: kept, generated once), then the
# chart of every PostgreSQL run that recorded its scale (docs/img/growth.svg) and its table.
GROWTH_SCALES ?= 0.1 0.3 1
GROWTH_ARGS   ?= --only lists --only scope --only search --only dashboard --only tally --only funds
bench-growth: dev
	@for s in $(GROWTH_SCALES); do \
	  $(MAKE) bench DATABASE_URL=$(PG_URL)_bench_s$$(echo $$s | tr -d .) BENCH_SCALE=$$s \
	    BENCH_ARGS="$(GROWTH_ARGS) --markdown=" || exit 1; done

# The harness at a tiny scale on both databases: every benchmark runs and reports (no timings judged).
SMOKE_ARGS := --repeat 1 --seconds 0.5 --import-rows 60 --no-throttle --results var/bench-smoke --markdown "" --check
# the soak's machinery for a few seconds, without restarting the PostgreSQL others may be using
SOAK_SMOKE_ARGS := --seconds 4 --warmup 2 --sample-every 1 --no-restart --results var/bench-smoke --markdown "" --log var/bench-smoke/gunicorn.log
bench-smoke: dev postgres
	rm -f var/bench-smoke.sqlite3*
	$(BENCH_SETTINGS) DATABASE_URL=sqlite:///$(CURDIR)/var/bench-smoke.sqlite3 $(PYTHON) manage.py migrate -v0 --noinput
	$(BENCH_SETTINGS) DATABASE_URL=sqlite:///$(CURDIR)/var/bench-smoke.sqlite3 $(PYTHON) manage.py bench_data --scale 0.001 >/dev/null
	$(BENCH_SETTINGS) DATABASE_URL=sqlite:///$(CURDIR)/var/bench-smoke.sqlite3 $(PYTHON) manage.py bench $(SMOKE_ARGS)
	$(PYTHON) scripts/fresh_database.py $(PG_URL)_bench_smoke
	$(BENCH_SETTINGS) DATABASE_URL=$(PG_URL)_bench_smoke $(PYTHON) manage.py migrate -v0 --noinput
	$(BENCH_SETTINGS) DATABASE_URL=$(PG_URL)_bench_smoke $(PYTHON) manage.py bench_data --scale 0.001 >/dev/null
	$(BENCH_SETTINGS) DATABASE_URL=$(PG_URL)_bench_smoke $(PYTHON) manage.py bench $(SMOKE_ARGS)
	$(BENCH_SETTINGS) DATABASE_URL=$(PG_URL)_bench_smoke $(PYTHON) manage.py soak $(SOAK_SMOKE_ARGS)

# The soak (docs/benchmarks.md): SOAK_SECONDS of mixed loopback load against gunicorn on the
# PostgreSQL of SOAK_DB, which is restarted half-way (pg_ctlcluster of the local cluster on that
# port: it cuts off every other client of that server too). The district is generated once.
SOAK_DB      ?= postgres://postgres@127.0.0.1:5432/linli_soak
SOAK_SECONDS ?= 600
SOAK_SCALE   ?= 0.05
SOAK_ARGS    ?=
soak: dev pg-client
	@bash scripts/ensure_postgres.sh "$(SOAK_DB)"
	$(PYTHON) scripts/fresh_database.py --if-absent $(SOAK_DB)
	$(BENCH_SETTINGS) DATABASE_URL=$(SOAK_DB) $(PYTHON) manage.py migrate -v0 --noinput
	$(BENCH_SETTINGS) DATABASE_URL=$(SOAK_DB) $(PYTHON) manage.py bench_data --scale $(SOAK_SCALE) --if-absent
	$(BENCH_SETTINGS) DATABASE_URL=$(SOAK_DB) $(PYTHON) manage.py soak --seconds $(SOAK_SECONDS) $(SOAK_ARGS)

# Mutation testing (docs/testing.md): cosmic-ray mutates the modules that decide rules, scope and
# privacy, one mutant at a time, in a copy of the tree, and runs each module's own tests on SQLite
# (niced). Prints the score per module; fails below 90 % killed or on a survivor not listed as
# equivalent in docs/testing.md. Not part of `make test`: about half an hour of CPU.
# MUTATE_MODULES=tally,procedures limits it to some modules.
MUTATE_MODULES ?=
mutate: dev messages
	MUTATE_MODULES="$(MUTATE_MODULES)" $(PYTHON) scripts/mutate.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
