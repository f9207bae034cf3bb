# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Classes behind the integration fixtures (see conftest.py for how to use them).

Kept out of conftest.py so that tests can import them by a unique module name:
``from integration_harness import GraphQLCallError, make_unique_name``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import ssl
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest
from ansible.release import __version__ as _ansible_core_version

# (major, minor) of the ansible-core the tests run (the test venv's), for tests whose
# expected text differs by release.
ANSIBLE_CORE = tuple(int(part) for part in _ansible_core_version.split('.')[:2])

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
EMULATOR_SCRIPT = ROOT / 'tests' / 'emulator' / 'hasura_cloud_emulator.py'
PLAYBOOK_DIR = HERE / 'playbooks'
CALLBACK_DIR = HERE / 'callback_plugins'
COLLECTIONS_DIR = ROOT / '.venv' / 'collections'
COLLECTION_LINK = COLLECTIONS_DIR / 'ansible_collections' / 'hasura' / 'cloud'
VENV_BIN = Path(sys.executable).parent

STARTUP_TIMEOUT = 30.0
DEFAULT_RUN_TIMEOUT = 300.0
LISTENING_RE = re.compile(r'^listening on (?P<base>(?P<scheme>https?)://(?P<host>.+):(?P<port>\d+))/v1/graphql$')
NAME_RE = re.compile(r'^[a-z0-9]([a-z0-9-]*[a-z0-9])?$')

TENANT_FIELDS = 'id slug cloud region project { id name endpoint plan_name }'
DOMAIN_FIELDS = 'id fqdn tenant_id dns_validation cert'
ADMIN_SECRET = 'HASURA_GRAPHQL_ADMIN_SECRET'

# The two ways a hasura.cloud task can run (issue 12), and the HASURA_CLOUD_IN_PROCESS value
# that selects each. A run on either path keeps its remote files (ANSIBLE_KEEP_REMOTE_FILES):
# a module process leaves its AnsiballZ payload behind, an in-process run leaves none, so the
# path a task took is proven from outside, without anything added to its result.
EXECUTION_PATHS = ('in_process', 'module_path')
IN_PROCESS_SETTING = {'in_process': 'true', 'module_path': 'false'}
PAYLOAD_GLOB = 'AnsiballZ_hasura_*.py'


class EmulatorError(RuntimeError):
    """The emulator could not be started, or a side-channel call failed."""


class GraphQLCallError(EmulatorError):
    """A side-channel GraphQL call answered with ``errors``; ``.errors`` holds them."""

    def __init__(self, errors: list[dict[str, Any]]):
        self.errors = errors
        self.codes = [(err.get('extensions') or {}).get('code') for err in errors]
        super().__init__('; '.join('%s (%s)' % (err.get('message'), code) for err, code in zip(errors, self.codes)))


