# The two commands of the README: `make book` and `make test`.
# Each sets up its own virtual environment on a fresh clone, so nothing but
# Python 3.11 and make is needed beforehand.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export GALAXYLIB_PROFILE ?= small
# Notebooks run in their own folder: anchor the data root at the repository (also when
# GALAXYLIB_DATA is set but empty, which would put the data in each notebook's folder).
ifeq ($(strip $(GALAXYLIB_DATA)),)
override GALAXYLIB_DATA := $(CURDIR)/data
endif
export GALAXYLIB_DATA
# Processes for make test and for executing the book's pages: one per core, at most four
# (each may hold a TensorFlow kernel).
JOBS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -gt 4 ] && n=4; echo $$n)

.PHONY: help venv data book test unit colab-test colab-venv lint exercises nbgrader networks remedies positions ablation clean
.DEFAULT_GOAL := help

## help: list the targets (what `make` alone does)
help:
	@awk '/^## [a-z-]+: / { sub(/^## /, ""); name = substr($$1, 1, length($$1) - 1); \
		sub(/^[^:]*: /, ""); printf "  make %-14s %s\n", name, $$0; next } \
		/^## / { sub(/^## /, ""); printf "  %-19s %s\n", "", $$0 }' $(MAKEFILE_LIST)

## venv: set up .venv (every other target does it first when needed)
venv: $(STAMP)

# pip installs uv, and uv the rest: the same packages from the same index as pip would
# choose, fetched, unpacked and compiled in parallel. On 2 cores, requirements.txt took uv
# 49 s with nothing in its cache and pip 103 s with everything in its cache; every target
# waits for it. --compile-bytecode writes the .pyc files at install, as pip does: without
# them, where PYTHONDONTWRITEBYTECODE is set, every process compiles what it imports
# (TensorFlow: 15 s instead of 7 s).
# (A .venv made before uv was its installer gets it from the first rule too.)
UV := $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python
$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv

$(STAMP): requirements.txt pyproject.toml | $(BIN)/uv
	$(UV) -r requirements.txt
	$(UV) --no-deps -e .
	touch $@

# Executed outputs are cached per notebook; a change to galaxylib's code or data invalidates
# them all (its content, not its files' dates, which a fresh clone or a restored cache resets).
GALAXYLIB_DATA_FILES := galaxylib/real_galaxies.csv galaxylib/course/real_positions.csv \
	galaxylib/course/remedies.json \
	galaxylib/course/ablation.json galaxylib/course/networks/provenance.json
_build/.galaxylib: $(wildcard galaxylib/*.py galaxylib/*/*.py galaxylib/*/*/*.py) $(GALAXYLIB_DATA_FILES) | $(STAMP)
	@sum=$$(cat galaxylib/*.py galaxylib/*/*.py galaxylib/*/*/*.py $(GALAXYLIB_DATA_FILES) | sha256sum); \
	if [ "$$(cat $@ 2>/dev/null)" != "$$sum" ]; then rm -rf _build/.jupyter_cache _build/.doctrees; fi; \
	mkdir -p _build && echo "$$sum" > $@

# Pages run with their progress bars off, whichever of the two runs them (and so do the
# crops colab-test makes for its chapters when make book has not made them), and with every
# figure checked for text too small to read on the page (galaxylib.plots.small_text).
BOOK_ENV := TQDM_DISABLE=1 GALAXYLIB_CHECK_FIGURES=1
BUILD := $(BOOK_ENV) $(BIN)/jupyter-book build . --builder html --warningiserror --keep-going
# The student edition's configuration (build_tools.exercises.write_student_book): the book
# with the exercise pages of exercises/, its chapters read from the executed cache.
STUDENT := _build/student
# Jupyter Book runs one page after another: run them JOBS at a time into its cache first.
EXECUTE := $(BOOK_ENV) $(BIN)/python -m build_tools.execute --jobs $(JOBS)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The site test drives Debian's Chromium. One rule makes both files (&:), so that make -j
# never runs two apt-gets at once (the second would find the first's lock and fail).
/usr/bin/chromium /usr/bin/chromedriver &:
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver

