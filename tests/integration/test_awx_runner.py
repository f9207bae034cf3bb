# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""AWX / Automation Controller readiness.

AWX runs a job template through ansible-runner in a private data directory, with the
credentials of the job injected by their credential type. These tests render the custom
credential type shipped in docs/awx/ the way AWX does, hand only the rendered environment to
``ansible_runner.run`` (the token appears nowhere else), run a playbook against the
emulator, and check that the token does not leak into the runner's artifacts.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import ansible_runner
import pytest
import yaml
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible_collections.hasura.cloud.plugins.module_utils._client import DEFAULT_API_URL
from ansible_collections.hasura.cloud.plugins.module_utils._common import connection_argument_spec
from integration_harness import COLLECTIONS_DIR, ROOT, ensure_collection_link  # pylint: disable=import-error

AWX_DOCS = ROOT / 'docs' / 'awx'
INPUTS_FILE = AWX_DOCS / 'credential-type-inputs.yml'
INJECTORS_FILE = AWX_DOCS / 'credential-type-injectors.yml'

PLAYBOOK = """
- name: Hasura Cloud job template
  hosts: localhost
  gather_facts: false
  roles:
    - role: hasura.cloud.project
      vars:
        hasura_project_name: "{{ project_name }}"
        hasura_project_cloud: aws
        hasura_project_region: us-east-2
        hasura_project_env:
          FEATURE_X: "on"
          WORKERS: 4
  tasks:
    - name: List the projects the token can see
      hasura.cloud.hasura_tenant_info:
      register: listed

    - name: The new project is listed
      ansible.builtin.assert:
        that: project_name in (listed.tenants | map(attribute='name'))
        quiet: true
"""


def load_yaml(path: Path):
    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def render_injected_env(inputs: dict[str, str]) -> dict[str, str]:
    """Render the credential type's env injectors as AWX does (sandboxed Jinja over the inputs)."""
    fields = load_yaml(INPUTS_FILE)['fields']
    namespace = {field['id']: field['default'] for field in fields if 'default' in field}
    namespace.update(inputs)
    sandbox = ImmutableSandboxedEnvironment()
    return {name: sandbox.from_string(template).render(**namespace)
            for name, template in load_yaml(INJECTORS_FILE)['env'].items()}


def private_data_dir(base: Path, inventory_python: str) -> Path:
    """A private data directory laid out like the one AWX prepares for a job."""
    (base / 'project').mkdir(parents=True)
    (base / 'inventory').mkdir()
    (base / 'project' / 'site.yml').write_text(PLAYBOOK, encoding='utf-8')
    (base / 'inventory' / 'hosts').write_text(
        'localhost ansible_connection=local ansible_python_interpreter=%s\n' % inventory_python, encoding='utf-8')
    return base


def files_containing(directory: Path, secret: str) -> list[str]:
    """Every file under ``directory`` whose content holds ``secret``."""
    found = []
    for path in directory.rglob('*'):
        if path.is_file() and secret.encode('utf-8') in path.read_bytes():
            found.append(str(path.relative_to(directory)))
    return found


@pytest.fixture
def clean_environ(monkeypatch):
    """The test process itself holds no Hasura or Ansible settings: only the injected env may."""
    for name in list(os.environ):
        if name.startswith(('HASURA_', 'ANSIBLE_')):
            monkeypatch.delenv(name)
    monkeypatch.setenv('PATH', '%s%s%s' % (Path(sys.executable).parent, os.pathsep, os.environ.get('PATH', '')))


def run_job(data_dir: Path, injected_env: dict[str, str], ident: str, extra_vars: dict[str, str]):
    """One job, as AWX launches it: ansible-runner, env files suppressed, credentials in envvars only."""
    ensure_collection_link()
    envvars = dict(injected_env)
    # In AWX the collection is installed in the execution environment; here it is the work tree.
    envvars['ANSIBLE_COLLECTIONS_PATH'] = str(COLLECTIONS_DIR)
    envvars['ANSIBLE_NOCOLOR'] = '1'
    return ansible_runner.run(
        private_data_dir=str(data_dir),
        playbook='site.yml',
        ident=ident,
        envvars=envvars,
        extravars=extra_vars,
        suppress_env_files=True,  # what AWX does (AWX_RUNNER_OMIT_ENV_FILES)
        quiet=True,
        timeout=300,
    )


def changed_tasks(runner):
    """Names of the tasks that reported a change, from the job events."""
    return [event['event_data'].get('task') for event in runner.events
            if event['event'] == 'runner_on_ok' and event['event_data'].get('res', {}).get('changed')]


