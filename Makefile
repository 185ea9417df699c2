# Kyky: `make run` sets everything up and serves the platform; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# make test runs the suite in this many processes (pytest-xdist); TEST_PROCESSES=0 runs it in one.
# --dist load hands each process its tests in collection order, which pytest-django sorts so that
# the transactional tests (which empty the database, migrations' rows included) come last; work
# stealing would run an earlier test after them.
TEST_PROCESSES ?= auto
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help run setup install assets migrate content demo test test-fast lint format messages bench bench-national bench-readme screenshots clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# BASE_URL is the one public address every absolute link is built from (lms/links.py): `run` sets it to
# the address it serves, for the setup steps too, which give Wagtail's site record the same host and port.
run: export BASE_URL = http://127.0.0.1:$(PORT)
setup content demo: export BASE_URL ?= http://127.0.0.1:$(PORT)

run: setup ## Set up (venv, npm assets, database, demo content and users) and serve on http://127.0.0.1:8000 (or PORT=...)
	H5P_ORIGIN=http://localhost:$(PORT) $(PY) manage.py runserver 127.0.0.1:$(PORT)

setup: install assets migrate content demo ## Everything `run` does before serving; safe to re-run

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed ## Create .venv and install the project with its dev tools

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

assets: node_modules/.installed ## Install the npm assets (h5p-standalone, served from our own origin)

migrate: install
	$(PY) manage.py migrate --noinput

content: migrate ## Import the trainings from content/, and the accessibility statement and privacy notice
	$(PY) manage.py import_content content/
	$(PY) manage.py setup_site_pages

demo: migrate ## Create the demo learner, trainer and admin and print their logins
	$(PY) manage.py setup_demo

test: install assets ## Run the whole test suite (DATABASE_URL and CELERY_BROKER_URL are honoured)
	$(PY) manage.py makemigrations --check --dry-run --settings=lms.settings.test
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist load

lint: install ## ruff
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: install ## Update and compile the fi/sv translations of the interface
	$(PY) manage.py makemessages -l fi -l sv --no-obsolete --ignore 'docs/*' --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'var/*' --ignore 'content/*' --ignore 'tests/*' --ignore 'bench/*'
	$(PY) manage.py compilemessages --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'var/*'

bench: install assets ## Benchmarks on PostgreSQL behind gunicorn, side by side with wagtail-lms (see bench/README.md)
	$(PY) bench/run.py

bench-national: install assets ## The benchmarks again on a database seeded to national scale, with query plans
	BENCH_SCALE=national $(PY) bench/run.py

bench-readme: ## Write the tables of the latest results (var/bench/*.json) into bench/README.md
	$(PY) bench/report.py $(wildcard var/bench/latest.json var/bench/latest-national.json)

SCREENS := home signup lesson-feedback my-trainings verify cohort
screenshots: install assets ## Regenerate docs/screenshots/ (the README's) by running the browser journeys
	rm -f docs/screenshots/*.png
	-KYKY_SCREENSHOTS=docs/screenshots $(PY) -m pytest -q -p no:cacheprovider -k 'not keyboard' \
		tests/browser/test_journey_study.py tests/browser/test_journey_verify.py tests/browser/test_journey_cohort.py
	@for screen in $(SCREENS); do for size in desktop phone; do test -f docs/screenshots/$$screen-$$size.png \
		|| { echo "no screenshot of $$screen at $$size: see the journey's failure above"; exit 1; }; done; done
	@du -ch docs/screenshots/*.png | tail -1

clean:
	rm -rf $(VENV) node_modules db.sqlite3 var
