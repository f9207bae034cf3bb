# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run a hasura.cloud module inside the Ansible worker process instead of a module process.

Internal to the hasura.cloud collection: it may change in any release. Every module has a
same-named action plugin (``plugins/action/<module>.py``) made of one class that inherits
``InProcessAction``.

What happens for a task:

1. ``InProcessAction.run()`` decides, before anything runs, whether the task may run in
   the worker (``_decide``): a supported ansible-core, not opted out (variable
   ``hasura_cloud_in_process`` or environment variable ``HASURA_CLOUD_IN_PROCESS``), no
   async, no become, a local connection, the controller's own Python as the task's
   interpreter, ``requests`` and the module importable in the worker. Any "no" runs the
   task exactly as ansible-core's ``normal`` action does: a module process. Once the
   module's ``main()`` has been called there is no going back.
2. In the worker, ansible-core's own ``ActionBase._execute_module()`` still does the work:
   the module arguments and every ``_ansible_*`` setting (``_update_module_args``), the
   task's ``environment:``, the parsing of the module's output (``_parse_returned_data``)
   and the clean-up of the result. Only two steps are replaced: building the AnsiballZ
   payload (``_configure_module``) and executing it (``_low_level_execute_command``).
3. The arguments are encoded as that core's AnsiballZ wrapper encodes them and handed to
   ``AnsibleModule`` through the globals the wrapper sets (``basic._ANSIBLE_ARGS`` ...).
   ``main()`` runs with the environment of the task applied to ``os.environ``, stdout and
   stderr captured, and the module_utils warning and deprecation lists empty; afterwards
   everything is put back, for every loop item. What the module printed is what the core
   parses, so a result is produced by the same code on both paths.

Version branches (private ansible-core internals this relies on):

* 2.16 - 2.18: arguments are JSON made with ``AnsibleJSONEncoder(vault_to_text=True)``;
  ``_configure_module`` returns ``(style, shebang, data, path)``; warnings are lists.
* 2.19 - 2.21 (data tagging): arguments are JSON made with the module serialization
  profile's encoder (``get_module_encoder(profile, CONTROLLER_TO_MODULE)``, the profile
  from the module's ``METADATA`` as ``module_common`` reads it), ``basic._ANSIBLE_PROFILE``
  is set too, ``_configure_module`` returns ``(_BuiltModule, path)``; and module_utils
  must believe it runs in a module (``_internal.is_controller = False``), otherwise
  ``AnsibleModule.warn()`` would display a warning at once instead of returning it in the
  result. 2.20 refuses pipelining when remote files are kept, and 2.21 rebuilt
  ``_execute_module`` (``_BuiltModule.has_environment``, ``process_result``, a
  ``UnifiedTaskResult``); neither changes what is replaced here, and both are covered by
  the per-core differential run.

