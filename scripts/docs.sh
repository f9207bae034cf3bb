#!/usr/bin/env bash
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Reference docs of the collection, made by antsibull-docs from the plugins' and roles' own
# documentation (nothing here is a second copy of it).
#
#   scripts/docs.sh lint       antsibull-docs lint-collection-docs --plugin-docs
#                              --validate-collection-refs=all (markup, O()/M() references,
#                              role argument specs, docs/docsite/), then the links check
#   scripts/docs.sh generate   rewrite docs/plugins/ (simplified RST, readable on GitHub)
#   scripts/docs.sh check      fail when docs/plugins/ differs from what generate writes
#   scripts/docs.sh docsite    build an HTML site into build/docsite/html (Sphinx, offline)
#
# Expects the virtual environment from `make venv` (.venv, with the collection symlink).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd -P)"
cd "$root"
bin="$root/.venv/bin"
export PATH="$bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$root/.venv/collections"
export ANSIBLE_NOCOLOR=1
scripts/link_collection.sh

collection=hasura.cloud
dest=docs/plugins

# antsibull-docs writes only into a directory that is private to its owner.
private_dir() {
    local dir
    dir="$(mktemp -d)"
    chmod 700 "$dir"
    echo "$dir"
}

# $1: directory to write the GitHub-readable pages to
render_simplified_rst() {
    antsibull-docs collection --use-current --squash-hierarchy --fail-on-error \
        --no-add-antsibull-docs-version --output-format simplified-rst \
        --dest-dir "$1" "$collection" >/dev/null
}

case "${1:-}" in
    lint)
        antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs=all .
        echo "docs: antsibull-docs lint-collection-docs passed"
        "$bin/python" scripts/check_links.py
        ;;
    generate)
        tmp="$(private_dir)"
        trap 'rm -rf "$tmp"' EXIT
        render_simplified_rst "$tmp"
        rm -rf "$dest"
        mkdir -p "$dest"
        cp "$tmp"/* "$dest"/
        echo "docs: wrote $(find "$dest" -type f | wc -l) files to $dest/"
        ;;
    check)
        tmp="$(private_dir)"
        trap 'rm -rf "$tmp"' EXIT
        render_simplified_rst "$tmp"
        if ! diff -r -q "$tmp" "$dest" >"$tmp.diff" 2>&1; then
            sed -e "s#$tmp#(generated)#g" "$tmp.diff"
            rm -f "$tmp.diff"
            echo "docs-check: $dest/ is stale: run 'make docs' and commit the result" >&2
            exit 1
        fi
        rm -f "$tmp.diff"
        echo "docs-check: $dest/ is current ($(find "$dest" -type f | wc -l) files)"
        ;;
    docsite)
        site=build/docsite
        rm -rf "$site"
        mkdir -p "$site"
        chmod 700 "$site"
        mkdir -m 700 "$site/rst"
        antsibull-docs collection --use-current --squash-hierarchy --fail-on-error \
            --no-add-antsibull-docs-version --dest-dir "$site/rst" "$collection" >/dev/null
        # -W: a warning (a broken reference, bad markup) fails the build.
        sphinx-build -q -W --keep-going -b html -c scripts/docsite "$site/rst" "$site/html"
        echo "docsite: open $site/html/index.html"
        ;;
    *)
        echo "usage: scripts/docs.sh lint | generate | check | docsite" >&2
        exit 2
        ;;
esac
