# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Action plugin of hasura.cloud.hasura_metadata: reads ``src`` on the controller, then runs the module.

A Hasura CLI metadata directory (or file) named by ``src`` is read here, on the controller,
whichever host the module runs on, and its content goes to the module as ``metadata``.
Bad input (both options, a missing file, YAML that does not parse, an ``!include`` of a
missing file) fails here, before any request, naming the option or the file. A task
without ``src`` runs exactly as the module alone would. Either way the module runs in the
worker process when that is equivalent, as every module of the collection does
(plugin_utils/_in_process.py).
"""

from __future__ import annotations

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

from ansible_collections.hasura.cloud.plugins.plugin_utils._in_process import InProcessAction
from ansible_collections.hasura.cloud.plugins.plugin_utils._metadata_dir import MetadataDirError, load_metadata

BOTH_MESSAGE = "parameters are mutually exclusive: metadata, src (give the metadata object or a directory to read it from)"


class ActionModule(InProcessAction):

    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars if task_vars is not None else {}
        # ActionBase.run, not the in-process run: this plugin reads src first, then executes.
        result = ActionBase.run(self, tmp, task_vars)
        del tmp  # no effect since ansible-core 2.6
        try:
            module_args = self._module_args(self._task.args)
        except (AnsibleError, MetadataDirError) as err:
            result.update(failed=True, msg=to_text(err.message if isinstance(err, AnsibleError) else err))
            return result
        failure = self._choose_execution(task_vars)
        if failure:
            return failure
        wrap_async = self._task.async_val and not self._connection.has_native_async
        try:
            result = merge_hash(result, self._execute_module(module_args=module_args, task_vars=task_vars,
                                                             wrap_async=wrap_async))
        finally:
            self._hc_plan = None
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _module_args(self, task_args):
        """The module's arguments: ``src`` read here and passed on as ``metadata``; anything else untouched.

        None without ``src``, so that the module gets the task's arguments exactly as without this plugin.
        """
        if task_args.get("src") is None:
            return None
        if task_args.get("metadata") is not None:
            raise MetadataDirError(BOTH_MESSAGE)
        try:
            path = self._find_needle("files", to_text(task_args["src"]))
        except AnsibleError:
            raise MetadataDirError("src: %s does not exist (looked for it in the files/ directories of the role and "
                                   "the playbook, and next to the playbook)" % task_args["src"])
        args = dict((key, value) for key, value in task_args.items() if key != "src")
        args["metadata"] = load_metadata(path)
        return args
