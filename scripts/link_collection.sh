#!/usr/bin/env bash
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Make the repository importable as the collection hasura.cloud without copying it:
#   .venv/collections/ansible_collections/hasura/cloud -> <repository root>
# Point ANSIBLE_COLLECTIONS_PATH at .venv/collections (the Makefile does) and put
# .venv/collections on sys.path for `import ansible_collections.hasura.cloud...` (pytest.ini does).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd -P)"
link="$root/.venv/collections/ansible_collections/hasura/cloud"
mkdir -p "$(dirname "$link")"
if [ "$(readlink "$link" 2>/dev/null || true)" != "$root" ]; then
    rm -rf "$link"
    ln -s "$root" "$link"
fi
