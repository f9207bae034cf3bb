# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The release artifact: build the collection tarball, check what is in it, install it and use it.

Users never see the work tree: they get what ``ansible-galaxy collection build`` puts into
the tarball. These tests build it, check that it holds collection content only, install it
into an empty collections path and run playbooks against that installed copy (the
collections path points only there, so nothing can come from the work tree).
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from integration_harness import ROOT  # pylint: disable=import-error

VENV_BIN = Path(sys.executable).parent

# Top-level entries a release may contain. Anything else (a developer's editor folder, a
# virtual environment, test output ...) would ship to every user: build_ignore in galaxy.yml
# has to leave it out.
ALLOWED_TOP_LEVEL = {
    'FILES.json', 'MANIFEST.json', 'LICENSE', 'LICENSES', 'REUSE.toml', 'README.md', 'CHANGELOG.md', 'CHANGELOG.rst',
    'changelogs', 'docs', 'meta', 'plugins', 'roles', 'requirements.txt', 'execution-environment.yml',
}
# Never in a release, wherever they are.
FORBIDDEN_PARTS = {
    'tests', 'emulator', '.ci', 'Makefile', 'scripts', 'demo', '.venv', 'venv', 'build', '.git', '.github',
    '__pycache__', '.pytest_cache', '.ansible', 'pytest.ini', 'constraints.txt', 'requirements-dev.txt',
    'CONTRIBUTING.md', '.ansible-lint', '.gitignore', '.plugin-cache.yaml', 'noxfile.py', 'antsibull-nox.toml', '.nox',
}
REQUIRED_FILES = {
    'plugins/modules/hasura_tenant.py', 'plugins/modules/hasura_tenant_info.py',
    'plugins/modules/hasura_tenant_env.py', 'plugins/modules/hasura_tenant_env_info.py',
    'plugins/modules/hasura_custom_domain.py', 'plugins/modules/hasura_region_info.py',
    'plugins/module_utils/_domain.py', 'plugins/module_utils/_region.py',
    'plugins/inventory/projects.py', 'plugins/doc_fragments/hasura_cloud.py',
    'plugins/module_utils/_client.py', 'meta/runtime.yml', 'meta/execution-environment.yml',
    'roles/project/tasks/main.yml', 'roles/project/meta/argument_specs.yml', 'roles/project/README.md',
    'docs/awx/credential-type-inputs.yml', 'docs/awx/credential-type-injectors.yml',
    'requirements.txt', 'README.md', 'LICENSE', 'LICENSES/GPL-3.0-or-later.txt', 'REUSE.toml',
}

TENANT_PLAYBOOK = """
- name: Tenant lifecycle with the installed collection
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Create
      hasura.cloud.hasura_tenant:
        name: "{{ name }}"
        cloud: aws
        region: us-east-2
      register: created

    - name: Create again
      hasura.cloud.hasura_tenant:
        name: "{{ name }}"
        cloud: aws
        region: us-east-2

    - name: Read
      hasura.cloud.hasura_tenant_info:
        name: "{{ name }}"

    - name: Delete
      hasura.cloud.hasura_tenant:
        name: "{{ name }}"
        state: absent

    - name: Delete again
      hasura.cloud.hasura_tenant:
        name: "{{ name }}"
        state: absent
"""

ENV_PLAYBOOK = """
- name: Env management with the installed collection
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Project with the role
      ansible.builtin.include_role:
        name: hasura.cloud.project
      vars:
        hasura_project_name: "{{ name }}"
        hasura_project_cloud: gcp
        hasura_project_region: europe-west1
        hasura_project_env: {A: "1", B: "2"}

    - name: Set env
      hasura.cloud.hasura_tenant_env:
        tenant_name: "{{ name }}"
        env: {A: "1", C: "3"}

    - name: Set env again
      hasura.cloud.hasura_tenant_env:
        tenant_name: "{{ name }}"
        env: {A: "1", C: "3"}

    - name: Purge
      hasura.cloud.hasura_tenant_env:
        tenant_id: "{{ hasura_project.id }}"
        env: {A: "1"}
        purge: true

    - name: Read env
      hasura.cloud.hasura_tenant_env_info:
        tenant_id: "{{ hasura_project.id }}"

    - name: Remove the project
      hasura.cloud.hasura_tenant:
        tenant_id: "{{ hasura_project.id }}"
        state: absent
"""


