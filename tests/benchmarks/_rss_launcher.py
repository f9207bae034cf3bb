# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run ansible-playbook in this process, then report peak memory (benchmarks only).

    python _rss_launcher.py REPORT.json [ansible-playbook arguments ...]

Writes ``{"rc": ..., "main": KiB, "children": KiB}``: the peak RSS of ansible-playbook's own
process, and of the largest process it started (its forked workers and whatever they ran),
from ``getrusage(RUSAGE_CHILDREN)`` once every child has been reaped. Measuring from outside
would only see the largest process of the tree, usually ansible-playbook itself.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import sys


def reap_all() -> None:
    multiprocessing.active_children()  # joins the workers that have exited
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def main() -> int:
    report, args = sys.argv[1], sys.argv[2:]
    from ansible.cli.playbook import main as playbook_main  # pylint: disable=import-outside-toplevel
    sys.argv = ["ansible-playbook"] + args
    try:
        rc = playbook_main()
    except SystemExit as exit_:
        rc = exit_.code if isinstance(exit_.code, int) else 1
    reap_all()
    with open(report, "w", encoding="utf-8") as handle:
        json.dump({"rc": rc, "main": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                   "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}, handle)
    return rc or 0


if __name__ == "__main__":
    sys.exit(main())
