#!/usr/bin/env bash
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Run one stage of `make test` quietly: its output goes to build/logs/<stage>.log and one
# summary line is printed. On failure the end of the log is shown and the exit code kept.
# pytest's closing line is echoed too, so the number of tests run stays visible.
# Usage: scripts/stage.sh NAME COMMAND [ARGS...]     (VERBOSE=1 streams the whole output)
set -uo pipefail
export NO_COLOR=1 ANSIBLE_NOCOLOR=1
cd "$(dirname "$0")/.." || exit 1

name="$1"
shift
mkdir -p build/logs
log="build/logs/$name.log"
start=$SECONDS

if [ "${VERBOSE:-0}" = "1" ]; then
    "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
else
    "$@" >"$log" 2>&1
    rc=$?
fi
elapsed=$((SECONDS - start))

# The most telling line of the log: pytest's summary, ansible-lint's verdict, ...
case "$name" in
    sanity*) summary="$(grep -c '^Running sanity test' "$log" || true) sanity tests run" ;;
    *) summary="$(grep -E '^=+ .*(passed|failed|error|no tests ran).* =+$|^(Passed|Failed):|counted as success|^docs-check:|^docsite:|^venv:|^galaxy-import:|^matrix: units|^nox > Ran |^ee:|^reuse:|^# SUMMARY|^Congratulations' "$log" \
                  | tail -n 1 | sed -E 's/^=+ (.*) =+$/pytest: \1/' || true)" ;;
esac

if [ "$rc" -eq 0 ]; then
    printf '%-14s ok      %4d s  %s\n' "$name" "$elapsed" "$summary"
    # Repeat pytest's closing line(s) as they are, so the number of tests run stays visible.
    grep -E '^=+ .*(passed|failed|no tests ran).* =+$' "$log" || true
else
    if [ "${VERBOSE:-0}" != "1" ]; then
        # ansible-test, ansible-lint and pytest scatter their findings: show those lines
        # first, then the end of the log.
        grep -E '^(ERROR|FATAL|FAILED|E  )|^[a-z-]+\[[a-z-]+\]: |^[a-z-]+: .*$' "$log" \
            | grep -v 'is ignored: it is neither a file nor a directory' | head -n 80 || true
        echo "--- last lines of $log ---"
        tail -n 25 "$log" | grep -v 'is ignored: it is neither a file nor a directory'
    fi
    printf '%-14s FAILED  %4d s  (exit %d, full log: %s)\n' "$name" "$elapsed" "$rc" "$log"
fi
exit "$rc"
