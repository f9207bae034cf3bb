# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run ``ansible-test sanity`` on a copy of the collection (``make sanity``).

ansible-test wants the collection at ``.../ansible_collections/<namespace>/<name>``, so this:

1. copies the files git knows about (tracked, plus untracked ones that are not ignored:
   ``git ls-files -co --exclude-standard``) into a fresh
   ``build/sanity-<core minor>/ansible_collections/hasura/cloud`` and makes it a git work
   tree of its own (ansible-test lists files with git; through the outer repository, which
   ignores build/, it would see none);
2. installs the offline get-pip stand-in (scripts/ansible_test_get_pip.py) as
   ``~/.ansible/test/cache/get_pip_<pip version>.py`` for the pip version of every
   supported ansible-core (``PIP_BOOTSTRAP_VERSIONS``) and for the one the running
   ansible-test asks for, unless a real bootstrap script is already cached there;
3. runs ``ansible-test sanity --python <this Python> --venv --requirements`` there (every
   test, no ignore file), passing on any extra arguments, e.g. ``--test pylint``.

The ansible-core under test is the one installed beside the Python running this script:
``.venv/bin/python scripts/sanity.py`` for the newest supported core (``make sanity``),
``build/matrix/2.16/bin/python scripts/sanity.py`` for the oldest (``make sanity-oldest``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STAND_IN = os.path.join(ROOT, 'scripts', 'ansible_test_get_pip.py')
STAND_IN_MARKER = b'hasura.cloud stand-in for get-pip'
PYTHON_VERSION = '%d.%d' % sys.version_info[:2]

# The pip version each supported ansible-core's ansible-test bootstraps into its virtual
# environments (``get_venv_packages`` in ``ansible_test/_internal/python_requirements.py``).
# A core that asks for another one still gets the stand-in (read at run time), with a note
# to add it here.
PIP_BOOTSTRAP_VERSIONS = {
    '2.16': '23.1.2',
    '2.17': '23.1.2',
    '2.18': '24.2',
    '2.19': '24.2',
    '2.20': '25.2',
    '2.21': '25.2',
}


def core_minor() -> str:
    """The minor version of the ansible-core installed beside this Python."""
    from ansible.release import __version__  # pylint: disable=import-outside-toplevel
    return '.'.join(__version__.split('.')[:2])


DEST = os.path.join(ROOT, 'build', 'sanity-%s' % core_minor(), 'ansible_collections', 'hasura', 'cloud')


def copy_collection() -> int:
    """Copy the tracked and untracked-not-ignored files into a fresh DEST."""
    listing = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard', '-z'],
                             cwd=ROOT, check=True, stdout=subprocess.PIPE).stdout
    if os.path.lexists(DEST):
        shutil.rmtree(DEST)
    count = 0
    for name in sorted(set(listing.decode('utf-8').split('\0'))):
        source = os.path.join(ROOT, name)
        if not name or not os.path.lexists(source):  # deleted in the work tree, not yet in git
            continue
        target = os.path.join(DEST, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
        count += 1
    # ansible-test lists a collection's files through the nearest enclosing git work tree.
    # Without one of its own, the copy would be seen through the repository's, where build/
    # is ignored, and every test would be skipped ("All targets skipped").
    subprocess.run(['git', 'init', '--quiet', DEST], check=True)
    return count


def ansible_test_pip_version() -> str:
    """Return the pip version ansible-test bootstraps into its virtual environments."""
    try:
        from ansible_test._internal.python_requirements import get_venv_packages  # pylint: disable=import-outside-toplevel
        return get_venv_packages(types.SimpleNamespace(version=PYTHON_VERSION))['pip']
    except (ImportError, AttributeError, KeyError, TypeError):
        # Fall back to reading the source: default_packages = dict(pip='24.2', ...)
        import ansible_test  # pylint: disable=import-outside-toplevel
        path = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
        with open(path, encoding='utf-8') as source:
            match = re.search(r"\bpip='([0-9][0-9.]*)'", source.read())
        if not match:
            raise SystemExit('sanity: cannot find the pip version ansible-test bootstraps in %s' % path)
        return match.group(1)


def install_get_pip_stand_in(version: str) -> str:
    """Put the stand-in where ansible-test looks for a cached get-pip ``version``; return its path."""
    cache = os.path.expanduser('~/.ansible/test/cache/get_pip_%s.py' % version.replace('.', '_'))
    with open(STAND_IN, 'rb') as source:
        wanted = source.read()
    current = None
    if os.path.exists(cache):
        with open(cache, 'rb') as existing:
            current = existing.read()
    if current is not None and STAND_IN_MARKER not in current:
        return cache + ' (a real get-pip script, kept)'
    if current != wanted:
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        with open(cache + '.tmp', 'wb') as target:
            target.write(wanted)
        os.replace(cache + '.tmp', cache)
    return cache


def main() -> int:
    """Copy, install the stand-in, run ansible-test sanity; return its exit code."""
    count = copy_collection()
    wanted = ansible_test_pip_version()
    for version in sorted(set(PIP_BOOTSTRAP_VERSIONS.values())):
        install_get_pip_stand_in(version)
    cache = install_get_pip_stand_in(wanted)
    if wanted != PIP_BOOTSTRAP_VERSIONS.get(core_minor()):
        print('sanity: ansible-core %s asks for pip %s: update PIP_BOOTSTRAP_VERSIONS in %s'
              % (core_minor(), wanted, os.path.relpath(__file__, ROOT)))
    print('sanity: ansible-core %s, Python %s; copied %d files to %s'
          % (core_minor(), PYTHON_VERSION, count, os.path.relpath(DEST, ROOT)))
    print('sanity: pip %s bootstrap for ansible-test: %s' % (wanted, cache))
    sys.stdout.flush()

    ansible_test = os.path.join(os.path.dirname(sys.executable), 'ansible-test')
    command = [ansible_test, 'sanity', '--python', PYTHON_VERSION, '--venv', '--requirements'] + sys.argv[1:]
    env = dict(os.environ)
    # The copy is the collection under test; never let the symlinked work tree shadow it.
    env.pop('ANSIBLE_COLLECTIONS_PATH', None)
    env.pop('ANSIBLE_COLLECTIONS_PATHS', None)
    return subprocess.run(command, cwd=DEST, env=env, check=False).returncode


if __name__ == '__main__':
    sys.exit(main())
