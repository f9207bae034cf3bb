# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration test harness: real ``ansible-playbook`` / ``ansible`` runs against the emulator.

Run with ``make integration`` (or ``.venv/bin/python -m pytest tests/integration``).
Nothing here needs a running service: the session starts its own emulator on a free
port and stops it at the end.

Fixtures
--------
``emulator`` (session)
    An :class:`Emulator`: ``tests/emulator/hasura_cloud_emulator.py`` started on
    127.0.0.1, port 0 (a free port), with a random token, a temporary ``--state-file`` and
    ``--healthz-delay 0``. Attributes ``url`` (``.../v1/graphql``), ``base``
    (``http://HOST:PORT``), ``token``, ``port``, ``state_file``, ``log_file``. Side channel
    for setting up and verifying: ``graphql()``, ``create_tenant()``, ``find_tenant()``,
    ``get_env()``, ``app_env()`` (the env without the generated admin secret), ``delete_tenant()``,
    ``add_domain()``, ``domains()``, ``set_dns()``; control: ``stats()``, ``reset()``,
    ``set_faults()``, ``faults()``, ``restart()``. Faults set and extra start-up flags
    given by a test are undone after that test (see ``_emulator_isolation``).

``run_playbook`` (function)
    ``run_playbook(playbook, extra_vars=None, check=False, diff=False, verbosity=0, ...)``
    runs ``ansible-playbook`` from the virtual environment as a subprocess against that
    emulator and returns an :class:`AnsibleRun` (``rc``, ``stdout``, ``stderr``,
    ``results``, ``stats``, ``result(task)``, ``changed(task)``, ``status(task)``).
    ``playbook`` is YAML text (anything with a newline), a path, or a file name under
    ``tests/integration/playbooks/``.

``run_adhoc`` (function)
    ``run_adhoc(module, args=None, pattern='localhost', ...)`` runs ``ansible PATTERN -m
    MODULE -a ARGS`` the same way; ``args`` may be a ``key=value`` string or a dict
    (sent as JSON). Returns an :class:`AnsibleRun`.

``unique_name`` (function) and ``tenant_name`` (function)
    ``unique_name()`` returns a fresh valid project name ``it-<test name>-<4 hex>``
    (``unique_name('db')`` gives ``it-<test name>-db-<4 hex>``); ``tenant_name`` is one such
    name. Tenants with these names still existing after the test are deleted.

``execution_path`` (function) and ``differential`` (function)
    In a test marked ``both_paths`` the test runs twice, ``[in_process]`` and
    ``[module_path]``; ``execution_path`` is that parameter (None elsewhere: the
    collection's default), and every run of ``run_playbook`` / ``run_adhoc`` sets
    ``HASURA_CLOUD_IN_PROCESS`` accordingly and proves the path taken. ``differential`` is
    the test's record on its path; both paths' records are compared at the second one's
    teardown (``differential.py``). A test registers random values it generates with
    ``differential.add_value(value)``; ``unique_name`` registers its names itself.

The classes (``Emulator``, ``AnsibleRun``, ``GraphQLCallError``, ``make_unique_name`` ...)
live in ``integration_harness.py`` beside this file; tests import them from there:
``from integration_harness import GraphQLCallError``.

How a run is wired
------------------
* ``ANSIBLE_COLLECTIONS_PATH`` = ``.venv/collections``, where
  ``ansible_collections/hasura/cloud`` is a symlink to the repository root (made by
  ``make venv``, or here if missing): the work tree is what gets tested, no copy.
* ``HASURA_CLOUD_API_URL`` and ``HASURA_CLOUD_PAT`` point at the emulator.
* The callback ``tests/integration/callback_plugins/result_recorder.py`` writes every
  task result to a JSON file (``HASURA_TEST_RESULTS_FILE``) read back into ``results``.
* Inventory: ``localhost ansible_connection=local ansible_python_interpreter=<venv python>``
  unless ``inventory=`` is given (a path, or INI text).
* Runs in a per-test temporary directory (no stray ``ansible.cfg`` is picked up), with
  colour and the localhost / unparsed-inventory warnings off, and a timeout (default
  300 s) after which the whole process group is killed and the test fails.
"""

from __future__ import annotations

import pytest

from differential import REGISTRY, Differential, base_id, summary_line  # pylint: disable=import-error
from integration_harness import (  # pylint: disable=import-error
    EXECUTION_PATHS, AnsibleRunner, Emulator, EmulatorError, make_unique_name,
)


# -- the differential suite (see differential.py) ----------------------------------------


def pytest_generate_tests(metafunc):
    """Tests marked ``both_paths`` run once per execution path (ids ``in_process``, ``module_path``)."""
    if metafunc.definition.get_closest_marker('both_paths') and 'execution_path' in metafunc.fixturenames:
        metafunc.parametrize('execution_path', EXECUTION_PATHS, indirect=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell whether the test passed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, 'report_' + report.when, report)


def pytest_terminal_summary(terminalreporter):
    if REGISTRY.entries:
        terminalreporter.write_line(summary_line())


@pytest.fixture
def execution_path(request):
    """``in_process`` or ``module_path`` in a ``both_paths`` test, else None (the collection's default)."""
    return getattr(request, 'param', None)


@pytest.fixture
def differential(request, execution_path, tmp_path):
    """This test's record on its path; compared with the other path's when both have passed."""
    record = Differential(nodeid=request.node.nodeid, path=execution_path, paths=[str(tmp_path)])
    yield record
    if execution_path is None:
        return
    report = getattr(request.node, 'report_call', None)
    exempt = request.node.get_closest_marker('differential_exempt')
    failure = REGISTRY.finish(record, passed=bool(report and report.passed),
                              exempt=exempt.args[0] if exempt else None)
    if failure:
        pytest.fail(failure, pytrace=False)


# -- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope='session')
def emulator(tmp_path_factory):
    """The session's emulator (see :class:`Emulator`), stopped at the end of the session."""
    instance = Emulator(tmp_path_factory.mktemp('emulator'))
    instance.start()
    try:
        yield instance
    finally:
        instance.stop()


@pytest.fixture(autouse=True)
def _emulator_isolation(request):
    """After each test that used the emulator: restore its start-up flags and fault settings."""
    emu = request.getfixturevalue('emulator') if 'emulator' in request.fixturenames else None
    yield
    if emu is not None:
        emu.restore_defaults()


@pytest.fixture
def run_playbook(emulator, tmp_path, execution_path, differential):
    """``run_playbook(playbook, extra_vars=None, check=False, diff=False, verbosity=0, env=None,
    limit=None, tags=None, skip_tags=None, inventory=None, forks=None, extra_args=None, timeout=300)``
    -> :class:`AnsibleRun`.

    ``playbook``: YAML text, a path, or a file name in tests/integration/playbooks/.
    ``extra_vars`` go as JSON (types kept). ``env`` adds or (value None) removes variables,
    e.g. ``env={'HASURA_CLOUD_PAT': None}`` to test a missing token.
    """
    return AnsibleRunner(emulator, tmp_path, execution_path, differential.record).playbook


@pytest.fixture
def run_adhoc(emulator, tmp_path, execution_path, differential):
    """``run_adhoc(module, args=None, pattern='localhost', extra_vars=None, check=False, diff=False,
    verbosity=0, env=None, limit=None, inventory=None, forks=None, extra_args=None, timeout=300)``
    -> :class:`AnsibleRun`. ``args``: ``'key=value ...'`` or a dict (sent as JSON)."""
    return AnsibleRunner(emulator, tmp_path, execution_path, differential.record).adhoc


@pytest.fixture
def unique_name(request):
    """Factory of unique project names for this test; leftovers are deleted afterwards."""
    names: list[str] = []
    emu = request.getfixturevalue('emulator') if 'emulator' in request.fixturenames else None
    # Only a test that runs ansible has a differential record (and so two execution paths).
    record = request.getfixturevalue('differential') if 'differential' in request.fixturenames else None

    def factory(label: str | None = None) -> str:
        # Named after the test without its execution path, so both paths' names have one length.
        name = make_unique_name(base_id(request.node.name), label)
        names.append(name)
        if record is not None:
            record.add_name(name)
        return name

    yield factory

    if names and emu is not None:
        for name in names:
            try:
                tenant = emu.find_tenant(name)
                if tenant:
                    emu.delete_tenant(tenant['id'])
            except (EmulatorError, OSError):
                pass


@pytest.fixture
def tenant_name(unique_name):
    """One unique project name for this test (``it-<test name>-<4 hex>``)."""
    return unique_name()
