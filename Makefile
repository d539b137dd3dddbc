# Two commands on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test bench lint clean serve mutate

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (or set PYTHON=python3)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

# Reports of every stage, then screenshots of them for the docs (out/screenshots/, not committed)
demo: $(STAMP)
	$(PY) -m cocontrol demo --out out
	@bash scripts/ensure-chromium.sh >/dev/null && $(PY) scripts/screenshots.py out \
	  || echo "no Chromium (scripts/ensure-chromium.sh needs root): screenshots skipped"

# PostgreSQL for the service tests: used when running, else installed/started and stopped after
# Browser tests need Debian's chromium: installed when missing (required under CI=true)
test: $(STAMP)
	@bash scripts/ensure-chromium.sh >/dev/null || { [ "$$CI" != true ] \
	  && echo "no Chromium: browser tests are skipped (run scripts/ensure-chromium.sh as root)"; } \
	  || { echo "CI: Chromium could not be installed"; exit 1; }
	@eval "$$(bash scripts/ensure-postgres.sh start)"; $(PY) -m pytest; rc=$$?; \
	  bash scripts/ensure-postgres.sh stop; exit $$rc

serve: $(STAMP)
	$(PY) -m cocontrol serve --demo --data-dir out/serve

bench: $(STAMP)
	$(PY) bench/run_all.py

# mutation testing of the engine modules (slow; not part of `make test`): tools/mutate.py
mutate: $(STAMP)
	nice -n 10 $(PY) tools/mutate.py $(MUTATE_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench

clean:
	rm -rf out .pytest_cache
