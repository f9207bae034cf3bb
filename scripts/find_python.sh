#!/usr/bin/env bash
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Print the path of a Python interpreter of the given minor version, or explain on stderr
# which one is missing and how to get it (exit 1).
#
#   scripts/find_python.sh 3.13          -> /root/.pyenv/versions/3.13.0/bin/python3.13
#   scripts/find_python.sh --core 2.20   -> the Python the tests use for ansible-core 2.20
#
# Looked for, in this order: PYTHON_<major>_<minor> (for example PYTHON_3_13=/opt/py/bin/python3),
# `python<minor>` on PATH (pyenv shims count only when they run), then pyenv's versions
# (`pyenv root`/versions/<minor>.*, newest patch first).
set -euo pipefail

# ansible-core minor -> the Python its tests run on. 2.16 to 2.19 run on 3.11 (the
# machines' default); 2.20 needs 3.12 or newer; 2.21 runs on 3.13 like the main venv.
python_for_core() {
    case "$1" in
        2.1[6-9]) echo 3.11 ;;
        2.20) echo 3.12 ;;
        2.21) echo 3.13 ;;
        *) echo "find_python: no Python chosen for ansible-core $1 (edit scripts/find_python.sh)" >&2; return 1 ;;
    esac
}

if [ "${1:-}" = "--core" ]; then
    want="$(python_for_core "${2:?usage: find_python.sh --core ANSIBLE_CORE_MINOR}")"
else
    want="${1:?usage: find_python.sh PYTHON_MINOR | --core ANSIBLE_CORE_MINOR}"
fi

works() {  # $1 interpreter: is it really Python $want?
    [ -n "$1" ] && "$1" -c "import sys; sys.exit(0 if '%d.%d' % sys.version_info[:2] == '$want' else 1)" >/dev/null 2>&1
}

override_var="PYTHON_${want//./_}"
candidates=("${!override_var:-}")
candidates+=("$(command -v "python$want" 2>/dev/null || true)")
pyenv_root="${PYENV_ROOT:-}"
if [ -z "$pyenv_root" ] && command -v pyenv >/dev/null 2>&1; then
    pyenv_root="$(pyenv root 2>/dev/null || true)"
fi
[ -n "$pyenv_root" ] || pyenv_root="$HOME/.pyenv"
if [ -d "$pyenv_root/versions" ]; then
    while IFS= read -r version; do
        candidates+=("$pyenv_root/versions/$version/bin/python$want")
    done < <(find "$pyenv_root/versions" -mindepth 1 -maxdepth 1 -name "$want.*" -printf '%f\n' | sort -V -r)
fi

for candidate in "${candidates[@]}"; do
    if works "$candidate"; then
        echo "$candidate"
        exit 0
    fi
done

cat >&2 <<EOF
find_python: Python $want is needed here and was not found.
  Looked for \$$override_var, python$want on PATH and $pyenv_root/versions/$want.*.
  Get it with pyenv ('pyenv install $want'), your system's packages (python$want), or point
  $override_var at an interpreter.
EOF
exit 1
