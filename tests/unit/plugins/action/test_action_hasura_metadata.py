# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The action plugin of hasura_metadata: src read on the controller, anything else passed on untouched."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest

from ansible.errors import AnsibleFileNotFound
from ansible.plugins.action import ActionBase

from ansible_collections.hasura.cloud.plugins.action import hasura_metadata as action
from ansible_collections.hasura.cloud.plugins.plugin_utils._metadata_dir import MetadataDirError

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "metadata"


def plugin(args, found=None):
    """An ActionModule for a task with ``args``; ``_find_needle`` finds ``found`` (or nothing)."""
    task = mock.MagicMock(args=args, async_val=0)
    connection = mock.MagicMock(has_native_async=False)
    instance = action.ActionModule(task, connection, mock.MagicMock(), mock.MagicMock(), mock.MagicMock(), None)

    def find_needle(dirname, needle):
        assert dirname == "files"
        if found is None:
            raise AnsibleFileNotFound("Could not find or access '%s'" % needle)
        return found

    instance._find_needle = find_needle  # pylint: disable=protected-access
    return instance


def test_without_src_the_module_gets_the_tasks_own_arguments():
    assert plugin({"tenant_id": "t", "metadata": {"version": 3}})._module_args({"metadata": {"version": 3}}) is None


def test_src_is_read_and_passed_on_as_metadata():
    args = {"tenant_id": "t", "src": "metadata", "allow_inconsistent": True}
    module_args = plugin(args, found=str(FIXTURE))._module_args(args)
    assert "src" not in module_args and module_args["tenant_id"] == "t" and module_args["allow_inconsistent"]
    assert module_args["metadata"]["version"] == 3 and module_args["metadata"]["sources"][0]["name"] == "default"


def test_both_metadata_and_src():
    args = {"src": "metadata", "metadata": {"version": 3}}
    with pytest.raises(MetadataDirError, match="parameters are mutually exclusive: metadata, src"):
        plugin(args, found=str(FIXTURE))._module_args(args)


def test_src_that_is_not_found():
    with pytest.raises(MetadataDirError, match="src: nowhere does not exist"):
        plugin({"src": "nowhere"})._module_args({"src": "nowhere"})


def test_run_fails_before_the_module_on_bad_input():
    instance = plugin({"src": "nowhere"})
    with mock.patch.object(ActionBase, "run", return_value={}), \
            mock.patch.object(instance, "_execute_module") as execute:
        result = instance.run(task_vars={})
    assert result["failed"] and result["msg"].startswith("src: nowhere does not exist")
    execute.assert_not_called()


@pytest.mark.parametrize("args, expected", [
    ({"tenant_id": "t", "metadata": {"version": 3}}, None),
    ({"tenant_id": "t", "src": "metadata"}, "loaded"),
])
def test_run_executes_the_module(args, expected):
    instance = plugin(args, found=str(FIXTURE))
    order = []
    with mock.patch.object(ActionBase, "run", return_value={}), \
            mock.patch.object(instance, "_choose_execution", side_effect=lambda task_vars: order.append("choose")), \
            mock.patch.object(instance, "_execute_module", return_value={"changed": False},
                              side_effect=lambda **kw: order.append("execute") or {"changed": False}) as execute, \
            mock.patch.object(instance, "_remove_tmp_path"):
        assert instance.run(task_vars={"a": 1}) == {"changed": False}
    # The in-process decision is made after src was read, before the module runs.
    assert order == ["choose", "execute"]
    assert instance._hc_plan is None  # pylint: disable=protected-access
    passed = execute.call_args.kwargs
    assert passed["task_vars"] == {"a": 1} and passed["wrap_async"] == 0
    if expected is None:
        assert passed["module_args"] is None
    else:
        assert passed["module_args"]["metadata"]["version"] == 3 and "src" not in passed["module_args"]
