#!/usr/bin/env bash
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Create or refresh the development virtual environment in .venv and install the pinned
# toolchain into it: pip install -c constraints.txt -r requirements-dev.txt.
# Called by `make venv` only when requirements*.txt or constraints.txt changed (stamp file
# .venv/.installed). pip's output goes to .venv/pip.log and is shown only on failure.
#
# The venv runs on Python $DEV_PYTHON (default 3.13, what ansible-core 2.21 and the pins in
# constraints.txt are made for), found by scripts/find_python.sh; PYTHON=/path/to/python
# overrides the search. A .venv made with another Python is replaced.
set -euo pipefail
cd "$(dirname "$0")/.."

want="${DEV_PYTHON:-3.13}"
python="${PYTHON:-}"
if [ -z "$python" ]; then
    python="$(scripts/find_python.sh "$want")" || {
        echo "venv: the development environment (.venv) needs Python $want; see above" >&2
        exit 1
    }
fi
venv=.venv
log="$venv/pip.log"

minor_of() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true; }
if [ -x "$venv/bin/python" ] && [ "$(minor_of "$venv/bin/python")" != "$(minor_of "$python")" ]; then
    echo "venv: $venv runs Python $(minor_of "$venv/bin/python"), not $(minor_of "$python"): recreating it"
    rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ]; then
    echo "venv: creating $venv with $("$python" --version 2>&1) ($python)"
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
# The version from the package itself: `ansible --version | head -n 1` would close the pipe
# while ansible still writes, and ansible prints a BrokenPipeError traceback for that.
core="$("$venv/bin/python" -c 'from ansible.release import __version__; print(__version__)')"
echo "venv: ready in $((SECONDS - start)) s (ansible-core $core, $("$venv/bin/python" --version 2>&1))"
