# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Smoke tests of the integration harness itself (emulator fixture, runners, recorder)."""

from __future__ import annotations

import pytest

from integration_harness import GraphQLCallError, make_unique_name  # pylint: disable=import-error

# Every test here that runs ansible on both execution paths and their results are compared (differential.py).
pytestmark = pytest.mark.both_paths


def test_smoke_playbook(emulator, run_playbook, tenant_name):
    """Create, read and delete a tenant with ansible.builtin.uri; check what was recorded."""
    emulator.reset()
    run = run_playbook('smoke.yml', extra_vars={'tenant_name': tenant_name}).assert_ok()

    assert [rec['task'] for rec in run.results] == [
        'Create tenant', 'Read tenant env', 'Check env', 'Delete tenant', 'Read deleted tenant env']
    assert run.changed('Create tenant')
    assert run.status('Create tenant') == 'changed'
    tenant_id = run.result('Create tenant')['json']['data']['createTenant']['id']
    assert run.result('Create tenant')['json']['data']['createTenant']['name'] == tenant_name
    assert not run.changed('Read tenant env')
    environment = run.result('Read tenant env')['json']['data']['getTenantEnv']['envVars']['environment']
    # Hasura Cloud gives every new project an admin secret.
    assert environment.pop('HASURA_GRAPHQL_ADMIN_SECRET') and environment == {'GREETING': 'hello'}
    assert run.status('Check env') == 'ok'
    assert run.changed('Delete tenant')
    assert run.status('Read deleted tenant env') == 'ok'
    assert run.stats['localhost']['changed'] == 2
    assert run.stats['localhost']['failures'] == 0

    # The side channel agrees, and the emulator counted each operation once.
    assert emulator.get_tenant(tenant_id) is None
    operations = emulator.stats()['operations']
    assert operations.get('createTenant') == 1
    assert operations.get('getTenantEnv') == 2
    assert operations.get('deleteTenant') == 1


def test_smoke_adhoc(emulator, run_adhoc, tenant_name):
    """An ad-hoc `ansible localhost -m ...` run is recorded too; the token comes from the environment."""
    tenant_id = emulator.create_tenant(tenant_name, env={'A': '1'})
    run = run_adhoc('ansible.builtin.uri', {
        'url': emulator.url, 'method': 'POST', 'body_format': 'json',
        'headers': {'Authorization': 'pat {{ lookup("ansible.builtin.env", "HASURA_CLOUD_PAT") }}'},
        'body': {'query': 'query ($id: uuid!) { getTenantEnv(tenantId: $id) { envVars } }', 'variables': {'id': tenant_id}},
    }).assert_ok()
    record = run.results[-1]
    assert record['status'] == 'ok'
    assert record['result']['json']['data']['getTenantEnv']['envVars']['environment']['A'] == '1'
    assert emulator.token not in run.stdout


@pytest.mark.core_smoke
def test_collection_smoke(emulator, run_playbook, tenant_name):
    """Every module once (a loop and a task environment too), on both execution paths.

    The version matrix runs this on every supported ansible-core (``-m core_smoke``).
    """
    emulator.reset()
    run = run_playbook('collection_smoke.yml', extra_vars={'project': tenant_name}).assert_ok()
    assert run.stats['localhost']['failures'] == 0
    assert run.stats['localhost']['changed'] == 3
    assert emulator.find_tenant(tenant_name) is None
    operations = emulator.stats()['operations']
    assert operations.get('createTenant') == 1 and operations.get('deleteTenant') == 1
    assert operations.get('updateTenantEnv') == 1  # the loop changed nothing


def test_failed_task_is_recorded(run_playbook):
    """A failing task gives rc != 0 and a 'failed' record; the bad token is refused by the emulator."""
    run = run_playbook(
        """
        - hosts: localhost
          gather_facts: false
          tasks:
            - name: Query with a wrong token
              ansible.builtin.uri:
                url: "{{ lookup('ansible.builtin.env', 'HASURA_CLOUD_API_URL') }}"
                method: POST
                headers: {Authorization: pat wrong}
                body_format: json
                body: {query: "{ tenant { id } }"}
              register: answer
              failed_when: answer.json.errors is defined
        """)
    assert run.rc == 2
    assert run.status('Query with a wrong token') == 'failed'
    assert run.failed_tasks == ['Query with a wrong token']
    error = run.result('Query with a wrong token')['json']['errors'][0]
    assert (error['extensions']['code'], error['message']) == ('access-denied', 'Authentication hook unauthorized this request')


def test_emulator_side_channel_and_faults(emulator, tenant_name):
    """graphql() raises on errors; faults set by a test are undone afterwards; restart keeps state."""
    tenant_id = emulator.create_tenant(tenant_name)
    with pytest.raises(GraphQLCallError) as caught:
        emulator.create_tenant(tenant_name)
    assert caught.value.codes == ['constraint-violation']

    emulator.set_faults(latency_ms=1)
    assert emulator.faults()['latency_ms'] == 1
    emulator.restore_defaults()
    assert emulator.faults()['latency_ms'] == 0

    url = emulator.url
    emulator.restart()
    assert emulator.url == url
    assert emulator.get_tenant(tenant_id)['project']['name'] == tenant_name


def test_unique_names():
    """Names are valid project names, unique, and at most 63 characters."""
    names = {make_unique_name('test_a_very_long_test_name_' * 5 + '[param-1]') for dummy in range(20)}
    assert len(names) == 20
    assert all(len(name) <= 63 and name.startswith('it-a-very-long') for name in names)
    assert make_unique_name('test_x', 'DB').startswith('it-x-db-')
