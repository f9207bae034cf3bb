# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Callback plugin for the integration tests: record every task result as JSON.

Enabled by tests/integration/conftest.py through ``ANSIBLE_CALLBACK_PLUGINS`` (this
folder) and ``ANSIBLE_CALLBACKS_ENABLED=result_recorder``. It writes to the file named by
the environment variable ``HASURA_TEST_RESULTS_FILE`` a JSON document::

    {"results": [{"task": NAME, "action": "ansible.builtin.uri", "host": "localhost",
                  "status": "ok" | "changed" | "failed" | "skipped" | "unreachable",
                  "ignore_errors": bool, "changed": bool, "failed": bool,
                  "result": {... the module's result dict ...}}, ...],
     "stats": {HOST: {"ok": n, "changed": n, "failures": n, ...}}}

Only final task results are recorded (for a loop: the task's aggregated result, whose
``results`` key holds the items). The file is rewritten after every result, so a crash
still leaves what ran. Values hidden with ``no_log`` are recorded hidden, as Ansible
passes them to callbacks.
"""

from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: result_recorder
type: aggregate
short_description: Record every task result as JSON for the integration tests
description:
  - Writes each task's name, host, status and result dict to the JSON file named by
    E(HASURA_TEST_RESULTS_FILE).
requirements:
  - enable in configuration
"""

ENV_VAR = 'HASURA_TEST_RESULTS_FILE'


def _jsonable(value):
    """Return a JSON-serialisable copy of a result (unknown types become strings)."""
    return json.loads(json.dumps(value, default=str, sort_keys=True))


class CallbackModule(CallbackBase):
    """Append one record per task result and rewrite the JSON file each time."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'result_recorder'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        self._path = os.environ.get(ENV_VAR)
        self._results = []
        self._stats = {}

    def _write(self):
        if not self._path:
            return
        tmp = self._path + '.tmp'
        with open(tmp, 'w', encoding='utf-8') as handle:
            json.dump({'results': self._results, 'stats': self._stats}, handle, indent=1, sort_keys=True)
        os.replace(tmp, self._path)

    def _record(self, result, status, ignore_errors=False):
        data = getattr(result, 'result', None)
        if data is None:  # ansible-core before 2.19
            data = result._result  # pylint: disable=protected-access
        task = getattr(result, 'task', None) or result._task  # pylint: disable=protected-access
        host = getattr(result, 'host', None) or result._host  # pylint: disable=protected-access
        data = _jsonable(dict(data))
        if status == 'ok' and data.get('changed'):
            status = 'changed'
        self._results.append({
            'task': task.get_name(),
            'action': task.action,
            'host': host.get_name(),
            'status': status,
            'changed': bool(data.get('changed', False)),
            'failed': status in ('failed', 'unreachable'),
            'ignore_errors': bool(ignore_errors),
            'result': data,
        })
        self._write()

    def v2_runner_on_ok(self, result):
        self._record(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'failed', ignore_errors=ignore_errors)

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        self._stats = {host: stats.summarize(host) for host in sorted(stats.processed)}
        self._write()
