# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role hasura.cloud.project, run by ansible-playbook against the emulator."""

from __future__ import annotations

import json

import pytest

from integration_harness import ANSIBLE_CORE, ROOT  # pylint: disable=import-error

ROLE_PLAY = """
- name: Apply the project role
  hosts: localhost
  gather_facts: false
  roles:
    - role: hasura.cloud.project
      vars:
        hasura_project_name: "{{ name }}"
        hasura_project_cloud: aws
        hasura_project_region: us-east-2
        hasura_project_env: "{{ project_env | default({}) }}"
        hasura_project_purge: "{{ project_purge | default(false) }}"
        hasura_project_state: "{{ project_state | default('present') }}"
  tasks:
    - name: Show the fact
      ansible.builtin.debug:
        var: hasura_project
"""

READ_BACK_PLAY = """
- name: Read the env back with the info module
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Read env
      hasura.cloud.hasura_tenant_env_info:
        tenant_id: "{{ tenant_id }}"
"""

TENANT_ACTION = 'hasura.cloud.hasura_tenant'
ENV_ACTION = 'hasura.cloud.hasura_tenant_env'

# Every test of the role runs on both execution paths and their results are compared (differential.py).
pytestmark = pytest.mark.both_paths


def action_records(run, action):
    """The recorded results of the tasks that ran ``action``."""
    return [rec for rec in run.results if rec['action'] == action]


def fact(run):
    """The value of hasura_project as shown by the debug task."""
    return run.result('Show the fact')['hasura_project']


def test_role_creates_then_changes_nothing(emulator, run_playbook, tenant_name):
    """First run creates the project with its env in the same request; the second run reports no change at all."""
    env = {'FEATURE_X': 'on', 'WORKERS': 4, 'DEBUG': False}
    emulator.reset()
    first = run_playbook(ROLE_PLAY, extra_vars={'name': tenant_name, 'project_env': env}).assert_ok()
    assert action_records(first, TENANT_ACTION)[0]['changed']
    # The env came with createTenant (initial_env): the env task finds it as asked.
    env_record = action_records(first, ENV_ACTION)[0]
    assert not env_record['changed']
    assert env_record['result']['unchanged'] == ['DEBUG', 'FEATURE_X', 'WORKERS']
    # Requests: look-up, listing, createTenant, and the env task's one read (env and endpoint together).
    stats = emulator.stats()
    assert stats['requests'] == 4 and stats['mutations'] == 1, stats
    assert stats['operations'] == {'projects': 2, 'createTenant': 1, 'getTenantEnv': 1, 'tenant_by_pk': 1}

    project = fact(first)
    tenant = emulator.find_tenant(tenant_name)
    assert project['id'] == tenant['id']
    assert project['name'] == tenant_name
    assert project['cloud'] == 'aws' and project['region'] == 'us-east-2'
    assert project['endpoint'] == tenant['project']['endpoint']
    assert set(project) == {'id', 'name', 'slug', 'cloud', 'region', 'plan', 'project_id', 'endpoint'}
    assert emulator.app_env(tenant['id']) == {'FEATURE_X': 'on', 'WORKERS': '4', 'DEBUG': 'false'}

    emulator.reset()
    second = run_playbook(ROLE_PLAY, extra_vars={'name': tenant_name, 'project_env': env}).assert_ok()
    assert second.stats['localhost']['changed'] == 0, second.output()
    assert fact(second) == project
    assert emulator.stats()['mutations'] == 0


def test_role_env_read_back_with_info_module(emulator, run_playbook, tenant_name):
    """The env the role applied is what hasura_tenant_env_info reads; the hash matches the role's result."""
    run = run_playbook(ROLE_PLAY, extra_vars={'name': tenant_name,
                                              'project_env': {'A': '1', 'B': 'two'}}).assert_ok()
    applied = action_records(run, ENV_ACTION)[0]['result']
    tenant_id = fact(run)['id']

    read = run_playbook(READ_BACK_PLAY, extra_vars={'tenant_id': tenant_id}).assert_ok()
    info = read.result('Read env')
    # Hasura Cloud gave the new project an admin secret; the rest is what the role applied.
    assert info['env'].pop('HASURA_GRAPHQL_ADMIN_SECRET')
    assert info['env'] == {'A': '1', 'B': 'two'}
    assert info['names'] == ['A', 'B', 'HASURA_GRAPHQL_ADMIN_SECRET']
    assert info['hash'] == applied['hash']
    assert not read.changed('Read env')


