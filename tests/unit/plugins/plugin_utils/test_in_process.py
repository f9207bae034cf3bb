# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The in-process runner: what a module's main() sees, and what the worker keeps afterwards.

These tests call ``run_main`` with small fake modules, on whatever ansible-core runs them
(``make units`` on the development core, ``make matrix`` on every supported one), so each
version branch of ``_in_process`` is exercised by the core that needs it.
"""

from __future__ import annotations

import json
import os
import sys
import types

import pytest

from ansible.errors import AnsibleError
from ansible.module_utils import basic
from ansible.module_utils.common import warnings as module_warnings

from ansible_collections.hasura.cloud.plugins.plugin_utils import _in_process as ip

SECRET = "sk-unit-secret-0123456789"
# ansible-core 2.21 echoes the arguments only when the task says so (INJECT_INVOCATION); older cores always do.
INJECTS_INVOCATION = tuple(int(part) for part in ip.ANSIBLE_CORE_VERSION.split(".")[:2]) >= (2, 21)


def fake_module(main):
    module = types.ModuleType("fake_hasura_module")
    module.main = main
    return module


def spec_module():
    return basic.AnsibleModule(argument_spec=dict(
        token=dict(type="str", no_log=True), name=dict(type="str"), pat=dict(type="str", aliases=["password_alias"])))


def run(main, args=None, environment=None):
    module_args = dict(args or {}, _ansible_module_name="fake", _ansible_verbosity=0)
    if INJECTS_INVOCATION:
        module_args["_ansible_inject_invocation"] = True
    payload = ip.encode_arguments(module_args, "legacy", "fake")
    rc, out, err = ip.run_main(fake_module(main), "hasura.cloud.fake", environment or {}, payload, "legacy")
    lines = [line for line in out.splitlines() if line.strip()]
    return rc, (json.loads(lines[-1]) if lines else None), err


def test_the_running_core_is_supported():
    assert ip.GENERATION in (ip.LEGACY, ip.TAGGED), ip.ANSIBLE_CORE_VERSION


@pytest.mark.parametrize("version, generation", [
    ("2.16.19", ip.LEGACY), ("2.17.0", ip.LEGACY), ("2.18.5", ip.LEGACY),
    ("2.19.14", ip.TAGGED), ("2.20.1", ip.TAGGED), ("2.21.0rc1", ip.TAGGED),
    ("2.15.13", None), ("2.22.0", None), ("devel", None),
])
def test_core_generation(version, generation):
    assert ip.core_generation(version) == generation


def test_arguments_reach_the_module_as_the_wrapper_hands_them():
    seen = {}

    def main():
        module = spec_module()
        seen.update(module.params)
        module.exit_json(changed=False, name=module.params["name"])

    rc, result, _err = run(main, {"token": SECRET, "name": "n1"})
    assert rc == 0
    assert seen == {"token": SECRET, "name": "n1", "pat": None}
    assert result["name"] == "n1"
    assert invocation(result)["token"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def invocation(result):
    """The echoed arguments."""
    return result["invocation"]["module_args"]


def test_warnings_are_returned_and_never_carried_to_the_next_run():
    def warns():
        module = spec_module()
        module.warn("first run only")
        module.exit_json(changed=False)

    def quiet():
        spec_module().exit_json(changed=False)

    _rc, first, _err = run(warns)
    # 2.19+ sends WarningSummary objects ({"event": {"msg": ...}}), older cores plain strings.
    assert [w if isinstance(w, str) else w["event"]["msg"] for w in first["warnings"]] == ["first run only"]
    _rc, second, _err = run(quiet)
    assert "warnings" not in second and "deprecations" not in second
    assert not module_warnings._global_warnings and not module_warnings._global_deprecations  # pylint: disable=protected-access


def test_warnings_left_in_the_worker_do_not_reach_the_module():
    module_warnings.warn("left over by someone else")
    try:
        _rc, result, _err = run(lambda: spec_module().exit_json(changed=False))
    finally:
        ip.clear_module_messages()
    assert "warnings" not in result


def test_environment_applied_for_the_run_and_restored():
    os.environ["HC_UNIT_KEEP"] = "kept"
    os.environ.pop("HC_UNIT_SET", None)
    seen = {}

    def main():
        seen.update(set=os.environ.get("HC_UNIT_SET"), keep=os.environ.get("HC_UNIT_KEEP"))
        os.environ["HC_UNIT_BY_MODULE"] = "x"
        del os.environ["HC_UNIT_KEEP"]
        spec_module().exit_json(changed=False)

    try:
        run(main, environment={"HC_UNIT_SET": 42, "HC_UNIT_KEEP": "overridden"})
        assert seen == {"set": "42", "keep": "overridden"}
        assert os.environ["HC_UNIT_KEEP"] == "kept"
        assert "HC_UNIT_SET" not in os.environ and "HC_UNIT_BY_MODULE" not in os.environ
    finally:
        os.environ.pop("HC_UNIT_KEEP", None)


def test_streams_cwd_and_module_globals_restored(tmp_path):
    before = (sys.stdout, sys.stderr, os.getcwd(), basic._ANSIBLE_ARGS)  # pylint: disable=protected-access

    def main():
        print("stray line before the result")
        os.chdir(str(tmp_path))
        spec_module().exit_json(changed=True)

    rc, result, _err = run(main)
    assert rc == 0 and result["changed"] is True  # the stray line is left to the core's JSON filter
    assert (sys.stdout, sys.stderr, os.getcwd(), basic._ANSIBLE_ARGS) == before  # pylint: disable=protected-access


@pytest.mark.skipif(ip.GENERATION != ip.TAGGED, reason="module_utils knows no controller context before 2.19")
def test_module_utils_believe_they_run_in_a_module_during_main():
    from ansible.module_utils import _internal  # pylint: disable=import-outside-toplevel
    seen = []
    before = _internal.is_controller

    def main():
        seen.append(_internal.is_controller)
        spec_module().exit_json(changed=False)

    run(main)
    assert seen == [False] and _internal.is_controller == before


@pytest.mark.parametrize("code, rc, stderr", [(None, 0, ""), (0, 0, ""), (3, 3, ""), ("bye", 1, "bye\n")])
def test_exit_status_as_a_process_would_have_it(code, rc, stderr):
    def main():
        sys.exit(code)

    got_rc, result, err = run(main)
    assert (got_rc, result, err) == (rc, None, stderr)


def test_an_exception_becomes_the_modules_own_masked_failure():
    def main():
        module = spec_module()
        raise ValueError("cannot use %s here" % module.params["token"])

    rc, result, err = run(main, {"token": SECRET})
    assert rc == 1 and result["failed"] is True
    assert result["msg"].startswith("hasura.cloud.fake failed with an unexpected error (ValueError: cannot use ")
    assert SECRET not in json.dumps(result) + err
    assert "Traceback" not in json.dumps(result) + err
    assert invocation(result)["token"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def test_an_exception_before_the_module_object_names_only_its_type():
    def main():
        raise KeyError(SECRET)

    rc, result, err = run(main, {"token": SECRET})
    assert rc == 1
    assert result == {"failed": True, "msg": "hasura.cloud.fake failed with an unexpected error (KeyError); please report it"}
    assert SECRET not in err


def test_main_returning_without_exit_is_a_failure():
    rc, result, _err = run(lambda: None)
    assert rc == 1 and "RuntimeError" in result["msg"]


def test_an_exception_after_the_result_keeps_the_result():
    def main():
        module = spec_module()
        try:
            module.exit_json(changed=True)
        except SystemExit:
            pass
        raise RuntimeError("late")

    rc, result, err = run(main)
    assert rc == 1 and result["changed"] is True and err == "hasura.cloud.fake: RuntimeError\n"


def test_interrupts_pass_through_with_the_worker_restored():
    os.environ.pop("HC_UNIT_SET", None)
    stdout = sys.stdout

    def main():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(main, environment={"HC_UNIT_SET": "1"})
    assert sys.stdout is stdout and "HC_UNIT_SET" not in os.environ


class Templar(object):
    def template(self, value):
        return value


@pytest.mark.parametrize("task_vars, environ, enabled", [
    ({}, {}, True),
    ({}, {ip.ENV_VAR: "false"}, False),
    ({}, {ip.ENV_VAR: "0"}, False),
    ({ip.VARIABLE: False}, {}, False),
    ({ip.VARIABLE: "no"}, {}, False),
    ({ip.VARIABLE: True}, {ip.ENV_VAR: "false"}, True),  # the variable wins
    ({ip.VARIABLE: "yes"}, {}, True),
])
def test_opting_out(monkeypatch, task_vars, environ, enabled):
    monkeypatch.delenv(ip.ENV_VAR, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert ip.enabled_by(*ip.opt_out_value(task_vars, Templar())) is enabled


def test_a_bad_opt_out_value_is_an_error(monkeypatch):
    monkeypatch.setenv(ip.ENV_VAR, "flase")
    with pytest.raises(AnsibleError, match="environment variable HASURA_CLOUD_IN_PROCESS must be a boolean"):
        ip.enabled_by(*ip.opt_out_value({}, Templar()))


def test_same_interpreter(tmp_path):
    other = tmp_path / "python"
    other.symlink_to(sys.executable)
    assert ip.same_interpreter(sys.executable)
    assert ip.same_interpreter(os.path.join(os.path.dirname(sys.executable), ".", os.path.basename(sys.executable)))
    assert not ip.same_interpreter(str(other))  # same binary, another environment
    assert not ip.same_interpreter("/usr/bin/python-that-does-not-exist")
    assert not ip.same_interpreter("")


def test_module_names():
    assert ip.module_python_name("hasura.cloud.hasura_tenant") == "ansible_collections.hasura.cloud.plugins.modules.hasura_tenant"
    assert ip.module_python_name("ansible_collections.a.b.plugins.modules.c") == "ansible_collections.a.b.plugins.modules.c"
    assert ip.module_python_name("ping") is None
    assert (ip.action_to_module_name("ansible_collections.hasura.cloud.plugins.action.hasura_tenant_env")
            == "ansible_collections.hasura.cloud.plugins.modules.hasura_tenant_env")


def test_unserializable_arguments_fail_as_the_module_path_fails():
    with pytest.raises(AnsibleError):
        ip.encode_arguments({"x": object()}, "legacy", "fake")