class Emulator:
    """A running ``hasura_cloud_emulator.py`` process and a small client for it.

    Created by the ``emulator`` fixture; tests use the attributes and methods, never
    ``start()`` / ``stop()`` directly.
    """

    def __init__(self, workdir: Path, token: str | None = None, extra_args: list[str] | tuple[str, ...] = ()):
        self.workdir = Path(workdir)
        self.token = token or secrets.token_hex(24)
        self.state_file = self.workdir / 'state.json'
        self.log_file = self.workdir / 'emulator.log'
        self.default_args = list(extra_args)
        self.extra_args = list(extra_args)
        self.host = '127.0.0.1'
        self.port = 0
        self.base = ''
        self.url = ''
        self._process: subprocess.Popen | None = None
        self._initial_faults: dict[str, Any] | None = None
        self.faults_dirty = False

    # -- process -------------------------------------------------------------------

    def start(self, port: int | None = None, extra_args: list[str] | None = None) -> None:
        """Start the emulator and wait for its ``listening on`` line."""
        if not EMULATOR_SCRIPT.exists():
            raise EmulatorError('%s does not exist' % EMULATOR_SCRIPT)
        if extra_args is not None:
            self.extra_args = list(extra_args)
        command = [sys.executable, str(EMULATOR_SCRIPT), '--host', self.host,
                   '--port', str(self.port if port is None else port), '--token', self.token,
                   '--state-file', str(self.state_file)]
        if not any(arg.startswith('--healthz-delay') for arg in self.extra_args):
            command += ['--healthz-delay', '0']
        command += self.extra_args

        log = open(self.log_file, 'a', encoding='utf-8')  # pylint: disable=consider-using-with
        log.write('--- start: %s\n' % ' '.join('<token>' if arg == self.token else arg for arg in command))
        log.flush()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True,  # pylint: disable=consider-using-with
                                   start_new_session=True)
        log.close()

        found: dict[str, str] = {}
        ready = threading.Event()

        def pump() -> None:
            # Read stdout for the whole life of the process so it can never block on a full pipe.
            with open(self.log_file, 'a', encoding='utf-8') as out:
                for line in process.stdout:
                    out.write(line)
                    out.flush()
                    match = LISTENING_RE.match(line.strip())
                    if match and not ready.is_set():
                        found.update(match.groupdict())
                        ready.set()
            ready.set()

        threading.Thread(target=pump, name='emulator-stdout', daemon=True).start()
        if not ready.wait(STARTUP_TIMEOUT) or not found:
            process.kill()
            process.wait()
            raise EmulatorError('the emulator did not print its "listening on" line (exit code %s); log:\n%s'
                                % (process.returncode, self.log_tail()))
        self._process = process
        self.base = found['base']
        self.url = self.base + '/v1/graphql'
        self.port = int(found['port'])
        if self._initial_faults is None:
            self._initial_faults = self.faults()

    def stop(self, timeout: float = 10.0) -> int | None:
        """Stop the emulator with SIGTERM (SIGKILL after ``timeout``); return its exit code."""
        process, self._process = self._process, None
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return process.returncode

    def restart(self, extra_args: list[str] | None = None) -> None:
        """Stop and start again with the same state file and token, on the same port if free.

        ``extra_args`` (e.g. ``['--latency', '50']``) replace the start-up flags of the
        previous start; ``None`` keeps them. They are reset to the session's defaults after
        the current test. If the old port cannot be bound again, a new free port is taken
        and ``url`` / ``base`` / ``port`` change accordingly.
        """
        port = self.port
        self.stop()
        try:
            self.start(port=port, extra_args=extra_args)
        except EmulatorError:
            self.start(port=0, extra_args=extra_args)

    @property
    def running(self) -> bool:
        """True while the process is alive."""
        return self._process is not None and self._process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the emulator's log (stdout and stderr)."""
        try:
            return '\n'.join(self.log_file.read_text(encoding='utf-8').splitlines()[-lines:])
        except OSError:
            return ''

    # -- HTTP ----------------------------------------------------------------------

    def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
                timeout: float = 30.0) -> tuple[int, bytes]:
        """Send one HTTP request to ``base + path``; return ``(status, body bytes)``."""
        data = None if body is None else json.dumps(body).encode('utf-8')
        all_headers = {'Content-Type': 'application/json'} if data is not None else {}
        all_headers.update(headers or {})
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=all_headers)
        context = ssl._create_unverified_context() if self.base.startswith('https') else None  # pylint: disable=protected-access
        try:
            with urllib.request.urlopen(req, timeout=timeout, context=context) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def _control(self, method: str, path: str, body: Any = None) -> Any:
        status, payload = self.request(method, path, body)
        if status != 200:
            raise EmulatorError('%s %s answered HTTP %s: %r' % (method, path, status, payload[:500]))
        return json.loads(payload) if payload.strip() else None

    def stats(self) -> dict[str, Any]:
        """``GET /_emulator/stats``: ``{"requests", "operations", "mutations", "faults"}``."""
        return self._control('GET', '/_emulator/stats')

    def reset(self, state: bool = False) -> None:
        """Reset the request counters; with ``state=True`` also delete every tenant."""
        self._control('POST', '/_emulator/reset', {'state': bool(state)})

    def measured(self, run: Callable[[], Any]) -> tuple[Any, dict[str, Any]]:
        """Run ``run()`` with fresh request counters; return (its result, the stats)."""
        self.reset()
        result = run()
        return result, self.stats()

    def faults(self) -> dict[str, Any]:
        """``GET /_emulator/faults``: the current fault settings."""
        return self._control('GET', '/_emulator/faults')

    def set_faults(self, **settings: Any) -> dict[str, Any]:
        """``POST /_emulator/faults``: change fault settings at run time.

        Keywords as CONTRIBUTING.md lists them: ``latency_ms``, ``error_rate``,
        ``error_statuses``, ``retry_after``, ``drop_rate``, ``lose_answer`` (e.g.
        ``{'createTenant': 1}``), ``healthz_delay``, ``seed``, ``dns_delay`` (seconds a custom domain's
        DNS validation stays pending after it was added; judged at every read, so 0 validates every
        domain at once and a large value keeps them pending). Restored after the test.
        """
        self.faults_dirty = True
        return self._control('POST', '/_emulator/faults', settings)

    def restore_defaults(self) -> None:
        """Undo a test's restarts with other flags and its fault settings (used between tests)."""
        if not self.running or self.extra_args != self.default_args:
            self.restart(extra_args=self.default_args)
        if self.faults_dirty and self._initial_faults is not None:
            self._control('POST', '/_emulator/faults', self._initial_faults)
        self.faults_dirty = False

    def graphql(self, query: str, variables: dict[str, Any] | None = None, token: str | None = None,
                raw: bool = False) -> Any:
        """POST a GraphQL document straight to the emulator (not through Ansible).

        Returns ``data``; raises :class:`GraphQLCallError` when the answer has ``errors``.
        With ``raw=True`` returns the whole decoded answer instead and raises nothing.
        ``token`` overrides the emulator's token (e.g. to test a bad one).
        """
        body: dict[str, Any] = {'query': query}
        if variables is not None:
            body['variables'] = variables
        status, payload = self.request('POST', '/v1/graphql', body,
                                       headers={'Authorization': 'pat %s' % (self.token if token is None else token)})
        try:
            answer = json.loads(payload)
        except ValueError as exc:
            raise EmulatorError('GraphQL answer is not JSON (HTTP %s): %r' % (status, payload[:500])) from exc
        if raw:
            return answer
        if answer.get('errors'):
            raise GraphQLCallError(answer['errors'])
        return answer.get('data')

    # -- side-channel helpers --------------------------------------------------------

    def create_tenant(self, name: str, cloud: str = 'aws', region: str = 'us-east-2', plan: str | None = None,
                      env: dict[str, str] | None = None) -> str:
        """Create a tenant directly; return its id."""
        variables: dict[str, Any] = {'cloud': cloud, 'region': region, 'name': name, 'plan': plan,
                                     'envs': [{'key': k, 'value': v} for k, v in (env or {}).items()]}
        data = self.graphql('mutation ($cloud: String!, $region: String!, $name: String, $plan: String,'
                            ' $envs: [UpdateEnvsObject]) { createTenant(cloud: $cloud, region: $region,'
                            ' name: $name, plan: $plan, envs: $envs) { id name } }', variables)
        return data['createTenant']['id']

    def find_tenant(self, name: str) -> dict[str, Any] | None:
        """The tenant whose project is called ``name`` (id, slug, cloud, region, project{...}) or None."""
        data = self.graphql('query ($name: String!) { tenant(where: {project: {name: {_eq: $name}}}) { %s } }'
                            % TENANT_FIELDS, {'name': name})
        return data['tenant'][0] if data['tenant'] else None

    def get_tenant(self, tenant_id: str) -> dict[str, Any] | None:
        """The tenant with this id, or None."""
        return self.graphql('query ($id: uuid!) { tenant_by_pk(id: $id) { %s } }' % TENANT_FIELDS,
                            {'id': tenant_id})['tenant_by_pk']

    def get_env(self, tenant_id: str) -> tuple[str, dict[str, str]]:
        """``(hash, {NAME: VALUE})`` of a tenant's environment."""
        data = self.graphql('query ($id: uuid!) { getTenantEnv(tenantId: $id) { hash envVars } }', {'id': tenant_id})
        return data['getTenantEnv']['hash'], data['getTenantEnv']['envVars'].get('environment', {})

    def app_env(self, tenant_id: str) -> dict[str, str]:
        """The tenant's env without ``HASURA_GRAPHQL_ADMIN_SECRET``, which Hasura Cloud generates for
        every new project: for tests that compare the variables they set themselves."""
        env = dict(self.get_env(tenant_id)[1])
        env.pop(ADMIN_SECRET, None)
        return env

    def set_env(self, tenant_id: str, env: dict[str, str]) -> str:
        """Upsert env keys directly (reads the current hash first); return the new hash."""
        current, _env = self.get_env(tenant_id)
        data = self.graphql('mutation ($id: uuid!, $hash: String!, $envs: [UpdateEnvObject!]!) {'
                            ' updateTenantEnv(tenantId: $id, currentHash: $hash, envs: $envs) { hash } }',
                            {'id': tenant_id, 'hash': current, 'envs': [{'key': k, 'value': v} for k, v in env.items()]})
        return data['updateTenantEnv']['hash']

    def delete_tenant(self, tenant_id: str) -> None:
        """Delete a tenant directly."""
        self.graphql('mutation ($id: uuid!) { deleteTenant(tenantId: $id) { status } }', {'id': tenant_id})

    def add_domain(self, tenant_id: str, fqdn: str) -> dict[str, Any]:
        """Add a custom domain to a tenant directly; return it (``id fqdn tenant_id dns_validation cert``)."""
        data = self.graphql('mutation ($tenantId: uuid!, $fqdn: String!) { insert_custom_domain_one(object: '
                            '{fqdn: $fqdn, tenant_id: $tenantId}) { %s } }' % DOMAIN_FIELDS,
                            {'tenantId': tenant_id, 'fqdn': fqdn})
        return data['insert_custom_domain_one']

    def set_dns(self, fqdn: str, dns_validation: str | None) -> None:
        """``POST /_emulator/dns``: what the domain's ``dns_validation`` reports from now on (None: the timer again)."""
        self._control('POST', '/_emulator/dns', {'fqdn': fqdn, 'dns_validation': dns_validation})

    def domains(self, tenant_id: str) -> list[dict[str, Any]]:
        """A tenant's custom domains (``id fqdn tenant_id dns_validation cert``), sorted by name."""
        data = self.graphql('query ($id: uuid!) { tenant_by_pk(id: $id) { custom_domains(order_by: {fqdn: asc}) '
                            '{ %s } } }' % DOMAIN_FIELDS, {'id': tenant_id})
        return data['tenant_by_pk']['custom_domains']