def test_role_purge_keeps_excluded_keys(emulator, run_playbook, tenant_name):
    """purge removes keys the role does not list, except HASURA_GRAPHQL_*; merging (the default) keeps them."""
    tenant_id = emulator.create_tenant(tenant_name, env={'OLD': 'x', 'HASURA_GRAPHQL_ADMIN_SECRET': 's'})

    merged = run_playbook(ROLE_PLAY, extra_vars={'name': tenant_name, 'project_env': {'NEW': 'y'}}).assert_ok()
    assert action_records(merged, TENANT_ACTION)[0]['changed'] is False
    assert emulator.get_env(tenant_id)[1] == {'OLD': 'x', 'HASURA_GRAPHQL_ADMIN_SECRET': 's', 'NEW': 'y'}

    purged = run_playbook(ROLE_PLAY, extra_vars={'name': tenant_name, 'project_env': {'NEW': 'y'},
                                                 'project_purge': True}).assert_ok()
    assert action_records(purged, ENV_ACTION)[0]['result']['removed'] == ['OLD']
    assert emulator.get_env(tenant_id)[1] == {'HASURA_GRAPHQL_ADMIN_SECRET': 's', 'NEW': 'y'}


def test_role_without_env_skips_env_task(emulator, run_playbook, tenant_name):
    """No env and no purge: the env task is skipped and the env is not even read."""
    emulator.reset()
    run = run_playbook(ROLE_PLAY, extra_vars={'name': tenant_name}).assert_ok()
    assert action_records(run, ENV_ACTION)[0]['status'] == 'skipped'
    assert 'getTenantEnv' not in emulator.stats()['operations']
    assert fact(run)['name'] == tenant_name


def test_role_check_mode_creates_nothing(emulator, run_playbook, tenant_name):
    """In check mode a new project is reported as a change, nothing is sent, and the env step is skipped."""
    emulator.reset()
    run = run_playbook(ROLE_PLAY, extra_vars={'name': tenant_name, 'project_env': {'A': '1'}},
                       check=True, diff=True).assert_ok()
    assert action_records(run, TENANT_ACTION)[0]['changed']
    assert action_records(run, ENV_ACTION)[0]['status'] == 'skipped'
    assert emulator.stats()['mutations'] == 0
    assert emulator.find_tenant(tenant_name) is None


def test_role_check_mode_diff_hides_values(emulator, run_playbook, tenant_name):
    """On an existing project, --check --diff reports the env change with values redacted."""
    tenant_id = emulator.create_tenant(tenant_name, env={'A': 'old-secret-value'})
    env_hash = emulator.get_env(tenant_id)[0]
    run = run_playbook(ROLE_PLAY, extra_vars={'name': tenant_name, 'project_env': {'A': 'new-secret-value'}},
                       check=True, diff=True).assert_ok()
    record = action_records(run, ENV_ACTION)[0]
    assert record['changed']
    assert record['result']['updated'] == ['A']
    assert 'old-secret-value' not in run.stdout and 'new-secret-value' not in run.stdout
    assert '<hidden' in run.stdout
    assert emulator.get_env(tenant_id)[0] == env_hash and emulator.app_env(tenant_id) == {'A': 'old-secret-value'}


