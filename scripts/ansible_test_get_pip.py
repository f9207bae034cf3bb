# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Offline stand-in for the get-pip bootstrap script of ansible-test.

hasura.cloud stand-in for get-pip (written by scripts/sanity.py; safe to delete).

``ansible-test ... --venv --requirements`` creates a pip-less virtual environment per
sanity test and bootstraps pip into it with ``get-pip-<version>.py`` downloaded from
Ansible's CI file host, which these machines cannot reach. It first looks for a cached
copy at ``~/.ansible/test/cache/get_pip_<version with _>.py``; scripts/sanity.py copies
this file there. ansible-test runs it (through its quiet_pip wrapper, as ``__main__``,
inside the new environment) with pip options and packages as arguments, for example
``--disable-pip-version-check pip==24.2 --no-setuptools --no-wheel``.

What it does instead of get-pip:

1. bootstrap pip with ``ensurepip`` in a *child* process: ensurepip run in-process sets
   ``PIP_CONFIG_FILE=/dev/null``, which would hide the machine's pip configuration (CA
   certificate, local indexes) from the install below;
2. ``python -m pip install`` the requested arguments, dropping ``--no-setuptools`` and
   ``--no-wheel`` (get-pip options that ``pip install`` does not accept).
"""

from __future__ import annotations

import subprocess
import sys

GET_PIP_ONLY_OPTIONS = frozenset(('--no-setuptools', '--no-wheel'))


def main() -> None:
    """Bootstrap pip, then install what ansible-test asked for."""
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]

    subprocess.run([sys.executable, '-m', 'ensurepip', '--default-pip'], check=True, stdout=subprocess.DEVNULL)
    if args:
        subprocess.run([sys.executable, '-m', 'pip', 'install'] + args, check=True)


if __name__ == '__main__':
    try:
        main()
    except subprocess.CalledProcessError as ex:
        sys.exit(ex.returncode or 1)
