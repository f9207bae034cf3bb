# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Developer entry points for the hasura.cloud collection. Everything runs from the
# virtual environment .venv, created and filled from constraints.txt on first use.
#
#   make demo         run demo/demo.yml against a local emulator (or the real service)
#   make test         every stage below; stops at the first failure (one line per stage)
#   make sanity       ansible-test sanity on the newest supported ansible-core (.venv, Python 3.13)
#   make sanity-oldest  ansible-test sanity on the oldest core requires_ansible claims
#   make lint         ansible-lint, antsibull-docs lint, links of the Galaxy pages, docs-check, docsite
#   make docs-check | units | integration    one stage, with full output
#   make nox          antsibull-nox sessions extra-checks (action group, unwanted files, characters,
#                     whitespace) and docs-check (antsibull-docs in a clean venv)
#   make galaxy-import  build the tarball and import it with galaxy-importer, offline (nox)
#   make reuse        reuse lint: every file's copyright and licence (headers, REUSE.toml, LICENSES/)
#   make docs         regenerate docs/plugins/ with antsibull-docs from the plugins' documentation
#   make docsite      build an HTML site of the reference docs into build/docsite/html (offline)
#   make bench        tests/benchmarks/run.py (never part of `make test`); bench-quick: a short run
#   make matrix       unit tests, smoke playbook, differential tests under each supported ansible-core minor
#   make build        ansible-galaxy collection build into build/
#   make lock         re-resolve requirements-dev.txt and rewrite constraints.txt
#   make clean        remove build output and caches (keeps .venv; `make distclean` removes it too)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# .venv runs on this Python (found by scripts/find_python.sh; PYTHON=/path overrides).
export DEV_PYTHON := 3.13
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
COLLECTIONS := $(CURDIR)/$(VENV)/collections
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/hasura/cloud

# Every recipe sees the venv's tools first and finds hasura.cloud through the symlink.
export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

STAGE := scripts/stage.sh

# The oldest ansible-core minor that meta/runtime.yml claims (requires_ansible: ">=2.16.0").
OLDEST_CORE := $(shell sed -n 's/^requires_ansible:[[:space:]]*["'"'"']*>=[[:space:]]*\([0-9]*\.[0-9]*\).*/\1/p' meta/runtime.yml)

.PHONY: help venv link demo test sanity sanity-oldest lint ansible-lint docs-lint units integration docs docs-check docsite nox galaxy-import reuse \
        bench bench-quick matrix build lock clean distclean

help:
	@sed -n '/^# Developer entry points/,/^$$/ s/^# \{0,1\}//p' Makefile

# --- environment -----------------------------------------------------------------

venv: $(STAMP) link

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@scripts/venv.sh
	@touch $@

link:
	@scripts/link_collection.sh

lock:
	@scripts/lock.sh

# --- demo --------------------------------------------------------------------------

demo: venv
	@scripts/demo.sh $(DEMO_ARGS)

# --- tests -------------------------------------------------------------------------

# One line per stage; a failing stage shows the end of its log and stops the run.
# Logs: build/logs/<stage>.log
test:
	@start=$$SECONDS; \
	$(STAGE) setup       $(MAKE) --no-print-directory venv; \
	$(STAGE) lint        $(MAKE) --no-print-directory lint; \
	$(STAGE) reuse       $(MAKE) --no-print-directory reuse; \
	$(STAGE) nox         $(MAKE) --no-print-directory nox; \
	$(STAGE) sanity      $(MAKE) --no-print-directory sanity; \
	$(STAGE) sanity-$(OLDEST_CORE) $(MAKE) --no-print-directory sanity-oldest; \
	$(STAGE) units       $(MAKE) --no-print-directory units; \
	$(STAGE) integration $(MAKE) --no-print-directory integration; \
	$(STAGE) matrix      $(MAKE) --no-print-directory matrix; \
	$(STAGE) galaxy-import $(MAKE) --no-print-directory galaxy-import; \
	echo "make test: all stages passed in $$((SECONDS - start)) s"

sanity: venv
	@$(BIN)/python scripts/sanity.py

# The oldest core's venv is the matrix's (build/matrix/<minor>, on the Python it needs).
sanity-oldest: venv
	@MATRIX_SETUP_ONLY=1 scripts/matrix.sh $(OLDEST_CORE)
	@build/matrix/$(OLDEST_CORE)/bin/python scripts/sanity.py

lint: ansible-lint docs-lint docs-check docsite

ansible-lint: venv
	@$(BIN)/ansible-lint --profile production --offline

units: venv
	@$(BIN)/python -m pytest tests/unit tests/emulator \
	    --cov=ansible_collections.hasura.cloud.plugins --cov-report=term-missing

integration: venv
	@$(BIN)/python -m pytest tests/integration

# antsibull-nox (noxfile.py, antsibull-nox.toml); each session has its venv in .nox/.
nox: venv
	@$(BIN)/nox --reuse-venv=yes -e extra-checks docs-check

galaxy-import: venv
	@scripts/galaxy_import.sh

reuse: venv
	@$(BIN)/reuse lint

# --- docs --------------------------------------------------------------------------

docs: venv
	@scripts/docs.sh generate

docs-lint: venv
	@scripts/docs.sh lint

docs-check: venv
	@scripts/docs.sh check

docsite: venv
	@scripts/docs.sh docsite

# --- other -------------------------------------------------------------------------

bench: venv
	@$(BIN)/python tests/benchmarks/run.py $(BENCH_ARGS)

bench-quick: venv
	@$(BIN)/python tests/benchmarks/run.py --quick $(BENCH_ARGS)

# Unit tests and a smoke playbook under every ansible-core minor that requires_ansible claims.
matrix: venv
	@scripts/matrix.sh $(MATRIX_VERSIONS)

build: venv
	@mkdir -p build
	@$(BIN)/ansible-galaxy collection build --force --output-path build .

clean:
	rm -rf build .nox tests/output .pytest_cache .coverage .coverage.* coverage.xml htmlcov changelogs/.plugin-cache.yaml
	find . -path ./.venv -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