@dataclass
class AnsibleRun:
    """The outcome of one ``ansible-playbook`` or ``ansible`` run.

    ``results`` holds one dict per task result, in order, as the result_recorder callback
    wrote them: ``task`` (name), ``action``, ``host``, ``status`` (``ok``, ``changed``,
    ``failed``, ``skipped``, ``unreachable``), ``changed``, ``failed``, ``ignore_errors``
    and ``result`` (the module's return dict). ``stats`` is the play recap per host.
    """

    command: list[str]
    rc: int
    stdout: str
    stderr: str
    results: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    execution_path: str | None = None
    payloads: list[str] = field(default_factory=list)
    """AnsiballZ payloads of hasura.cloud modules the run left (only counted when ``execution_path`` is set)."""

    def records(self, task: str, host: str | None = None) -> list[dict[str, Any]]:
        """Every record of the task called ``task`` (optionally for one host)."""
        return [rec for rec in self.results if rec['task'] == task and (host is None or rec['host'] == host)]

    def record(self, task: str, host: str | None = None) -> dict[str, Any]:
        """The last record of the task called ``task``; KeyError listing the task names if none."""
        found = self.records(task, host)
        if not found:
            raise KeyError('no result for task %r%s; tasks that ran: %s\n%s'
                           % (task, '' if host is None else ' on %s' % host,
                              sorted({rec['task'] for rec in self.results}), self.output()))
        return found[-1]

    def result(self, task: str, host: str | None = None) -> dict[str, Any]:
        """The module's return dict of the task called ``task`` (its last run)."""
        return self.record(task, host)['result']

    def changed(self, task: str, host: str | None = None) -> bool:
        """Whether the task called ``task`` reported a change."""
        return self.record(task, host)['changed']

    def status(self, task: str, host: str | None = None) -> str:
        """``ok``, ``changed``, ``failed``, ``skipped`` or ``unreachable``."""
        return self.record(task, host)['status']

    @property
    def failed_tasks(self) -> list[str]:
        """Names of tasks that failed without ``ignore_errors``."""
        return [rec['task'] for rec in self.results if rec['failed'] and not rec['ignore_errors']]

    def output(self) -> str:
        """Command, exit code, stdout and stderr, for assertion messages."""
        return '$ %s\nrc=%s\n--- stdout ---\n%s\n--- stderr ---\n%s' % (
            ' '.join(self.command), self.rc, self.stdout, self.stderr)

    def printed(self, text: str) -> bool:
        """Whether the run's output holds ``text``, whitespace aside: before ansible-core 2.19
        Ansible wraps a warning at 79 columns, at a space or after a hyphen."""
        return ''.join(text.split()) in ''.join((self.stdout + self.stderr).split())

    def failure(self, task: str) -> dict[str, Any]:
        """The return dict of ``task``, which must have failed cleanly: the run failed with it
        (unless the task ignores errors) and nothing printed a traceback or a module failure."""
        record = self.record(task)
        assert record['status'] == 'failed', self.output()
        assert record['ignore_errors'] or self.rc != 0, self.output()
        text = self.stdout + self.stderr
        assert 'Traceback' not in text and 'MODULE FAILURE' not in text, self.output()
        return record['result']

    def assert_ok(self) -> AnsibleRun:
        """Fail the test (showing the output) unless the run exited 0; return self."""
        assert self.rc == 0, self.output()
        return self


