# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""nox sessions of the collection, defined by antsibull-nox from antsibull-nox.toml.

Run from the development venv: ``make nox`` (extra-checks, docs-check), ``make
galaxy-import`` (build-import-check), ``make reuse`` (license-check), or
``.venv/bin/nox --list``. Each session installs its tools into its own venv under .nox/.
"""

from __future__ import annotations

import sys

import nox

try:
    import antsibull_nox
except ImportError:
    sys.exit('noxfile.py: antsibull-nox is missing; run nox from .venv (make venv)')

antsibull_nox.load_antsibull_nox_toml()

if __name__ == '__main__':
    nox.main()
