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

BIN := $(VENV)/bin
PY  := $(BIN)/python
# JupyterLab refuses to run as root unless told; containers often run as root.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: lab test notebooks figures clean help
.DEFAULT_GOAL := help

help:
	@echo "make lab    open the course in JupyterLab ($(START))"
	@echo "make test   run every test: pytest on tests/ and nbval on every notebook"
	@echo "make notebooks  re-execute every notebook in place (authors only)"

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
