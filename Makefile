# Two commands on a fresh machine with Python 3.11+ and make:
#   make run   - set up, migrate, start the service on SQLite under ./var/
#   make test  - set up, then ruff, mypy and pytest
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test test-sqlite lint typecheck bench bench-five-years screenshots prompts clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Нужен Python 3.11 или новее ($(PYTHON))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	mkdir -p var
	$(BIN)/consult-line migrate
	$(BIN)/consult-line kb load
	$(BIN)/consult-line serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/consult-line kb check
	$(BIN)/pytest

# The suite on the embedded SQLite database even when TEST_DATABASE_URL is set.
test-sqlite: setup
	env -u TEST_DATABASE_URL $(BIN)/pytest

bench: setup
	$(BIN)/python bench/bench_calendar.py
	$(BIN)/python bench/bench_agi.py
	$(BIN)/python bench/bench_cli.py
	$(BIN)/python bench/bench_log_sources.py
	$(BIN)/python bench/bench_reconcile.py
	$(BIN)/python bench/bench_ami.py
	$(BIN)/python bench/soak_line.py
	$(BIN)/python bench/bench_live.py
	$(BIN)/python bench/bench_wallboard.py
	$(BIN)/python bench/bench_line_scope.py
	$(BIN)/python bench/bench_card.py
	$(BIN)/python bench/bench_report_missed.py
	$(BIN)/python bench/bench_report_survey.py
	$(BIN)/python bench/bench_retention.py
	$(BIN)/python bench/bench_report_operators.py
	$(BIN)/python bench/bench_client_history.py
	$(BIN)/python bench/bench_training_line.py
	$(BIN)/python bench/bench_five_years.py
	$(BIN)/python bench/bench_count_triggers.py
	$(BIN)/python bench/bench_recognizer.py
	$(BIN)/python bench/bench_speech_line.py

# Five years of a busy line: the data is kept in var/bench/ (and in the schema bench_five_years
# of TEST_DATABASE_URL) and used again by the next run.
bench-five-years: setup
	$(BIN)/python bench/bench_five_years.py --keep var/bench

# Screenshots of the pages the browser tests open, into docs/screenshots/ (needs Chromium).
screenshots: setup
	TEST_SCREENSHOTS=1 $(BIN)/pytest tests/e2e -q

# Placeholder recordings of every prompt (espeak-ng + sox), to be re-recorded in a studio.
# Copy asterisk/sounds/consult-line to Asterisk's sounds directory.
prompts: setup
	$(BIN)/python -m ivr.prompt_render asterisk/sounds/consult-line

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