A newer ansible-core is run as a module process until it has been verified here.
"""

from __future__ import annotations

import ast
import importlib
import io
import json
import os
import sys

from ansible.errors import AnsibleError
from ansible.executor import module_common
from ansible.executor.interpreter_discovery import InterpreterDiscoveryRequiredError
from ansible.module_utils import basic
from ansible.module_utils.common import warnings as module_warnings
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action.normal import ActionModule as NormalAction
from ansible.release import __version__ as ANSIBLE_CORE_VERSION
from ansible.utils.display import Display

display = Display()

ENV_VAR = "HASURA_CLOUD_IN_PROCESS"
VARIABLE = "hasura_cloud_in_process"
LOG_PREFIX = "hasura.cloud:"

LEGACY = "2.16-2.18"
TAGGED = "2.19+"
# ansible-core minors verified by the differential suite, and which branch each one takes.
SUPPORTED_CORES = {
    (2, 16): LEGACY, (2, 17): LEGACY, (2, 18): LEGACY,
    (2, 19): TAGGED, (2, 20): TAGGED, (2, 21): TAGGED,
}


def core_generation(version=ANSIBLE_CORE_VERSION):
    """LEGACY, TAGGED, or None for an ansible-core this code has not been verified with."""
    try:
        minor = tuple(int(part) for part in version.split(".")[:2])
    except ValueError:
        return None
    return SUPPORTED_CORES.get(minor)


GENERATION = core_generation()


# --------------------------------------------------------------------------- opting out


def opt_out_value(task_vars, templar):
    """The opt-out setting in force: ``(source, raw value)``, or ``(None, None)``.

    The variable wins over the environment variable of the controller (the environment in
    which ansible-playbook runs, not the task's ``environment:``).
    """
    if VARIABLE in task_vars:
        return "variable %s" % VARIABLE, templar.template(task_vars[VARIABLE])
    if ENV_VAR in os.environ:
        return "environment variable %s" % ENV_VAR, os.environ[ENV_VAR]
    return None, None


def enabled_by(source, value):
    """True unless ``value`` turns in-process execution off; AnsibleError for a non-boolean value."""
    if source is None:
        return True
    try:
        return boolean(value, strict=True)
    except TypeError:
        raise AnsibleError("%s must be a boolean (true or false), got %r" % (source, to_text(value)))


# --------------------------------------------------------------------------- loading the module


def module_python_name(resolved_name):
    """The importable name of a collection module from the module loader's resolved name."""
    if resolved_name.startswith("ansible_collections."):
        return resolved_name
    parts = resolved_name.split(".")
    if len(parts) < 3:
        return None
    return ".".join(["ansible_collections", parts[0], parts[1], "plugins", "modules"] + parts[2:])


def action_to_module_name(action_module_name):
    """``ansible_collections.ns.coll.plugins.action.x`` -> ``ansible_collections.ns.coll.plugins.modules.x``."""
    return action_module_name.replace(".plugins.action.", ".plugins.modules.", 1)


_PROFILES = {}


def serialization_profile(module_path):
    """The serialization profile ansible-core 2.19+ picks for this module (its METADATA, if enabled)."""
    if module_path not in _PROFILES:
        with open(module_path, "rb") as source:
            tree = ast.parse(source.read())
        # pylint: disable-next=protected-access
        _PROFILES[module_path] = module_common._get_module_metadata(tree).serialization_profile
    return _PROFILES[module_path]


def preload(module_name):
    """Import ``requests`` and the module ahead of the first task.

    Called when the action plugin is imported, which ansible-core's strategy does in the
    main process: every worker forked from it then finds them imported, and a task pays
    none of these imports (about 130 ms: requests, the module and AnsibleModule, the JSON
    profile modules, and netrc, which requests imports on its first request). Failures are
    ignored here; ``_decide`` meets them again and runs the module as a module process.
    """
    if GENERATION is None or not boolean(os.environ.get(ENV_VAR, "true"), strict=False):
        return
    try:
        import netrc  # noqa: F401  pylint: disable=unused-import,import-outside-toplevel
        import requests  # noqa: F401  pylint: disable=unused-import,import-outside-toplevel
        module = importlib.import_module(module_name)
        if GENERATION == TAGGED:
            # The profile's JSON modules, both ways, on both sides; imported on first use otherwise.
            # pylint: disable-next=import-outside-toplevel
            from ansible.module_utils.common.json import Direction, get_module_decoder, get_module_encoder
            profile = serialization_profile(module.__file__)
            for direction in (Direction.CONTROLLER_TO_MODULE, Direction.MODULE_TO_CONTROLLER):
                get_module_encoder(profile, direction)
                get_module_decoder(profile, direction)
    except Exception:  # pylint: disable=broad-except
        pass


# --------------------------------------------------------------------------- running main()


class _Capture(object):
    """Worker state set for one module run and put back afterwards."""

    def __init__(self, environment, payload, profile):
        self.environment = environment
        self.payload = payload
        self.profile = profile
        self.stdout = io.StringIO()
        self.stderr = io.StringIO()
        self._saved = None

    def __enter__(self):
        try:
            cwd = os.getcwd()
        except OSError:
            cwd = None
        internal = _module_utils_internal()
        self._saved = dict(
            environ=dict(os.environ), cwd=cwd, streams=(sys.stdout, sys.stderr),
            args=basic._ANSIBLE_ARGS,  # pylint: disable=protected-access
            profile=getattr(basic, "_ANSIBLE_PROFILE", None),
            parsed=getattr(basic, "_PARSED_MODULE_ARGS", None),
            is_controller=getattr(internal, "is_controller", None),
        )
        for name, value in self.environment.items():
            os.environ[to_text(name)] = to_text(value)
        clear_module_messages()
        basic._ANSIBLE_ARGS = self.payload  # pylint: disable=protected-access
        if GENERATION == TAGGED:
            basic._ANSIBLE_PROFILE = self.profile  # pylint: disable=protected-access
            basic._PARSED_MODULE_ARGS = None  # pylint: disable=protected-access
            internal.is_controller = False
        sys.stdout, sys.stderr = self.stdout, self.stderr
        return self

    def __exit__(self, *exc_info):
        saved = self._saved
        sys.stdout, sys.stderr = saved["streams"]
        basic._ANSIBLE_ARGS = saved["args"]  # pylint: disable=protected-access
        if GENERATION == TAGGED:
            basic._ANSIBLE_PROFILE = saved["profile"]  # pylint: disable=protected-access
            basic._PARSED_MODULE_ARGS = saved["parsed"]  # pylint: disable=protected-access
            _module_utils_internal().is_controller = saved["is_controller"]
        clear_module_messages()
        restore_environ(saved["environ"])
        if saved["cwd"] is not None:
            try:
                if os.getcwd() != saved["cwd"]:
                    os.chdir(saved["cwd"])
            except OSError:
                os.chdir(saved["cwd"])
        return False


def _module_utils_internal():
    """``ansible.module_utils._internal`` on 2.19+ (holds ``is_controller``), else None."""
    if GENERATION != TAGGED:
        return None
    return importlib.import_module("ansible.module_utils._internal")


def clear_module_messages():
    """Empty module_utils' process-wide warning and deprecation stores (lists before 2.19, dicts since)."""
    for name in ("_global_warnings", "_global_deprecations"):
        store = getattr(module_warnings, name, None)
        if store is not None:
            store.clear()


def restore_environ(saved):
    """Make ``os.environ`` equal to ``saved`` again, touching only what changed."""
    for name in [name for name in os.environ if name not in saved]:
        del os.environ[name]
    for name, value in saved.items():
        if os.environ.get(name) != value:
            os.environ[name] = value


def exit_status(code, stderr):
    """The exit status a Python process would have for ``sys.exit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    stderr.write(to_text(code) + "\n")
    return 1


def find_ansible_module(traceback):
    """The AnsibleModule a failing main() had created, from the frames of its traceback."""
    while traceback is not None:
        for value in traceback.tb_frame.f_locals.values():
            if isinstance(value, basic.AnsibleModule) and hasattr(value, "no_log_values"):
                return value
        traceback = traceback.tb_next
    return None


def report_exception(exc, module_name, capture):
    """Turn an exception that escaped main() into the module's own failure.

    When main() had created its AnsibleModule, the failure goes through its ``fail_json``,
    so the message is masked with the module's no_log values like any of its failures.
    Without one, the message names only the exception type. No traceback either way.
    """
    if capture.stdout.getvalue().strip():
        # The module already printed its result: keep it, as a module process would.
        capture.stderr.write(module_name + ": " + type(exc).__name__ + "\n")
        return 1
    module = find_ansible_module(exc.__traceback__)
    if module is not None:
        try:
            module.fail_json(msg="%s failed with an unexpected error (%s: %s); please report it"
                             % (module_name, type(exc).__name__, exc))
        except SystemExit as exit_:
            return exit_status(exit_.code, capture.stderr)
        except Exception:  # pylint: disable=broad-except
            pass  # the module is too broken to report: fall through to our own message
    capture.stdout.write(json.dumps({"failed": True, "msg": "%s failed with an unexpected error (%s); please report it"
                                     % (module_name, type(exc).__name__)}))
    return 1


def run_main(module, module_name, environment, payload, profile):
    """Call ``module.main()`` as a module process would run it; return ``(rc, stdout, stderr)``.

    BaseExceptions other than SystemExit (the task timeout, Ctrl-C) are not the module's
    and pass through, after the worker's state is restored.
    """
    with _Capture(environment, payload, profile) as capture:
        failure = None
        try:
            module.main()
            failure = RuntimeError("main() returned without exit_json or fail_json")
        except SystemExit as exit_:
            rc = exit_status(exit_.code, capture.stderr)
        except Exception as exc:  # pylint: disable=broad-except
            failure = exc
        if failure is not None:
            # Outside the except clause, so no traceback is attached to the failure.
            rc = report_exception(failure, module_name, capture)
            failure = None
    return rc, capture.stdout.getvalue(), capture.stderr.getvalue()


# --------------------------------------------------------------------------- arguments


def encode_arguments(module_args, profile, module_name):
    """The JSON document the AnsiballZ wrapper of this core hands to the module, as bytes."""
    params = dict(ANSIBLE_MODULE_ARGS=module_args)
    if GENERATION == TAGGED:
        # pylint: disable-next=import-outside-toplevel
        from ansible.module_utils.common.json import Direction, get_module_encoder
        try:
            text = json.dumps(params, cls=get_module_encoder(profile, Direction.CONTROLLER_TO_MODULE))
        except TypeError as ex:
            raise AnsibleError("Failed to serialize arguments for the %r module." % (module_name,)) from ex
    else:
        # pylint: disable-next=import-outside-toplevel
        from ansible.module_utils.common.json import AnsibleJSONEncoder
        try:
            text = json.dumps(params, cls=AnsibleJSONEncoder, vault_to_text=True)
        except TypeError as ex:
            raise AnsibleError("Unable to pass options to module, they must be JSON serializable: %s" % ex) from ex
    return to_bytes(text)


def built_module(shebang, profile):
    """What ``_configure_module`` returns on this core, for a module that needs no payload."""
    if GENERATION == TAGGED:
        # pylint: disable-next=protected-access
        return module_common._BuiltModule(b_module_data=b"", module_style="new", shebang=shebang,
                                          serialization_profile=profile)
    return "new", shebang, b""


# --------------------------------------------------------------------------- the action


class _Plan(object):
    """What ``_decide`` found out for an in-process run."""

    def __init__(self, module, module_path, shebang, profile):
        self.module = module
        self.module_path = module_path
        self.shebang = shebang
        self.profile = profile
        self.payload = None
        self.environment = None


class _NotEligible(Exception):
    """The task runs as a module process; str() says why."""


def same_interpreter(interpreter, executable=sys.executable):
    """True when ``interpreter`` names the Python this worker runs (same file, same directory)."""
    if not interpreter or not executable:
        return False
    interpreter, executable = os.path.abspath(interpreter), os.path.abspath(executable)
    if interpreter == executable:
        return True
    try:
        return os.path.dirname(interpreter) == os.path.dirname(executable) and os.path.samefile(interpreter, executable)
    except OSError:
        return False


class InProcessAction(NormalAction):
    """The ``normal`` action, running the module's main() in the worker when that is equivalent."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        preload(action_to_module_name(cls.__module__))

    def __init__(self, *args, **kwargs):
        super(InProcessAction, self).__init__(*args, **kwargs)
        self._hc_plan = None

    # -- the decision

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars if task_vars is not None else {}
        failure = self._choose_execution(task_vars)
        if failure:
            return failure
        try:
            return super(InProcessAction, self).run(tmp, task_vars)
        finally:
            self._hc_plan = None

    def _choose_execution(self, task_vars):
        """Decide how the next ``_execute_module`` of this task runs; a failed result for a bad setting, else None.

        ``run()`` calls it first. An action plugin of its own (one that prepares the module's
        arguments, say) inherits this class, calls this before its ``_execute_module`` and
        passes its arguments there (``module_args=``), which then run in-process likewise.
        """
        self._hc_plan = None
        try:
            self._hc_plan = self._decide(task_vars)
        except _NotEligible as why:
            self._log("runs as a module process: " + to_text(why))
        except AnsibleError as err:
            return dict(failed=True, msg=to_text(err))
        else:
            self._log("runs in the worker process (local connection, the controller's Python)")
        return None

    def _log(self, message):
        display.vvvv(" ".join((LOG_PREFIX, self._task.action, message)), host=self._play_context.remote_addr)

    def _decide(self, task_vars):
        """A _Plan for an in-process run, or _NotEligible; nothing has run yet."""
        if GENERATION is None:
            raise _NotEligible("ansible-core %s is not verified for in-process execution" % ANSIBLE_CORE_VERSION)
        source, value = opt_out_value(task_vars, self._templar)
        if not enabled_by(source, value):
            raise _NotEligible("turned off by %s" % source)
        if self._task.async_val:
            raise _NotEligible("the task uses async")
        if self._play_context.become:
            raise _NotEligible("the task uses become")
        transport = getattr(self._connection, "transport", None)
        if transport not in ("local", "ansible.builtin.local"):
            raise _NotEligible("the connection is %s, not local" % (transport,))
        module_path, python_name = self._resolve_module()
        shebang = self._shebang(module_path, task_vars)
        try:
            import requests  # noqa: F401  pylint: disable=unused-import,import-outside-toplevel
        except Exception as exc:  # pylint: disable=broad-except
            raise _NotEligible("requests cannot be imported by the controller's Python (%s)" % type(exc).__name__)
        try:
            module = importlib.import_module(python_name)
        except Exception as exc:  # pylint: disable=broad-except
            raise _NotEligible("the module cannot be imported in the worker (%s)" % type(exc).__name__)
        if not callable(getattr(module, "main", None)):
            raise _NotEligible("the module has no main()")
        profile = serialization_profile(module_path) if GENERATION == TAGGED else None
        return _Plan(module, module_path, shebang, profile)

    def _resolve_module(self):
        """The module's file and importable name, found as _configure_module finds it."""
        loader = self._shared_loader_obj.module_loader
        for mod_type in self._connection.module_implementation_preferences:
            found = loader.find_plugin_with_context(self._task.action, mod_type, collection_list=self._task.collections)
            if found.resolved and found.plugin_resolved_path:
                path = found.plugin_resolved_path
                name = module_python_name(found.plugin_resolved_name)
                if not path.endswith(".py") or not name:
                    raise _NotEligible("the module is not a Python module of a collection")
                return path, name
        raise _NotEligible("the module was not found")

    def _shebang(self, module_path, task_vars):
        """The interpreter line the module path would use; _NotEligible unless it is this Python."""
        if self._task.delegate_to:
            use_vars = task_vars.get("ansible_delegated_vars", {}).get(self._task.delegate_to, task_vars)
        else:
            use_vars = task_vars
        with open(module_path, "rb") as source:
            first_line = source.readline()
        # pylint: disable=protected-access
        interpreter, args = module_common._extract_interpreter(first_line)
        try:
            shebang, used = module_common._get_shebang(
                interpreter or "/usr/bin/python", use_vars, self._templar, args or (),
                remote_is_local=bool(getattr(self._connection, "_remote_is_local", False)))
        except InterpreterDiscoveryRequiredError:
            raise _NotEligible("the Python interpreter is left to discovery; set ansible_python_interpreter "
                               "to '{{ ansible_playbook_python }}' to run in the worker")
        except Exception as exc:  # pylint: disable=broad-except
            raise _NotEligible("the Python interpreter could not be determined (%s)" % type(exc).__name__)
        if args or not same_interpreter(used):
            raise _NotEligible("the task's Python interpreter %s is not the controller's %s" % (used, sys.executable))
        return shebang

    # -- the two replaced steps of ActionBase._execute_module (and what they need)

    def _configure_module(self, module_name, module_args, task_vars):
        plan = self._hc_plan
        if plan is None:
            return super(InProcessAction, self)._configure_module(module_name, module_args, task_vars)
        plan.payload = encode_arguments(module_args, plan.profile, module_name)
        bits = built_module(plan.shebang, plan.profile)
        if isinstance(bits, tuple):
            return bits + (plan.module_path,)
        return bits, plan.module_path

    def _is_pipelining_enabled(self, module_style, wrap_async=False):
        if self._hc_plan is not None:
            return True  # nothing to transfer: no remote temporary directory
        return super(InProcessAction, self)._is_pipelining_enabled(module_style, wrap_async)

    def _compute_environment_string(self, raw_environment_out=None):
        plan = self._hc_plan
        if plan is None or raw_environment_out is not None:
            return super(InProcessAction, self)._compute_environment_string(raw_environment_out)
        environment = {}
        text = super(InProcessAction, self)._compute_environment_string(environment)
        plan.environment = environment
        return text

    def _low_level_execute_command(self, cmd, *args, **kwargs):
        plan = self._hc_plan
        if plan is None or plan.payload is None:
            return super(InProcessAction, self)._low_level_execute_command(cmd, *args, **kwargs)
        self._hc_plan = None  # one module run per task (per loop item)
        rc, stdout, stderr = run_main(plan.module, self._task.action, plan.environment or {}, plan.payload,
                                      plan.profile)
        return dict(rc=rc, stdout=stdout, stdout_lines=stdout.splitlines(),
                    stderr=stderr, stderr_lines=stderr.splitlines())