## data: make what the tests, the book and colab-test share in the data root, once, before
## they run: the book's sky and its stored networks with their crops
data: $(STAMP)
	$(BIN)/python -c "from galaxylib.course import course_model; course_model('report'); course_model('improved')"

## book: build the executed site into _build/site (warnings and failing cells fail it):
## the student edition at its root, the edition with solutions (_build/html) under
## solutions/; then open the pages of both in headless Chromium
book: $(STAMP) data _build/.galaxylib /usr/bin/chromium /usr/bin/chromedriver
	$(EXECUTE)
	$(BUILD)
	$(BIN)/python -m build_tools.exercises --student-book $(STUDENT)
	$(BUILD) --config $(STUDENT)/_config.yml --toc $(STUDENT)/_toc.yml --path-output $(STUDENT)
	rm -rf _build/site
	cp -r $(STUDENT)/_build/html _build/site
	cp -r _build/html _build/site/solutions
	$(BIN)/python -m pytest -q tests/site -o addopts=""

## test: lint, then run the test suite (JOBS processes, a test file each at a time)
test: lint data
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile

## unit: the fast tests: no lint, no notebook, no nbgrader, none marked slow
unit: $(STAMP)
	$(BIN)/python -m pytest -o addopts="-ra --strict-markers --ignore=tests/site --ignore=tests/colab" \
		-m "not slow" --durations=5 -n $(JOBS) --dist loadfile tests

## colab-test: run chapters 0, 2 and 7 as Colab does, and load the stored networks there (a fresh venv with Colab's packages at
## the lowest TensorFlow allowed, galaxylib installed by the first cell from this clone,
## the data root restored from Drive-style archives: the sky, the stored networks, crops)
colab-test: $(STAMP) data colab-venv
	$(BOOK_ENV) $(BIN)/python -m pytest -q -s -o addopts="" tests/colab

## colab-venv: make the Colab-like Python that colab-test runs the chapters in, in
## _build/colab-venv (colab-test makes it when missing)
colab-venv: $(STAMP)
	$(BIN)/python tests/colab/machine.py

## exercises: regenerate exercises/ and the .ipynb twins from solutions/ and chapters/
exercises: $(STAMP)
	$(BIN)/python -m build_tools.install_cell chapters/*.py solutions/*.py
	$(BIN)/python -m build_tools.exercises solutions exercises
	$(BIN)/python -m build_tools.exercises --twins chapters/*.py

## networks: train the book's stored networks again (about an hour on 2 CPU cores; resumes
## after a kill) and write them, with their provenance, to galaxylib/course/networks/
networks: $(STAMP)
	$(BIN)/python -m build_tools.networks _build/networks

## remedies: score chapter 8's remedies (galaxylib/course/remedies.json); trains what make networks left out
remedies: $(STAMP)
	$(BIN)/python -m build_tools.remedies _build/networks

## positions: where each photograph's galaxy is (galaxylib/course/real_positions.csv), from the
## stellarium-data package's own catalogue and corners (apt-get downloads it once)
DEB := stellarium-data_0.22.2-1_all.deb
positions: $(STAMP)
	mkdir -p _build/positions
	cd _build/positions && { [ -f $(DEB) ] || apt-get download stellarium-data=0.22.2-1; }
	$(BIN)/python -m build_tools.positions _build/positions/$(DEB)

## ablation: train and score chapter 7's ideas one at a time on one sky
## (galaxylib/course/ablation.json; hours on 2 CPU cores; resumes after a kill)
ablation: $(STAMP)
	$(BIN)/python -m build_tools.ablation _build/ablation

## nbgrader: write an nbgrader course directory with the six sets to _build/nbgrader
nbgrader: $(STAMP)
	$(BIN)/python -m build_tools.nbgrader _build/nbgrader

## lint: ruff over the package, the tests and the notebooks' sources; mypy over galaxylib
lint: $(STAMP)
	$(BIN)/ruff check galaxylib build_tools _ext tests chapters solutions
	$(BIN)/ruff format --check galaxylib build_tools _ext tests chapters solutions
	$(BIN)/mypy

## clean: remove _build (the site, the executed notebooks' cache, the nbgrader course)
clean:
	rm -rf _build
