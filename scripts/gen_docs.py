# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Generate the reference docs of hasura.cloud's plugins and roles as Markdown.

``make docs``        -> ``gen_docs.py --output docs/plugins``: one ``<name>_<type>.md`` per
                        module, inventory (or other) plugin and role, plus ``README.md``, an index.
``make docs-check``  -> ``gen_docs.py --check docs/plugins``: regenerate into a temporary
                        folder and fail (exit 1, listing the files) when docs/plugins differs.

The source is ``ansible-doc --json`` of the collection as found through
``.venv/collections`` (a symlink to this work tree), so the docs show what users of the
installed collection see. The output is deterministic: sorted, no timestamps, no paths.
Semantic markup (``O()``, ``V()``, ``RV()``, ``E()``...) is parsed with
antsibull-docs-parser and written as plain, readable Markdown. Run with the virtual
environment's Python.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile

from antsibull_docs_parser import dom
from antsibull_docs_parser.parser import Context, parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTION = 'hasura.cloud'
COLLECTIONS_DIR = os.path.join(ROOT, '.venv', 'collections')
BIN = os.path.dirname(sys.executable)

# plugins/<folder> -> ansible-doc plugin type
PLUGIN_FOLDERS = {
    'modules': 'module', 'inventory': 'inventory', 'lookup': 'lookup', 'filter': 'filter', 'test': 'test',
    'callback': 'callback', 'connection': 'connection', 'become': 'become', 'cache': 'cache', 'vars': 'vars',
}


