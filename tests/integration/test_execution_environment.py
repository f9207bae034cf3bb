# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The execution environment definition, with ansible-builder itself.

``execution-environment.yml`` is turned into a build context by ``ansible-builder create``
(no container engine needed), installing the collection from the tarball built from this
work tree, as its comments describe. The dependency introspection that the image build
runs is run here on that tarball's installed copy: the collection's one list of Python
requirements (meta/execution-environment.yml -> requirements.txt) must come in, and
``requests`` exactly once.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def run(command, cwd, **env):
    return subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False, env=dict(os.environ, ANSIBLE_NOCOLOR='1', **env))


@pytest.fixture(scope='module')
def tarball(tmp_path_factory):
    """The release tarball, built from the work tree."""
    output = tmp_path_factory.mktemp('ee-dist')
    built = run([VENV_BIN / 'ansible-galaxy', 'collection', 'build', '--output-path', output, ROOT], cwd=output)
    assert built.returncode == 0, built.stdout + built.stderr
    (found,) = output.glob('hasura-cloud-*.tar.gz')
    return found


def definition_for(tarball: Path, directory: Path) -> Path:
    """execution-environment.yml, edited as its comments say to install from a tarball."""
    definition = yaml.safe_load((ROOT / 'execution-environment.yml').read_text(encoding='utf-8'))
    (directory / tarball.name).write_bytes(tarball.read_bytes())
    definition['dependencies']['galaxy'] = {'collections': [{'name': '/build/collections/' + tarball.name, 'type': 'file'}]}
    definition['additional_build_files'] = [{'src': tarball.name, 'dest': 'collections'}]
    path = directory / 'execution-environment.yml'
    path.write_text(yaml.safe_dump(definition, sort_keys=False), encoding='utf-8')
    return path


def test_base_image_is_pinned():
    definition = yaml.safe_load((ROOT / 'execution-environment.yml').read_text(encoding='utf-8'))
    assert definition['version'] == 3
    image = definition['images']['base_image']['name']
    # A release tag or a digest, never a moving tag.
    assert re.search(r'(:[0-9][0-9A-Za-z._-]*|@sha256:[0-9a-f]{64})$', image), image
    assert not image.endswith((':latest', ':devel'))


def test_ansible_builder_create(tarball, tmp_path):
    definition = definition_for(tarball, tmp_path)
    context = tmp_path / 'context'
    created = run([VENV_BIN / 'ansible-builder', 'create', '-f', definition, '--context', context,
                   '--output-filename', 'Containerfile'], cwd=tmp_path)
    assert created.returncode == 0, created.stdout + created.stderr
    containerfile = (context / 'Containerfile').read_text(encoding='utf-8')
    assert 'FROM quay.io/ansible/awx-ee:' in containerfile or 'ARG EE_BASE_IMAGE=' in containerfile
    assert (context / '_build' / 'collections' / tarball.name).is_file()
    requirements = yaml.safe_load((context / '_build' / 'requirements.yml').read_text(encoding='utf-8'))
    assert requirements['collections'] == [{'name': '/build/collections/' + tarball.name, 'type': 'file'}]
    # No Python requirements of the definition's own: the collection brings requests.
    assert not (context / '_build' / 'requirements.txt').exists()


def test_introspection_brings_requests_once(tarball, tmp_path):
    collections = tmp_path / 'collections'
    # Only this path: `make` points ANSIBLE_COLLECTIONS_PATH at the work tree, which
    # ansible-galaxy would take for an installed copy and skip the install.
    installed = run([VENV_BIN / 'ansible-galaxy', 'collection', 'install', '--offline', '-p', collections, tarball],
                    cwd=tmp_path, ANSIBLE_COLLECTIONS_PATH=str(collections))
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (collections / 'ansible_collections' / 'hasura' / 'cloud' / 'MANIFEST.json').is_file(), installed.stdout
    assert not (collections / 'ansible_collections' / 'hasura' / 'cloud' / 'meta' / 'ee-requirements.txt').exists()

    written = tmp_path / 'requirements.txt'
    # As the image build does: the collections' lists, sanitized and merged.
    command = [VENV_BIN / 'ansible-builder', 'introspect', '--write-pip', written, collections]
    introspected = run(command, cwd=tmp_path)
    assert introspected.returncode == 0, introspected.stdout + introspected.stderr
    lines = [line for line in written.read_text(encoding='utf-8').splitlines() if line.strip() and not line.startswith('#')]
    requests_lines = [line for line in lines if re.match(r'^requests\b', line)]
    assert len(requests_lines) == 1, lines
    assert 'from collection hasura.cloud' in requests_lines[0]
    # The same requirement as the collection's one list.
    wanted = [line.strip() for line in (ROOT / 'requirements.txt').read_text(encoding='utf-8').splitlines()
              if line.strip() and not line.startswith('#')]
    assert requests_lines[0].split('#')[0].strip() in wanted