def test_job_with_injected_credential(emulator, tmp_path, clean_environ, tenant_name):
    """The playbook runs with the token only in the injected environment, and the token leaks nowhere."""
    injected = render_injected_env({'api_token': emulator.token, 'api_url': emulator.url})
    assert injected == {'HASURA_CLOUD_PAT': emulator.token, 'HASURA_CLOUD_API_URL': emulator.url}
    assert 'HASURA_CLOUD_PAT' not in os.environ

    data_dir = private_data_dir(tmp_path / 'job', sys.executable)
    first = run_job(data_dir, injected, 'first', {'project_name': tenant_name})
    stdout = first.stdout.read()
    assert first.status == 'successful', stdout
    assert first.rc == 0
    # The role creates the project with its env in one request: one change.
    assert first.stats['changed'].get('localhost', 0) >= 1, first.stats
    assert any('Ensure the Hasura Cloud project' in (task or '') for task in changed_tasks(first))
    tenant = emulator.find_tenant(tenant_name)
    assert tenant is not None
    assert emulator.app_env(tenant['id']) == {'FEATURE_X': 'on', 'WORKERS': '4'}

    second = run_job(data_dir, injected, 'second', {'project_name': tenant_name})
    assert second.status == 'successful', second.stdout.read()
    assert second.stats['changed'].get('localhost', 0) == 0, changed_tasks(second)

    # What AWX keeps of a job is its stdout and its events: the token is in neither.
    assert emulator.token not in stdout
    for ident in ('first', 'second'):
        artifact_dir = data_dir / 'artifacts' / ident
        assert (artifact_dir / 'stdout').exists()
        assert list((artifact_dir / 'job_events').glob('*.json'))
        leaking = files_containing(artifact_dir, emulator.token)
        # ansible-runner itself records the environment it started ansible-playbook with in
        # artifacts/<ident>/command (mode 0600, in the private data dir that AWX deletes after
        # the job). That is the runner's bookkeeping, not output; every other file is clean.
        assert leaking in ([], ['command']), leaking
        if leaking:
            assert (artifact_dir / 'command').stat().st_mode & 0o077 == 0
    assert files_containing(data_dir / 'project', emulator.token) == []
    assert files_containing(data_dir / 'inventory', emulator.token) == []
    assert not (data_dir / 'env').exists()


def test_job_without_credential_fails_clearly(emulator, tmp_path, clean_environ, tenant_name):
    """A job template without the credential fails with the message that names the fix."""
    data_dir = private_data_dir(tmp_path / 'job', sys.executable)
    runner = run_job(data_dir, {'HASURA_CLOUD_API_URL': emulator.url}, 'nocred', {'project_name': tenant_name})
    assert runner.status == 'failed'
    failures = [event['event_data']['res'].get('msg', '') for event in runner.events
                if event['event'] == 'runner_on_failed']
    assert failures and 'HASURA_CLOUD_PAT' in failures[0], failures
    assert emulator.find_tenant(tenant_name) is None


def test_credential_type_structure():
    """The inputs and injectors follow the AWX custom credential type format and fit the modules."""
    inputs = load_yaml(INPUTS_FILE)
    injectors = load_yaml(INJECTORS_FILE)
    assert set(inputs) <= {'fields', 'required'}
    assert set(injectors) <= {'env', 'extra_vars', 'file'}

    fields = {field['id']: field for field in inputs['fields']}
    assert len(fields) == len(inputs['fields']), 'field ids must be unique'
    labels = [field['label'] for field in inputs['fields']]
    assert len(set(labels)) == len(labels), 'field labels must be unique'
    allowed_keys = {'id', 'label', 'type', 'help_text', 'format', 'secret', 'multiline', 'default', 'choices',
                    'ask_at_runtime'}
    for field in inputs['fields']:
        assert {'id', 'label'} <= set(field) <= allowed_keys, field
        assert field.get('type', 'string') in ('string', 'boolean')
    assert set(inputs.get('required', [])) <= set(fields)

    assert fields['api_token']['secret'] is True
    assert 'api_token' in inputs['required']
    assert not fields['api_url'].get('secret', False)
    assert fields['api_url']['default'] == DEFAULT_API_URL

    # Injected only as environment variables (extra_vars would show up in the job's variables).
    assert set(injectors) == {'env'}
    sandbox = ImmutableSandboxedEnvironment()
    for name, template in injectors['env'].items():
        referenced = meta.find_undeclared_variables(sandbox.parse(template))
        assert referenced and referenced <= set(fields), (name, referenced)

    # The variable names are the ones the modules read.
    spec = connection_argument_spec()
    assert set(injectors['env']) == {spec['api_token']['fallback'][1][0], spec['api_url']['fallback'][1][0]}
    assert injectors['env']['HASURA_CLOUD_PAT'].replace(' ', '') == '{{api_token}}'
    assert injectors['env']['HASURA_CLOUD_API_URL'].replace(' ', '') == '{{api_url}}'
