# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check the links of the pages Galaxy shows outside the repository (part of ``make lint``).

Galaxy renders README.md, the top-level docs/*.md and each role's README.md on its own
site, where a relative link leads nowhere. So in those pages:

- a link to a file of the repository is absolute and starts with galaxy.yml's
  ``documentation`` URL (for docs/) or ``repository`` URL + ``/blob/main/`` or
  ``/tree/main/`` (for anything else), and the file it names exists;
- a relative link is an error (``#anchor`` links within the page are fine).

galaxy.yml must carry ``repository``, ``documentation`` and ``issues``, the documentation
under the repository. Exit status 1 lists every problem.
"""

from __future__ import annotations

import glob
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# [text](target) and [text](target "title"); images too. Code spans are dropped first.
LINK = re.compile(r'!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)')
CODE_SPAN = re.compile(r'`+[^`]*`+')
FENCE = re.compile(r'^\s*(```|~~~)')


def pages() -> list[str]:
    """The Markdown pages Galaxy shows, relative to the root."""
    found = ['README.md'] + sorted(glob.glob('docs/*.md', root_dir=ROOT)) + sorted(glob.glob('roles/*/README.md', root_dir=ROOT))
    return [page for page in found if os.path.isfile(os.path.join(ROOT, page))]


def links(path: str):
    """Yield (line number, target) of each Markdown link outside code."""
    in_fence = False
    with open(os.path.join(ROOT, path), encoding='utf-8') as handle:
        for number, line in enumerate(handle, 1):
            if FENCE.match(line):
                in_fence = not in_fence
                continue
            if in_fence:
                continue
            for match in LINK.finditer(CODE_SPAN.sub('', line)):
                yield number, match.group(1)


def repository_file(target: str, prefixes: list[str]) -> str | None:
    """The repository path an absolute URL names, or None when it is not one of ours."""
    for prefix in prefixes:
        if target == prefix or target.startswith(prefix + '/'):
            path = target[len(prefix):].lstrip('/').split('#', 1)[0]
            return path
    return None


def main() -> int:
    with open(os.path.join(ROOT, 'galaxy.yml'), encoding='utf-8') as handle:
        galaxy = yaml.safe_load(handle)
    problems = []
    for key in ('repository', 'documentation', 'issues'):
        if not galaxy.get(key):
            problems.append('galaxy.yml: %s is missing' % key)
    if problems:
        print('\n'.join(problems))
        return 1
    repository = galaxy['repository'].rstrip('/')
    documentation = galaxy['documentation'].rstrip('/')
    if not documentation.startswith(repository + '/'):
        problems.append('galaxy.yml: documentation (%s) is not under repository (%s)' % (documentation, repository))
    # documentation = <repository>/tree/main/docs, so its files are docs/<...>.
    docs_dir = documentation[len(repository):].strip('/').split('/', 2)[-1] if documentation.startswith(repository + '/') else 'docs'
    file_prefixes = [repository + '/blob/main', repository + '/tree/main']

    checked = 0
    for page in pages():
        for number, target in links(page):
            checked += 1
            where = '%s:%d: %s' % (page, number, target)
            if target.startswith('#'):
                continue
            if not re.match(r'^[a-z][a-z0-9+.-]*:', target):
                base = documentation if page.startswith('docs/') or target.lstrip('./').startswith('docs') else repository
                problems.append('%s: relative link; Galaxy shows this page outside the repository, '
                                'use an absolute URL under %s' % (where, base))
                continue
            if not target.startswith(repository):
                continue  # a link to another site
            if target.startswith(galaxy['issues'].rstrip('/')):
                continue
            path = repository_file(target, file_prefixes)
            if path is None:
                if target.rstrip('/') != repository:
                    problems.append('%s: a repository link that names no file (use %s/... or %s/...)'
                                    % (where, file_prefixes[0], documentation))
                continue
            if path.startswith(docs_dir + '/') and not target.startswith(documentation + '/'):
                problems.append('%s: link into %s/ not under galaxy.yml documentation (%s)' % (where, docs_dir, documentation))
            if not os.path.exists(os.path.join(ROOT, path)):
                problems.append('%s: %s does not exist in the repository' % (where, path))
    if problems:
        print('\n'.join(problems))
        print('check_links: %d problem(s) in the pages Galaxy shows' % len(problems))
        return 1
    print('check_links: %d links in %d pages are absolute and name existing files' % (checked, len(pages())))
    return 0


if __name__ == '__main__':
    sys.exit(main())
