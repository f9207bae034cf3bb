#!/usr/bin/env bash
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Build the release tarball and import it with galaxy-importer, offline, as Galaxy does on
# upload (`make galaxy-import`): antsibull-nox's build-import-check session, configured in
# antsibull-nox.toml (tool pins and settings in tests/galaxy-importer/).
#
# The session itself only warns about the importer's non-fatal errors; this fails on them,
# and on any importer warning, unless the log ends with a clean import. The whole log is
# kept in build/galaxy-import.log.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd -P)"
cd "$root"
log=build/galaxy-import.log
mkdir -p build

rc=0
.venv/bin/nox --reuse-venv=yes -e build-import-check >"$log" 2>&1 || rc=$?
# pip's notes about the machine's local indexes are noise, not findings.
grep -v 'is ignored: it is neither a file nor a directory' "$log" || true
if [ "$rc" -ne 0 ]; then
    echo "galaxy-import: the build-import-check session failed (exit $rc)" >&2
    exit "$rc"
fi
# Everything galaxy-importer printed, from its banner on.
importer="$(sed -n '/^Importing with galaxy-importer/,$p' "$log")"
findings="$(grep -E '^(ERROR|WARNING|CRITICAL)\b|non-fatal error' <<<"$importer" || true)"
if [ -n "$findings" ]; then
    echo "galaxy-import: galaxy-importer reported:" >&2
    echo "$findings" >&2
    exit 1
fi
if ! grep -q '^Importer processing completed successfully' <<<"$importer"; then
    echo "galaxy-import: galaxy-importer did not report a completed import" >&2
    exit 1
fi
echo "galaxy-import: Importer processing completed successfully ($(grep -c '^Loading ' <<<"$importer") contents loaded, no error, no warning)"