def test_role_absent_deletes_and_is_idempotent(emulator, run_playbook, tenant_name):
    """state=absent deletes the project and sets hasura_project to {}; a second run changes nothing."""
    emulator.create_tenant(tenant_name, env={'A': '1'})
    first = run_playbook(ROLE_PLAY, extra_vars={'name': tenant_name, 'project_state': 'absent',
                                                'project_env': {'A': '1'}}).assert_ok()
    assert action_records(first, TENANT_ACTION)[0]['changed']
    assert action_records(first, ENV_ACTION)[0]['status'] == 'skipped'
    assert fact(first) == {}
    assert emulator.find_tenant(tenant_name) is None

    second = run_playbook(ROLE_PLAY, extra_vars={'name': tenant_name, 'project_state': 'absent'}).assert_ok()
    assert second.stats['localhost']['changed'] == 0
    assert fact(second) == {}


def test_role_connection_from_module_defaults(emulator, run_playbook, tenant_name):
    """With no HASURA_CLOUD_* variables, module_defaults for the action group configure the role's modules."""
    play = """
    - name: Role configured through module_defaults
      hosts: localhost
      gather_facts: false
      module_defaults:
        group/hasura.cloud.hasura_cloud:
          api_token: "{{ token }}"
          api_url: "{{ url }}"
      roles:
        - role: hasura.cloud.project
          vars:
            hasura_project_name: "{{ name }}"
            hasura_project_cloud: gcp
            hasura_project_region: europe-west1
            hasura_project_env: {A: "1"}
    """
    run = run_playbook(play, extra_vars={'name': tenant_name, 'token': emulator.token, 'url': emulator.url},
                       env={'HASURA_CLOUD_PAT': None, 'HASURA_CLOUD_API_URL': None}).assert_ok()
    assert run.stats['localhost']['changed'] == 1  # created with its env: one change
    assert emulator.app_env(emulator.find_tenant(tenant_name)['id']) == {'A': '1'}
    assert emulator.find_tenant(tenant_name)['cloud'] == 'gcp'
    assert emulator.token not in run.stdout


def test_role_rejects_missing_name(emulator, run_playbook):
    """The argument spec refuses a play without hasura_project_name before any request."""
    emulator.reset()
    run = run_playbook("""
    - name: Role without a name
      hosts: localhost
      gather_facts: false
      roles:
        - role: hasura.cloud.project
          vars:
            hasura_project_cloud: aws
            hasura_project_region: us-east-2
    """)
    assert run.rc != 0
    failed = [rec for rec in run.results if rec['failed']]
    assert len(failed) == 1
    assert failed[0]['action'] == 'ansible.builtin.validate_argument_spec'
    assert 'missing required arguments: hasura_project_name' in failed[0]['result']['msg']
    assert emulator.stats()['requests'] == 0


def test_role_rejects_wrong_types_and_null_name(emulator, run_playbook):
    """Wrong variable types are named by the argument spec; a null name gets a clear message too."""
    emulator.reset()
    bad_types = run_playbook(ROLE_PLAY, extra_vars={'name': 'x', 'project_env': ['A=1'],
                                                    'project_state': 'gone'})
    assert bad_types.rc != 0
    message = [rec for rec in bad_types.results if rec['failed']][0]['result']['msg']
    assert 'hasura_project_env' in message and 'hasura_project_state' in message

    null_name = run_playbook(ROLE_PLAY, extra_vars={'name': None})
    assert null_name.rc != 0
    message = [rec for rec in null_name.results if rec['failed']][0]['result']['msg']
    if ANSIBLE_CORE < (2, 19):
        # Before 2.19 the role's argument validation refuses a null str itself, before the role's check.
        assert "argument 'hasura_project_name' is of type <class 'NoneType'>" in message, message
    else:
        assert message == 'hasura_project_name must be the name of the project, got %s' % json.dumps(None)
    assert emulator.stats()['requests'] == 0


def test_demo_tour(emulator, run_playbook, tenant_name):
    """demo/demo.yml (the README's `make demo`, built on the role) runs clean, hides its secret, leaves nothing."""
    demo = ROOT / 'demo' / 'demo.yml'
    run = run_playbook(str(demo), extra_vars={'demo_project': tenant_name}, timeout=600).assert_ok()
    assert 'sk-demo-not-a-real-key' not in run.stdout + run.stderr
    assert '<hidden, changed>' in run.stdout
    assert not run.changed('The same env through the module directly')
    assert run.changed('Apply the change')
    assert run.result('What changed')['msg'][0] == "added ['PAYMENT_API_KEY'], updated ['APP_GREETING']"
    assert emulator.find_tenant(tenant_name) is None


