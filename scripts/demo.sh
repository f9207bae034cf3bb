#!/usr/bin/env bash
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Run demo/demo.yml (`make demo`).
#
# By default against a local emulator: start tests/emulator/hasura_cloud_emulator.py on a
# free loopback port with a random token, run the playbook with HASURA_CLOUD_API_URL and
# HASURA_CLOUD_PAT pointing at it, and stop the emulator again (also on failure or Ctrl-C).
#
# Usage: scripts/demo.sh [--emulator | --no-emulator] [ansible-playbook options...]
#   With HASURA_CLOUD_PAT and HASURA_CLOUD_API_URL both exported, the demo runs against that
#   service instead of the emulator (it creates and deletes a real project there).
#   --no-emulator   the same with only HASURA_CLOUD_PAT exported (URL: the real Hasura Cloud API).
#   --emulator      always use a local emulator, whatever is exported.
#   `make demo DEMO_ARGS=...` passes these options.
# Expects the virtual environment from `make venv` (.venv, with the collection symlink).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd -P)"
cd "$root"

use_emulator=1
if [ -n "${HASURA_CLOUD_PAT:-}" ] && [ -n "${HASURA_CLOUD_API_URL:-}" ]; then
    use_emulator=0
fi
case "${1:-}" in
    --no-emulator) use_emulator=0; shift ;;
    --emulator) use_emulator=1; shift ;;
esac

bin="$root/.venv/bin"
if [ ! -x "$bin/ansible-playbook" ]; then
    echo "demo: $bin/ansible-playbook not found; run 'make venv' (or 'make demo') first" >&2
    exit 1
fi
scripts/link_collection.sh

export PATH="$bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$root/.venv/collections"
export ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export ANSIBLE_RETRY_FILES_ENABLED=false

workdir="$(mktemp -d)"
emulator_pid=""
cleanup() {
    if [ -n "$emulator_pid" ] && kill -0 "$emulator_pid" 2>/dev/null; then
        kill -TERM "$emulator_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$emulator_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$emulator_pid" 2>/dev/null || true
        wait "$emulator_pid" 2>/dev/null || true
        echo "demo: emulator stopped"
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$use_emulator" = 1 ]; then
    token="$("$bin/python" -c 'import secrets; print(secrets.token_hex(24))')"
    "$bin/python" tests/emulator/hasura_cloud_emulator.py --host 127.0.0.1 --port 0 --token "$token" \
        --state-file "$workdir/state.json" >"$workdir/emulator.out" 2>"$workdir/emulator.err" &
    emulator_pid=$!
    url=""
    for _ in $(seq 1 300); do
        line="$(head -n 1 "$workdir/emulator.out" 2>/dev/null || true)"
        if [[ "$line" =~ ^listening\ on\ (https?://[^[:space:]]+/v1/graphql)$ ]]; then
            url="${BASH_REMATCH[1]}"
            break
        fi
        kill -0 "$emulator_pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$url" ]; then
        echo "demo: the emulator did not start; its output:" >&2
        cat "$workdir/emulator.out" "$workdir/emulator.err" >&2
        exit 1
    fi
    echo "demo: emulator listening on $url (pid $emulator_pid)"
    export HASURA_CLOUD_API_URL="$url"
    export HASURA_CLOUD_PAT="$token"
else
    : "${HASURA_CLOUD_PAT:?export HASURA_CLOUD_PAT (and optionally HASURA_CLOUD_API_URL) to run without the emulator}"
    export HASURA_CLOUD_API_URL="${HASURA_CLOUD_API_URL:-https://data.pro.hasura.io/v1/graphql}"
    echo "demo: using $HASURA_CLOUD_API_URL"
fi

"$bin/ansible-playbook" -i localhost, -c local -e "ansible_python_interpreter=$bin/python" \
    demo/demo.yml "$@"