class AnsibleRunner:
    """Builds the environment and runs ``ansible-playbook`` / ``ansible`` (see module docstring)."""

    def __init__(self, emulator: Emulator, workdir: Path, execution_path: str | None = None,
                 recorder: Any = None, keep_remote_files: bool | None = None):
        """``execution_path``: None (the collection's default), or one of EXECUTION_PATHS, which is
        then enforced and proven for every run; ``recorder``: called with every AnsibleRun;
        ``keep_remote_files`` (default: when an execution path is set): keep the runs' remote
        files and list the hasura.cloud payloads they leave in ``AnsibleRun.payloads``."""
        if execution_path is not None and execution_path not in EXECUTION_PATHS:
            raise ValueError('execution_path must be one of %s' % (EXECUTION_PATHS,))
        self.emulator = emulator
        self.workdir = Path(workdir)
        self.execution_path = execution_path
        self.recorder = recorder
        self.keep_remote_files = execution_path is not None if keep_remote_files is None else keep_remote_files
        self.count = 0

    @property
    def remote_tmp(self) -> Path:
        """Where the current run's remote files go (kept when an execution path is set)."""
        return self.workdir / ('remote-tmp-%d' % self.count)

    def _inventory(self, inventory: str | os.PathLike | None) -> str:
        if inventory is not None and '\n' not in str(inventory) and Path(inventory).exists():
            return str(inventory)
        path = self.workdir / ('inventory-%d.ini' % self.count)
        text = inventory if inventory is not None else (
            '[local]\nlocalhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
        path.write_text(str(text), encoding='utf-8')
        return str(path)

    def environment(self, results_file: Path, env: dict[str, str | None] | None) -> dict[str, str]:
        """The subprocess environment; ``env`` entries override it, a None value removes one."""
        ensure_collection_link()
        environ = dict(os.environ)
        for name in list(environ):
            if name.startswith('ANSIBLE_') or name == 'HASURA_CLOUD_IN_PROCESS':
                del environ[name]  # a developer's settings must not change the tests
        environ.update({
            'PATH': '%s%s%s' % (VENV_BIN, os.pathsep, environ.get('PATH', '')),
            'ANSIBLE_COLLECTIONS_PATH': str(COLLECTIONS_DIR),
            'ANSIBLE_CALLBACK_PLUGINS': str(CALLBACK_DIR),
            'ANSIBLE_CALLBACKS_ENABLED': 'result_recorder',
            'ANSIBLE_LOAD_CALLBACK_PLUGINS': 'true',  # for ad-hoc `ansible`
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_FORCE_COLOR': '0',
            'ANSIBLE_LOCALHOST_WARNING': 'false',
            'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false',
            'ANSIBLE_HOST_KEY_CHECKING': 'false',
            'ANSIBLE_RETRY_FILES_ENABLED': 'false',
            'ANSIBLE_LOCAL_TEMP': str(self.workdir / 'ansible-tmp'),
            # Absolute: async_wrapper expands a "~" with $HOME, async_status with the password
            # entry; they differ where HOME is not the user's home (some CI runners).
            'ANSIBLE_ASYNC_DIR': str(self.workdir / 'ansible-async'),
            'HASURA_CLOUD_API_URL': self.emulator.url,
            'HASURA_CLOUD_PAT': self.emulator.token,
            'HASURA_TEST_RESULTS_FILE': str(results_file),
            'PYTHONUNBUFFERED': '1',
        })
        if self.execution_path is not None:
            environ['HASURA_CLOUD_IN_PROCESS'] = IN_PROCESS_SETTING[self.execution_path]
        if self.keep_remote_files:
            environ.update({'ANSIBLE_KEEP_REMOTE_FILES': '1', 'ANSIBLE_REMOTE_TMP': str(self.remote_tmp)})
        for name, value in (env or {}).items():
            if value is None:
                environ.pop(name, None)
            else:
                environ[name] = str(value)
        return environ

    def run(self, command: list[str], env: dict[str, str | None] | None, timeout: float) -> AnsibleRun:
        """Run one command with the harness environment; collect the recorded results."""
        results_file = self.workdir / ('results-%d.json' % self.count)
        environ = self.environment(results_file, env)
        with subprocess.Popen(command, cwd=self.workdir, env=environ, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                              start_new_session=True) as process:
            try:
                stdout, stderr = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                stdout, stderr = process.communicate()
                pytest.fail('timed out after %ss: %s\n--- stdout ---\n%s\n--- stderr ---\n%s'
                            % (timeout, ' '.join(command), stdout, stderr))
        recorded: dict[str, Any] = {}
        if results_file.exists():
            recorded = json.loads(results_file.read_text(encoding='utf-8'))
        run = AnsibleRun(command=command, rc=process.returncode, stdout=stdout, stderr=stderr,
                         results=recorded.get('results', []), stats=recorded.get('stats', {}),
                         execution_path=self.execution_path)
        if self.keep_remote_files:
            run.payloads = sorted(path.name for path in self.remote_tmp.rglob(PAYLOAD_GLOB))
        if self.execution_path is not None:
            check_execution_path(run)
        if self.recorder is not None:
            self.recorder(run)
        return run

    @staticmethod
    def _common_args(extra_vars, check, diff, verbosity, limit, forks, extra_args) -> list[str]:
        args: list[str] = []
        if extra_vars:
            args += ['--extra-vars', json.dumps(extra_vars)]
        if check:
            args.append('--check')
        if diff:
            args.append('--diff')
        if verbosity:
            args.append('-' + 'v' * verbosity)
        if limit:
            args += ['--limit', limit]
        if forks:
            args += ['--forks', str(forks)]
        return args + list(extra_args or ())

    def playbook(self, playbook: str | os.PathLike, extra_vars: dict[str, Any] | None = None, check: bool = False,
                 diff: bool = False, verbosity: int = 0, env: dict[str, str | None] | None = None,
                 limit: str | None = None, tags: str | None = None, skip_tags: str | None = None,
                 inventory: str | os.PathLike | None = None, forks: int | None = None,
                 extra_args: list[str] | None = None, timeout: float = DEFAULT_RUN_TIMEOUT) -> AnsibleRun:
        """Run ``ansible-playbook``; see the ``run_playbook`` fixture."""
        self.count += 1
        text = str(playbook)
        if '\n' in text:
            path = self.workdir / ('playbook-%d.yml' % self.count)
            path.write_text(text, encoding='utf-8')
        else:
            path = Path(text)
            if not path.is_absolute() and not path.exists():
                path = PLAYBOOK_DIR / text
            if not path.exists():
                raise FileNotFoundError('playbook %s not found (nor under %s)' % (text, PLAYBOOK_DIR))
            path = path.resolve()
        command = [str(VENV_BIN / 'ansible-playbook'), '-i', self._inventory(inventory)]
        command += self._common_args(extra_vars, check, diff, verbosity, limit, forks, extra_args)
        if tags:
            command += ['--tags', tags]
        if skip_tags:
            command += ['--skip-tags', skip_tags]
        command.append(str(path))
        return self.run(command, env, timeout)

    def adhoc(self, module: str, args: str | dict[str, Any] | None = None, pattern: str = 'localhost',
              extra_vars: dict[str, Any] | None = None, check: bool = False, diff: bool = False, verbosity: int = 0,
              env: dict[str, str | None] | None = None, limit: str | None = None,
              inventory: str | os.PathLike | None = None, forks: int | None = None,
              extra_args: list[str] | None = None, timeout: float = DEFAULT_RUN_TIMEOUT) -> AnsibleRun:
        """Run ``ansible PATTERN -m MODULE -a ARGS``; see the ``run_adhoc`` fixture."""
        self.count += 1
        command = [str(VENV_BIN / 'ansible'), pattern, '-i', self._inventory(inventory), '-m', module]
        if args is not None:
            command += ['-a', json.dumps(args) if isinstance(args, dict) else str(args)]
        command += self._common_args(extra_vars, check, diff, verbosity, limit, forks, extra_args)
        return self.run(command, env, timeout)


def check_execution_path(run: AnsibleRun) -> None:
    """Fail the test unless the run's hasura.cloud tasks took ``run.execution_path``.

    In-process: no hasura.cloud module payload at all. Module path: at least one whenever a
    hasura.cloud task succeeded (a failed one may have failed before its module ran).
    """
    if run.execution_path == 'in_process' and run.payloads:
        pytest.fail('in-process run, yet hasura.cloud modules ran as module processes: %s\n%s'
                    % (run.payloads, run.output()))
    succeeded = [rec for rec in run.results
                 if rec['action'].startswith('hasura.cloud.') and rec['status'] in ('ok', 'changed')]
    if run.execution_path == 'module_path' and succeeded and not run.payloads:
        pytest.fail('module-path run, yet no hasura.cloud module payload was left by %s\n%s'
                    % ([rec['task'] for rec in succeeded], run.output()))


def ensure_collection_link() -> None:
    """Make ``.venv/collections/ansible_collections/hasura/cloud`` point at the repository root."""
    if COLLECTION_LINK.is_symlink() and Path(os.readlink(COLLECTION_LINK)).resolve() == ROOT:
        return
    COLLECTION_LINK.parent.mkdir(parents=True, exist_ok=True)
    if COLLECTION_LINK.is_symlink() or COLLECTION_LINK.exists():
        COLLECTION_LINK.unlink()
    COLLECTION_LINK.symlink_to(ROOT, target_is_directory=True)


def make_unique_name(test_name: str, label: str | None = None) -> str:
    """``it-<test name>[-<label>]-<4 hex>``: lowercase letters, digits and hyphens, at most 63 characters."""
    suffix = secrets.token_hex(2)
    slug = re.sub(r'[^a-z0-9]+', '-', test_name.lower()).strip('-')
    slug = re.sub(r'^test-', '', slug) or 'test'
    extra = ''
    if label:
        extra = '-' + (re.sub(r'[^a-z0-9]+', '-', label.lower()).strip('-') or 'x')[:12]
    slug = slug[:63 - len('it-') - len(extra) - len(suffix) - 1].strip('-')
    name = 'it-%s%s-%s' % (slug, extra, suffix)
    assert NAME_RE.match(name) and len(name) <= 63, name
    return name
