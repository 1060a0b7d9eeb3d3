# epaper — one command to set up and run the demo, one to set up and run the tests.
#   make demo   install what is missing, export the sample archive to out/ (EPUB + PDF)
#   make test   install what is missing (test tools too), then ruff, mypy and pytest

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
DEBIAN_PACKAGES      = fonts-noto-cjk libharfbuzz-subset0 poppler-utils fontconfig default-jre-headless
DEBIAN_TEST_PACKAGES = calibre chromium

.PHONY: demo test setup setup-test system-packages system-test-packages lint clean

demo: setup
	$(BIN)/epaper inspect examples/archive
	$(BIN)/epaper export examples/archive -f epub,pdf -o out --report out/report.json
	@echo "Books written under out/ — open out/青川晚报/*.epub or *.pdf"

test: setup-test
	$(BIN)/ruff check exporter tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -q

setup: system-packages $(VENV)/.installed

setup-test: system-packages system-test-packages $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

# Debian packages: installed when running as root with apt-get, otherwise only checked.
system-packages:
	@./scripts/system-packages.sh $(DEBIAN_PACKAGES)

system-test-packages:
	@./scripts/system-packages.sh $(DEBIAN_TEST_PACKAGES)

lint:
	$(BIN)/ruff check exporter tests benchmarks
	$(BIN)/ruff format --check exporter tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf out build dist .pytest_cache .mypy_cache .ruff_cache
