# clonaedu: two commands from a fresh clone (Python 3.11+, pip and make are all you need).
#   make lab    open the course in JupyterLab
#   make test   run every test (library, widgets, every notebook)
# Both create or reuse the project virtual environment in $(VENV) and install only when
# pyproject.toml changed since the last install.

PYTHON   ?= python3
VENV     ?= .venv
LAB_IP   ?= 127.0.0.1
LAB_PORT ?= 8888
START    ?= notebooks/00_start_here.ipynb
APP_PORT ?= 8866
PRESENT  ?= 0
HANDOUTS ?= build/handouts
FIGURES  ?= build/figures

BIN := $(VENV)/bin
PY  := $(BIN)/python
# JupyterLab refuses to run as root unless told; containers often run as root.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
# Voila opens a browser only where there is a display (it runs as root without a flag).
NO_BROWSER := $(shell [ -n "$$DISPLAY" ] || [ "$$(uname)" = Darwin ] || echo --no-browser)
APP_HOST := $(if $(filter 0.0.0.0 ::,$(LAB_IP)),127.0.0.1,$(LAB_IP))

.PHONY: lab test notebooks figures app handouts clean help
.DEFAULT_GOAL := help

help:
	@echo "make lab    open the course in JupyterLab ($(START))"
	@echo "make test   run every test: pytest on tests/ and nbval on every notebook"
	@echo "            (tests/browser drives Chromium: apt-get install chromium; without it they skip,"
	@echo "             CLONAEDU_BROWSER_TESTS=required makes that a failure, =off skips them)"
	@echo "make notebooks  re-execute every notebook in place (authors only)"
	@echo "make app    the course as an app in Voila, code hidden (PRESENT=1: projector style)"
	@echo "make handouts   each notebook as HTML (and PDF when Chromium is installed) in $(HANDOUTS)/"
	@echo "make figures    every course figure as PNG, SVG and alt text in $(FIGURES)/"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "clonaedu needs Python 3.11 or newer; found " + sys.version.split()[0])'
	@$(PYTHON) -m venv $(VENV) || { echo "python -m venv failed; trying virtualenv"; \
	  $(PYTHON) -m pip install --user --quiet virtualenv && $(PYTHON) -m virtualenv $(VENV); }
	@$(PY) -m pip install --quiet --upgrade pip

# One stamp per install flavour; each depends on pyproject.toml, so a second run does not reinstall.
$(VENV)/.installed-lab: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed-lab

lab: $(VENV)/.installed-lab
	@$(PY) -m clonaedu.launch --ip $(LAB_IP) --port $(LAB_PORT) --start $(START) $(ROOT_FLAG)

test: $(VENV)/.installed-test
	$(PY) -m pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg tests notebooks

notebooks: $(VENV)/.installed-test
	$(PY) -m clonaedu.execute notebooks/*.ipynb

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info

# The course as an app (Voila: prose, figures and panels; code hidden). Serves notebooks/ so the
# links between notebooks work; the start page is printed below.
app: $(VENV)/.installed-lab
	@printf '\nclonaedu app view (Voila): open http://$(APP_HOST):$(APP_PORT)/voila/render/$(notdir $(START))\n  (stop the server with Ctrl-C)\n\n'
	CLONAEDU_PRESENT=$(PRESENT) $(BIN)/voila $(dir $(START)) --Voila.ip=$(LAB_IP) --port=$(APP_PORT) --Voila.port_retries=0 $(NO_BROWSER)

handouts: $(VENV)/.installed-lab
	$(PY) -m clonaedu.cli handouts --out $(HANDOUTS)

figures: $(VENV)/.installed-lab
	$(PY) -m clonaedu.cli figures --out $(FIGURES)
