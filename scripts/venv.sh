#!/usr/bin/env bash
# Create or refresh the development virtual environment in .venv and install the pinned
# toolchain into it: pip install -c constraints.txt -r requirements-dev.txt.
# Called by `make venv` only when requirements*.txt or constraints.txt changed (stamp file
# .venv/.installed). pip's output goes to .venv/pip.log and is shown only on failure.
set -euo pipefail
cd "$(dirname "$0")/.."

python="${PYTHON:-python3}"
venv=.venv
log="$venv/pip.log"

if [ ! -x "$venv/bin/python" ]; then
    echo "venv: creating $venv with $("$python" --version 2>&1)"
    "$python" -m venv "$venv"
fi

echo "venv: installing pinned requirements (constraints.txt) into $venv"
start=$SECONDS
if ! { "$venv/bin/python" -m pip install -c constraints.txt --upgrade pip \
        && "$venv/bin/python" -m pip install -c constraints.txt -r requirements-dev.txt; } >"$log" 2>&1; then
    # The machine's pip configuration lists local indexes that lack some projects; pip
    # warns about each of them, which is noise, not an error.
    grep -v 'is ignored: it is neither a file nor a directory' "$log" | tail -n 40 >&2
    echo "venv: pip install failed (full log: $log)" >&2
    exit 1
fi
echo "venv: ready in $((SECONDS - start)) s ($("$venv/bin/ansible" --version | head -n 1))"
