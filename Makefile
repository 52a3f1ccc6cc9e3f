# clonaedu: two commands from a fresh clone (Python 3.11+, pip and make are all you need).
#   make lab    open the course in JupyterLab
#   make test   run every test (library, widgets, every notebook)
# Both create or reuse the project virtual environment in $(VENV) and install only when
# pyproject.toml or the lock (requirements/lock.txt) changed since the last install. They install
# exactly the locked versions (pip install -c), the same ones Binder's environment.yml pins.

PYTHON   ?= python3
VENV     ?= .venv
LAB_IP   ?= 127.0.0.1
LAB_PORT ?= 8888
START    ?= notebooks/00_start_here.ipynb
APP_PORT ?= 8866
PRESENT  ?= 0
PREHEAT  ?= 0
HANDOUTS ?= build/handouts
FIGURES  ?= build/figures
BUNDLE   ?= build/bundle
LOCK     := requirements/lock.txt
LATEST   ?= .venv-latest

BIN := $(VENV)/bin
PY  := $(BIN)/python
# JupyterLab refuses to run as root unless told; containers often run as root.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
# Voila opens a browser only where there is a display (it runs as root without a flag).
NO_BROWSER := $(shell [ -n "$$DISPLAY" ] || [ "$$(uname)" = Darwin ] || echo --no-browser)
APP_HOST := $(if $(filter 0.0.0.0 ::,$(LAB_IP)),127.0.0.1,$(LAB_IP))

.PHONY: lab test test-latest lock notebooks figures app handouts bundle clean help
.DEFAULT_GOAL := help

help:
	@echo "make lab    open the course in JupyterLab ($(START))"
	@echo "make test   run every test: pytest on tests/ and nbval on every notebook"
	@echo "            (tests/browser drives Chromium: apt-get install chromium; without it they skip,"
	@echo "             CLONAEDU_BROWSER_TESTS=required makes that a failure, =off skips them)"
	@echo "make notebooks  re-execute every notebook in place (authors only)"
	@echo "make app    the course as an app in Voila, code hidden (PRESENT=1: projector style;"
	@echo "            PREHEAT=1: each notebook rendered ahead in its own kernel, so pages open at once)"
	@echo "make handouts   each notebook as HTML (and PDF when Chromium is installed) in $(HANDOUTS)/"
	@echo "make figures    every course figure as PNG, SVG and alt text in $(FIGURES)/"
	@echo "make bundle     the instructor bundle (answer key, handouts, figures, slides, worksheets) in $(BUNDLE)/ and $(BUNDLE).zip"
	@echo "make test-latest  the test suite on the newest versions pyproject.toml allows (in $(LATEST))"
	@echo "make lock   re-pin requirements/lock.txt and environment.yml from $(VENV) (after a deliberate upgrade)"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "clonaedu needs Python 3.11 or newer; found " + sys.version.split()[0])'
	@$(PYTHON) -m venv $(VENV) || { echo "python -m venv failed; trying virtualenv"; \
	  $(PYTHON) -m pip install --user --quiet virtualenv && $(PYTHON) -m virtualenv $(VENV); }
	@$(PY) -m pip install --quiet --upgrade pip

# One stamp per install flavour; each depends on pyproject.toml and the lock, so a second run does
# not reinstall and a changed lock does. `-c $(LOCK)`: exactly the locked versions (the one lock).
$(VENV)/.installed-lab: pyproject.toml $(LOCK) | $(PY)
	$(PY) -m pip install --quiet -c $(LOCK) -e '.[present]'
	$(PY) -m clonaedu.appview
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(LOCK) | $(PY)
	$(PY) -m pip install --quiet -c $(LOCK) -e '.[test,present]'
	$(PY) -m clonaedu.appview
	@touch $@ $(VENV)/.installed-lab

lab: $(VENV)/.installed-lab
	@$(PY) -m clonaedu.launch --ip $(LAB_IP) --port $(LAB_PORT) --start $(START) $(ROOT_FLAG)

test: $(VENV)/.installed-test
	$(PY) -m pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg tests notebooks

# The same suite on the newest versions pyproject.toml's ranges allow, in a separate environment
# (the project one keeps the lock). Tests that compare the installed versions with the lock skip.
test-latest:
	@[ -x $(LATEST)/bin/python ] || $(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --quiet --upgrade pip
	$(LATEST)/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[test,present]'
	$(LATEST)/bin/python -m clonaedu.appview
	$(LATEST)/bin/python -m pip list --format=freeze --exclude-editable > $(LATEST)/versions.txt
	@echo "newest versions installed: $(LATEST)/versions.txt (compare with $(LOCK))"
	CLONAEDU_LATEST=1 $(LATEST)/bin/python -m pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg tests notebooks

# Re-pin after a deliberate upgrade: pip install -U what you want in $(VENV), make test, then make lock.
lock: | $(PY)
	$(PY) tools/lock.py freeze
	@touch $(VENV)/.installed-test $(VENV)/.installed-lab

notebooks: $(VENV)/.installed-test
	$(PY) -m clonaedu.execute notebooks/*.ipynb

clean:
	rm -rf $(VENV) $(LATEST) .pytest_cache .hypothesis build *.egg-info

# The course as an app (Voila: prose, figures and panels; code hidden). Serves notebooks/ so the
# links between notebooks work; the start page is printed below.
app: $(VENV)/.installed-lab
	@printf '\nclonaedu app view (Voila): open http://$(APP_HOST):$(APP_PORT)/voila/render/$(notdir $(START))\n  (stop the server with Ctrl-C)\n\n'
	CLONAEDU_PRESENT=$(PRESENT) $(BIN)/voila $(dir $(START)) --Voila.ip=$(LAB_IP) --port=$(APP_PORT) --Voila.port_retries=0 $(NO_BROWSER) $(if $(filter 1,$(PREHEAT)),--preheat_kernel=True)

handouts: $(VENV)/.installed-lab
	$(PY) -m clonaedu.cli handouts --out $(HANDOUTS)

figures: $(VENV)/.installed-lab
	$(PY) -m clonaedu.cli figures --out $(FIGURES)

# Everything an instructor hands out or projects, offline, as a folder and one zip (no Python needed to use it).
bundle: $(VENV)/.installed-lab
	$(PY) -m clonaedu.cli bundle --out $(BUNDLE)