def test_role_ends_with_a_healthy_project_after_an_env_change(emulator, run_playbook, tenant_name):
    """An env change restarts the engine (503 for restart_delay): the role waits, so the project serves at its end."""
    tenant_id = emulator.create_tenant(tenant_name, env={'A': '1'})
    emulator.set_faults(restart_delay=2.5)
    run = run_playbook(ROLE_PLAY, extra_vars={'name': tenant_name, 'project_env': {'A': '2'}}).assert_ok()
    assert action_records(run, ENV_ACTION)[0]['changed']
    endpoint = fact(run)['endpoint']
    status, _body = emulator.request('GET', endpoint[len(emulator.base):] + '/healthz')
    assert status == 200  # healthy when the role ended, though the restart took 2.5 s
    assert emulator.app_env(tenant_id) == {'A': '2'}

    again = run_playbook(ROLE_PLAY, extra_vars={'name': tenant_name, 'project_env': {'A': '2'}}).assert_ok()
    assert again.stats['localhost']['changed'] == 0, again.output()


def test_role_env_change_wait_timeout_names_the_tenant(emulator, run_playbook, tenant_name):
    """A restart longer than the wait fails the env task with the tenant id; the change is kept."""
    tenant_id = emulator.create_tenant(tenant_name, env={'A': '1'})
    emulator.set_faults(restart_delay=60)
    play = ROLE_PLAY.replace('hasura_project_state:', 'hasura_project_wait_timeout: 1\n        hasura_project_state:')
    run = run_playbook(play, extra_vars={'name': tenant_name, 'project_env': {'A': '2'}})
    assert run.rc != 0
    record = action_records(run, ENV_ACTION)[0]
    assert record['failed'] and tenant_id in record['result']['msg']
    assert 'after its environment changed (the change is kept)' in record['result']['msg']
    assert emulator.app_env(tenant_id) == {'A': '2'}


def test_role_under_the_real_services_quirks(emulator, run_playbook, tenant_name):
    """Name ignored at creation and envVars served flat, both at once: the role still ends as asked."""
    emulator.set_faults(ignore_create_name=True, flat_env_vars=True)
    env = {'FEATURE_X': 'on', 'WORKERS': 4}
    first = run_playbook(ROLE_PLAY, extra_vars={'name': tenant_name, 'project_env': env}).assert_ok()
    project = fact(first)
    assert project['name'] == tenant_name and project['slug'] == tenant_name
    assert not action_records(first, ENV_ACTION)[0]['changed']  # created with its env
    changed = run_playbook(ROLE_PLAY, extra_vars={'name': tenant_name, 'project_env': dict(env, WORKERS=8)}).assert_ok()
    assert action_records(changed, ENV_ACTION)[0]['result']['updated'] == ['WORKERS']
    again = run_playbook(ROLE_PLAY, extra_vars={'name': tenant_name, 'project_env': dict(env, WORKERS=8)})
    assert again.assert_ok().stats['localhost']['changed'] == 0, again.output()
    emulator.set_faults(flat_env_vars=False)
    assert emulator.app_env(project['id']) == {'FEATURE_X': 'on', 'WORKERS': '8'}


DOMAIN_ACTION = 'hasura.cloud.hasura_custom_domain'

DOMAIN_ROLE_PLAY = """
- name: Apply the project role with a custom domain
  hosts: localhost
  gather_facts: false
  roles:
    - role: hasura.cloud.project
      vars:
        hasura_project_name: "{{ name }}"
        hasura_project_cloud: aws
        hasura_project_region: us-east-2
        hasura_project_env: {A: "1"}
        hasura_project_custom_domain: "{{ domain }}"
        hasura_project_custom_domain_wait: "{{ domain_wait | default(false) }}"
        hasura_project_state: "{{ project_state | default('present') }}"
  tasks:
    - name: Show the domain fact
      ansible.builtin.debug:
        var: hasura_project_domain
"""