def ansible_doc(*args: str) -> dict:
    """Run ansible-doc with --json against the work tree's collection and decode its answer."""
    env = dict(os.environ)
    env['ANSIBLE_COLLECTIONS_PATH'] = COLLECTIONS_DIR
    env['ANSIBLE_NOCOLOR'] = '1'
    env['ANSIBLE_DEPRECATION_WARNINGS'] = 'false'
    proc = subprocess.run([os.path.join(BIN, 'ansible-doc'), '--json'] + list(args), env=env, check=False,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise SystemExit('gen_docs: ansible-doc %s failed:\n%s' % (' '.join(args), proc.stderr))
    if proc.stderr.strip():
        sys.stderr.write(proc.stderr)
    return json.loads(proc.stdout or '{}')


def _code(text: str) -> str:
    """A Markdown code span holding ``text`` (backticks inside are allowed)."""
    fence = '``' if '`' in text else '`'
    pad = ' ' if text.startswith('`') or text.endswith('`') else ''
    return '%s%s%s%s%s' % (fence, pad, text, pad, fence)


def _text(text: str) -> str:
    """Plain text for Markdown: only what would turn into HTML or emphasis is escaped."""
    return text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('*', '\\*')


def _part_md(part) -> str:
    """One piece of a parsed paragraph as Markdown."""
    kind = part.type
    if kind == dom.PartType.TEXT:
        return _text(part.text)
    if kind == dom.PartType.ITALIC:
        return '*%s*' % _text(part.text)
    if kind == dom.PartType.BOLD:
        return '**%s**' % _text(part.text)
    if kind in (dom.PartType.CODE, dom.PartType.OPTION_VALUE):
        return _code(part.text if kind == dom.PartType.CODE else part.value)
    if kind == dom.PartType.ENV_VARIABLE:
        return _code(part.name)
    if kind in (dom.PartType.OPTION_NAME, dom.PartType.RETURN_VALUE):
        name = part.name if part.value is None else '%s=%s' % (part.name, part.value)
        return _code(name)
    if kind == dom.PartType.MODULE:
        return _code(part.fqcn)
    if kind == dom.PartType.PLUGIN:
        return _code(part.plugin.fqcn)
    if kind == dom.PartType.URL:
        return '<%s>' % part.url
    if kind == dom.PartType.LINK:
        return '[%s](%s)' % (_text(part.text), part.url)
    if kind == dom.PartType.RST_REF:
        return _text(part.text)
    if kind == dom.PartType.HORIZONTAL_LINE:
        return '\n\n---\n\n'
    return '**ERROR: %s**' % _text(getattr(part, 'message', str(part)))


def ensure_link() -> None:
    """The collection must be reachable as .venv/collections/ansible_collections/hasura/cloud."""
    subprocess.run([os.path.join(ROOT, 'scripts', 'link_collection.sh')], check=True)


class Renderer:
    """Markdown for one plugin or role entry point."""

    def __init__(self, fqcn: str, plugin_type: str, entrypoint: str | None = None):
        self.fqcn = fqcn
        self.plugin_type = plugin_type
        self.context = Context(current_plugin=dom.PluginIdentifier(fqcn=fqcn, type=plugin_type),
                               role_entrypoint=entrypoint)

    def md(self, text) -> str:
        """Semantic markup (a string or a list of paragraphs) to Markdown, one line per paragraph."""
        if text is None:
            return ''
        if isinstance(text, str):
            text = [text]
        paragraphs = parse([str(t) for t in text], self.context, errors='message')
        return '\n\n'.join(''.join(_part_md(part) for part in paragraph) for paragraph in paragraphs)

    def cell(self, text) -> str:
        """Markdown fit for a table cell (paragraphs joined with <br>)."""
        return self.md(text).replace('\n\n', '<br>').replace('\n', ' ').replace('|', '\\|')


def _value(value) -> str:
    if isinstance(value, str):
        return '`%s`' % value if value else '`""`'
    return '`%s`' % json.dumps(value, sort_keys=True)


def option_rows(render: Renderer, options: dict, prefix: str = '') -> list[str]:
    """Table rows for options, suboptions flattened as ``parent.child``."""
    rows = []
    for name in sorted(options):
        spec = options[name] or {}
        kind = spec.get('type', 'str')
        if kind == 'list' and spec.get('elements'):
            kind = 'list / elements=%s' % spec['elements']
        facts = []
        if spec.get('required'):
            facts.append('**required**')
        if 'default' in spec and spec['default'] is not None:
            facts.append('default: %s' % _value(spec['default']))
        if spec.get('choices'):
            facts.append('choices: %s' % ', '.join(_value(c) for c in spec['choices']))
        if spec.get('aliases'):
            facts.append('aliases: %s' % ', '.join('`%s`' % a for a in spec['aliases']))
        if spec.get('version_added'):
            facts.append('added in %s' % spec['version_added'])
        for source in ('env', 'ini', 'vars'):
            for item in spec.get(source) or []:
                if source == 'env':
                    facts.append('env: `%s`' % item.get('name'))
                elif source == 'ini':
                    facts.append('ini: `[%s] %s`' % (item.get('section'), item.get('key')))
                else:
                    facts.append('var: `%s`' % item.get('name'))
        rows.append('| `%s%s` | %s | %s | %s |' % (prefix, name, kind, '<br>'.join(facts), render.cell(spec.get('description'))))
        for sub in ('suboptions', 'options'):
            if isinstance(spec.get(sub), dict):
                rows.extend(option_rows(render, spec[sub], prefix + name + '.'))
    return rows


def return_rows(render: Renderer, values: dict, prefix: str = '') -> list[str]:
    """Table rows for return values, nested ``contains`` flattened as ``parent.child``."""
    rows = []
    for name in sorted(values):
        spec = values[name] or {}
        kind = spec.get('type', '')
        if kind == 'list' and spec.get('elements'):
            kind = 'list / elements=%s' % spec['elements']
        sample = ''
        if 'sample' in spec:
            sample = '<br>sample: %s' % _value(spec['sample']).replace('|', '\\|')
        returned = render.cell(spec.get('returned', ''))
        description = render.cell(spec.get('description'))
        rows.append('| `%s%s` | %s | %s | %s%s |' % (prefix, name, kind, returned, description, sample))
        if isinstance(spec.get('contains'), dict):
            rows.extend(return_rows(render, spec['contains'], prefix + name + '.'))
    return rows


def render_plugin(fqcn: str, plugin_type: str, data: dict) -> str:
    """The Markdown page of one plugin from its ``ansible-doc --json`` entry."""
    doc = data.get('doc') or {}
    render = Renderer(fqcn, plugin_type)
    out = ['# %s %s' % (fqcn, plugin_type), '']
    out += [render.md(doc.get('short_description', '')), '']
    if doc.get('version_added'):
        out += ['Added in version %s of %s.' % (doc['version_added'], doc.get('version_added_collection', COLLECTION)), '']
    if doc.get('description'):
        out += ['## Synopsis', '', render.md(doc['description']), '']
    if doc.get('requirements'):
        out += ['## Requirements', ''] + ['- %s' % render.md(r) for r in doc['requirements']] + ['']
    if doc.get('options'):
        out += ['## Parameters', '', '| parameter | type | facts | description |', '|---|---|---|---|']
        out += option_rows(render, doc['options']) + ['']
    if doc.get('attributes'):
        out += ['## Attributes', '', '| attribute | support | description |', '|---|---|---|']
        for name in sorted(doc['attributes']):
            attr = doc['attributes'][name]
            details = attr.get('details')
            text = render.cell(attr.get('description'))
            if details:
                text += '<br>' + render.cell(details)
            if attr.get('membership'):
                text += '<br>groups: %s' % ', '.join('`%s`' % m for m in attr['membership'])
            out.append('| `%s` | %s | %s |' % (name, attr.get('support', ''), text))
        out.append('')
    if doc.get('notes'):
        out += ['## Notes', ''] + ['- %s' % render.md(n) for n in doc['notes']] + ['']
    if doc.get('seealso'):
        out += ['## See also', '']
        for item in doc['seealso']:
            target = item.get('module') or item.get('plugin') or item.get('link') or item.get('ref') or ''
            label = item.get('name') or target
            out.append('- %s%s' % ('[%s](%s)' % (label, target) if item.get('link') else '`%s`' % label,
                                   (': ' + render.md(item['description'])) if item.get('description') else ''))
        out.append('')
    if data.get('examples'):
        out += ['## Examples', '', '```yaml', data['examples'].strip('\n'), '```', '']
    if data.get('return'):
        out += ['## Return values', '', '| key | type | returned | description |', '|---|---|---|---|']
        out += return_rows(render, data['return']) + ['']
    if doc.get('author'):
        authors = doc['author'] if isinstance(doc['author'], list) else [doc['author']]
        out += ['## Authors', ''] + ['- %s' % a for a in authors] + ['']
    return '\n'.join(out).rstrip('\n') + '\n'


def render_role(fqcn: str, data: dict) -> str:
    """The Markdown page of one role from ``ansible-doc -t role --json``."""
    out = ['# %s role' % fqcn, '']
    for entry in sorted(data.get('entry_points') or {}):
        spec = data['entry_points'][entry] or {}
        render = Renderer(fqcn, 'role', entry)
        out += ['## Entry point `%s`' % entry, '']
        if spec.get('short_description'):
            out += [render.md(spec['short_description']), '']
        if spec.get('description'):
            out += [render.md(spec['description']), '']
        if spec.get('options'):
            out += ['### Variables', '', '| variable | type | facts | description |', '|---|---|---|---|']
            out += option_rows(render, spec['options']) + ['']
        if spec.get('author'):
            authors = spec['author'] if isinstance(spec['author'], list) else [spec['author']]
            out += ['### Authors', ''] + ['- %s' % a for a in authors] + ['']
    return '\n'.join(out).rstrip('\n') + '\n'


def generate(output: str) -> list[str]:
    """Write every page into ``output`` (emptied first); return the file names."""
    ensure_link()
    pages: dict[str, str] = {}
    index: list[tuple[str, str, str, str]] = []
    for folder in sorted(PLUGIN_FOLDERS):
        plugin_type = PLUGIN_FOLDERS[folder]
        if not os.path.isdir(os.path.join(ROOT, 'plugins', folder)):
            continue
        names = sorted(ansible_doc('-t', plugin_type, '--list', COLLECTION))
        if not names:
            continue
        docs = ansible_doc('-t', plugin_type, *names)
        missing = sorted(set(names) - set(docs))
        if missing:
            raise SystemExit('gen_docs: ansible-doc returned no documentation for %s' % ', '.join(missing))
        for fqcn in names:
            short = fqcn.rsplit('.', 1)[1]
            filename = '%s_%s.md' % (short, plugin_type)
            pages[filename] = render_plugin(fqcn, plugin_type, docs[fqcn])
            index.append((plugin_type, fqcn, filename, (docs[fqcn].get('doc') or {}).get('short_description', '')))

    roles_with_specs = sorted(name for name in (os.listdir(os.path.join(ROOT, 'roles')) if os.path.isdir(os.path.join(ROOT, 'roles')) else [])
                              if os.path.exists(os.path.join(ROOT, 'roles', name, 'meta', 'argument_specs.yml')))
    if roles_with_specs:
        fqcns = ['%s.%s' % (COLLECTION, name) for name in roles_with_specs]
        docs = ansible_doc('-t', 'role', *fqcns)
        for fqcn in fqcns:
            if fqcn not in docs:
                raise SystemExit('gen_docs: ansible-doc returned no documentation for role %s' % fqcn)
            filename = '%s_role.md' % fqcn.rsplit('.', 1)[1]
            pages[filename] = render_role(fqcn, docs[fqcn])
            main = (docs[fqcn].get('entry_points') or {}).get('main') or {}
            index.append(('role', fqcn, filename, main.get('short_description', '')))

    if index:
        lines = ['# hasura.cloud reference', '',
                 'Generated by `make docs` (scripts/gen_docs.py) from the plugins\' own documentation; do not edit.', '',
                 '| name | type | description |', '|---|---|---|']
        for plugin_type, fqcn, filename, short in sorted(index):
            lines.append('| [%s](%s) | %s | %s |' % (fqcn, filename, plugin_type, Renderer(fqcn, plugin_type).cell(short)))
        pages['README.md'] = '\n'.join(lines) + '\n'

    if os.path.isdir(output):
        shutil.rmtree(output)
    if pages:
        os.makedirs(output)
    for filename in sorted(pages):
        with open(os.path.join(output, filename), 'w', encoding='utf-8', newline='\n') as handle:
            handle.write(pages[filename])
    return sorted(pages)


def compare(expected_dir: str, actual_dir: str) -> list[str]:
    """Names of files that differ, are missing or are extra in actual_dir."""
    def listing(path: str) -> set[str]:
        return set(os.listdir(path)) if os.path.isdir(path) else set()
    expected, actual = listing(expected_dir), listing(actual_dir)
    problems = ['missing: %s' % name for name in sorted(expected - actual)]
    problems += ['not generated (stale): %s' % name for name in sorted(actual - expected)]
    problems += ['out of date: %s' % name for name in sorted(expected & actual)
                 if not filecmp.cmp(os.path.join(expected_dir, name), os.path.join(actual_dir, name), shallow=False)]
    return problems


def main() -> int:
    """Command line: --output DIR or --check DIR."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument('--output', metavar='DIR', help='write the docs into DIR (emptied first)')
    group.add_argument('--check', metavar='DIR', help='fail when DIR differs from freshly generated docs')
    args = parser.parse_args()

    if args.output:
        names = generate(os.path.join(ROOT, args.output) if not os.path.isabs(args.output) else args.output)
        print('docs: wrote %d files to %s' % (len(names), args.output))
        return 0

    target = os.path.join(ROOT, args.check) if not os.path.isabs(args.check) else args.check
    with tempfile.TemporaryDirectory() as tmp:
        fresh = os.path.join(tmp, 'plugins')
        names = generate(fresh)
        problems = compare(fresh, target)
    if problems:
        print('docs-check: %s is stale; run `make docs` and commit the result:' % args.check)
        for problem in problems:
            print('  ' + problem)
        return 1
    print('docs-check: %s is up to date (%d files)' % (args.check, len(names)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