# printf-style placeholders in the plugins' message templates.
PLACEHOLDER = re.compile(r'%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrfi]')
# Format strings that are not messages: GraphQL documents, headers, glue.
NOT_A_MESSAGE = re.compile(r'\b(query|mutation)\b|[{}]|^pat %s$|ansible/%s$')
SHORTEST_CHECKED = 12


def plugin_messages():
    """``(file, line, template)`` of every message the plugins can produce.

    Found in the source: ``'...' % ...`` format strings, constant ``msg=`` arguments, constants
    returned by the ``*_problem`` validators and ``*_MESSAGE`` constants.
    """
    found = []
    for path in sorted((ROOT / 'plugins').rglob('*.py')):
        if 'doc_fragments' in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding='utf-8'))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            text = None
            if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod)
                    and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str)):
                text = node.left.value
            elif isinstance(node, ast.keyword) and node.arg == 'msg' and isinstance(node.value, ast.Constant):
                text = node.value.value
            elif isinstance(node, ast.Return) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                function = node
                while function in parents and not isinstance(function, ast.FunctionDef):
                    function = parents[function]
                if isinstance(function, ast.FunctionDef) and function.name.endswith('problem'):
                    text = node.value.value
            elif (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                  and any(isinstance(target, ast.Name) and target.id.endswith('_MESSAGE') for target in node.targets)):
                text = node.value.value
            if isinstance(text, str) and not NOT_A_MESSAGE.search(text):
                found.append((path.relative_to(ROOT), node.lineno if hasattr(node, 'lineno') else 0, text))
    return found


def test_troubleshooting_lists_every_message():
    """docs/troubleshooting.md quotes every message the plugins can produce (its longest fixed part)."""
    doc = (ROOT / 'docs' / 'troubleshooting.md').read_text(encoding='utf-8').replace('\\|', '|')
    messages = plugin_messages()
    assert len(messages) > 30, messages
    missing = []
    for path, line, template in messages:
        fixed = max((part.strip(' .;:,()') for part in PLACEHOLDER.split(template)), key=len)
        if len(fixed) >= SHORTEST_CHECKED and fixed not in doc:
            missing.append('%s:%s: %s' % (path, line, template))
    assert missing == [], 'add these messages to docs/troubleshooting.md:\n' + '\n'.join(missing)


def run(command, env=None, cwd=None):
    """Run a command from the virtual environment; return the CompletedProcess (text)."""
    environ = dict(os.environ)
    environ.update(env or {})
    return subprocess.run(command, cwd=cwd, env=environ, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope='module')
def release(tmp_path_factory):
    """Build the collection from the work tree and install the tarball into an empty collections path."""
    base = tmp_path_factory.mktemp('release')
    output = base / 'dist'
    built = run([str(VENV_BIN / 'ansible-galaxy'), 'collection', 'build', '--output-path', str(output), str(ROOT)],
                cwd=base)
    assert built.returncode == 0, built.stdout + built.stderr
    tarballs = list(output.glob('hasura-cloud-*.tar.gz'))
    assert len(tarballs) == 1, tarballs

    collections = base / 'collections'
    installed = run([str(VENV_BIN / 'ansible-galaxy'), 'collection', 'install', '--offline', str(tarballs[0]),
                     '-p', str(collections)],
                    env={'ANSIBLE_COLLECTIONS_PATH': str(collections)}, cwd=base)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    copy = collections / 'ansible_collections' / 'hasura' / 'cloud'
    assert copy.is_dir() and not copy.is_symlink()
    return {'tarball': tarballs[0], 'collections': collections, 'copy': copy}