def test_role_adds_the_custom_domain_after_the_env_then_changes_nothing(emulator, run_playbook, tenant_name):
    """The domain is ensured after the env; the fact holds the record to create; a second run is a no-op."""
    emulator.set_faults(dns_delay=3600)
    domain = 'api.%s.example.com' % tenant_name
    first = run_playbook(DOMAIN_ROLE_PLAY, extra_vars={'name': tenant_name, 'domain': domain}).assert_ok()
    actions = [rec['action'] for rec in first.results
               if rec['action'].startswith('hasura.cloud.') and rec['status'] != 'skipped']
    assert actions == [TENANT_ACTION, ENV_ACTION, DOMAIN_ACTION]
    assert action_records(first, DOMAIN_ACTION)[0]['changed']
    tenant_id = emulator.find_tenant(tenant_name)['id']
    assert [stored['fqdn'] for stored in emulator.domains(tenant_id)] == [domain]
    shown = first.result('Show the domain fact')['hasura_project_domain']
    assert shown['dns_record'] == {'type': 'CNAME', 'name': domain, 'value': '%s.hasura.app' % tenant_name}
    assert shown['domain']['dns_validation'] == 'pending' and 'CNAME' in shown['next_step']
    assert first.printed('[WARNING]: custom domain %s' % domain), first.output()

    emulator.reset()
    second = run_playbook(DOMAIN_ROLE_PLAY, extra_vars={'name': tenant_name, 'domain': domain}).assert_ok()
    assert second.stats['localhost']['changed'] == 0, second.output()
    assert emulator.stats()['mutations'] == 0
    assert action_records(second, DOMAIN_ACTION)[0]['result']['domain']['id'] == shown['domain']['id']


def test_role_waits_for_the_custom_domain_when_asked(emulator, run_playbook, tenant_name):
    emulator.set_faults(dns_delay=2)
    domain = 'api.%s.example.com' % tenant_name
    run = run_playbook(DOMAIN_ROLE_PLAY, extra_vars={'name': tenant_name, 'domain': domain,
                                                     'domain_wait': True}).assert_ok()
    shown = run.result('Show the domain fact')['hasura_project_domain']
    assert shown['domain']['dns_validation'] == 'succeeded' and shown['next_step'] is None


def test_role_without_a_custom_domain_skips_it_and_check_mode_skips_it_for_a_new_project(
        emulator, run_playbook, unique_name):
    name, other = unique_name(), unique_name('new')
    skipped = run_playbook(DOMAIN_ROLE_PLAY, extra_vars={'name': name, 'domain': ''}).assert_ok()
    assert action_records(skipped, DOMAIN_ACTION)[0]['status'] == 'skipped'
    assert skipped.result('Show the domain fact')['hasura_project_domain'] == {}

    emulator.reset()
    checked = run_playbook(DOMAIN_ROLE_PLAY, extra_vars={'name': other, 'domain': 'api.%s.example.com' % other},
                           check=True).assert_ok()
    assert action_records(checked, DOMAIN_ACTION)[0]['status'] == 'skipped'
    assert emulator.stats()['mutations'] == 0


def test_role_absent_removes_the_project_and_its_domains(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name)
    domain = 'api.%s.example.com' % tenant_name
    emulator.add_domain(tenant_id, domain)
    run = run_playbook(DOMAIN_ROLE_PLAY, extra_vars={'name': tenant_name, 'domain': domain,
                                                     'project_state': 'absent'}).assert_ok()
    assert action_records(run, DOMAIN_ACTION)[0]['status'] == 'skipped'
    # The name is free again: another project may take it.
    assert emulator.graphql('query ($f: String!) { custom_domain(where: {fqdn: {_eq: $f}}) { id } }',
                            {'f': domain})['custom_domain'] == []