def tarball_names(tarball: Path) -> list[str]:
    with tarfile.open(tarball) as archive:
        return [name[2:] if name.startswith('./') else name for name in archive.getnames()]


def test_tarball_holds_collection_content_only(release):
    """No tests, emulator, toolchain, virtual environment or build output in the artifact."""
    names = tarball_names(release['tarball'])
    files = set(names)
    stray_top = sorted({name.split('/')[0] for name in names} - ALLOWED_TOP_LEVEL)
    assert stray_top == [], 'not collection content (add to build_ignore in galaxy.yml): %s' % stray_top
    forbidden = sorted(name for name in names if FORBIDDEN_PARTS & set(name.split('/')))
    assert forbidden == [], forbidden
    assert not [name for name in names if name.endswith(('.pyc', '.tar.gz', '.retry', '.swp', '.log'))]
    assert REQUIRED_FILES <= files, sorted(REQUIRED_FILES - files)

    manifest = json.loads((release['copy'] / 'MANIFEST.json').read_text(encoding='utf-8'))
    info = manifest['collection_info']
    assert (info['namespace'], info['name']) == ('hasura', 'cloud')
    assert info['version']


def test_installed_copy_is_the_one_used(release):
    """With ANSIBLE_COLLECTIONS_PATH at the temporary path, Ansible finds the installed copy, docs included."""
    env = {'ANSIBLE_COLLECTIONS_PATH': str(release['collections'])}
    listed = run([str(VENV_BIN / 'ansible-galaxy'), 'collection', 'list', 'hasura.cloud', '--format', 'json'],
                 env=env, cwd=release['collections'])
    assert listed.returncode == 0, listed.stderr
    paths = json.loads(listed.stdout)
    assert list(paths) == [str(release['collections'] / 'ansible_collections')], paths

    for plugin_type, plugin in (('module', 'hasura.cloud.hasura_tenant_env'), ('module', 'hasura.cloud.hasura_tenant'),
                                ('module', 'hasura.cloud.hasura_tenant_info'),
                                ('module', 'hasura.cloud.hasura_tenant_env_info'),
                                ('inventory', 'hasura.cloud.projects'), ('role', 'hasura.cloud.project')):
        doc = run([str(VENV_BIN / 'ansible-doc'), '-t', plugin_type, '--json', plugin], env=env,
                  cwd=release['collections'])
        assert doc.returncode == 0, doc.stdout + doc.stderr
        data = json.loads(doc.stdout)
        assert data, plugin
        if plugin_type != 'role':
            entry = data[plugin]
            assert entry['doc']['filename'].startswith(str(release['copy'])), entry['doc']['filename']
            assert entry['doc']['description'] and entry['doc']['options']


def test_installed_copy_runs_the_tenant_playbook(emulator, run_playbook, tenant_name, release):
    """Create, re-create (no change), read and delete a project with the installed modules."""
    run = run_playbook(TENANT_PLAYBOOK, extra_vars={'name': tenant_name},
                       env={'ANSIBLE_COLLECTIONS_PATH': str(release['collections'])}).assert_ok()
    assert run.changed('Create')
    assert not run.changed('Create again')
    assert [tenant['name'] for tenant in run.result('Read')['tenants']] == [tenant_name]
    assert run.changed('Delete')
    assert not run.changed('Delete again')
    assert emulator.find_tenant(tenant_name) is None


def test_installed_copy_runs_the_env_playbook(emulator, run_playbook, tenant_name, release):
    """The role, merge, idempotence, purge and read-back with the installed copy."""
    run = run_playbook(ENV_PLAYBOOK, extra_vars={'name': tenant_name},
                       env={'ANSIBLE_COLLECTIONS_PATH': str(release['collections'])}).assert_ok()
    assert run.changed('Set env')
    assert run.result('Set env')['added'] == ['C']
    assert not run.changed('Set env again')
    assert run.result('Purge')['removed'] == ['B', 'C']
    assert run.result('Read env')['env']['A'] == '1'
    assert run.changed('Remove the project')
    assert emulator.find_tenant(tenant_name) is None
