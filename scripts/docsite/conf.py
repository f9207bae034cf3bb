# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sphinx configuration of the offline docsite (`make docsite`, scripts/docs.sh docsite).

The pages come from ``antsibull-docs collection`` (docsite format). They point into the
Ansible docsite (ansible.builtin plugins, common return values, configuration settings);
intersphinx would download that site's inventory, which these machines cannot reach, so
those references are resolved here to their public URLs instead, without a download.
Anything else that does not resolve stays a warning, and the build runs with ``-W``.
"""

from __future__ import annotations

from docutils import nodes

project = 'hasura.cloud'
copyright = '2026, hasura.cloud contributors'  # pylint: disable=redefined-builtin
title = 'hasura.cloud collection'
html_short_title = 'hasura.cloud'

extensions = ['sphinx_antsibull_ext']
pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'
html_theme = 'sphinx_ansible_theme'
html_show_sphinx = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False
default_role = 'any'
nitpicky = True

ANSIBLE_DOCS = 'https://docs.ansible.com/projects/ansible/latest/'
# Labels of the Ansible docsite that antsibull-docs' pages use, and where they live.
ANSIBLE_LABELS = {
    'action_plugins': 'plugins/action.html',
    'ansible_configuration_settings': 'reference_appendices/config.html',
    'common_return_values': 'reference_appendices/common_return_values.html',
}
COLLECTION_LABEL_PREFIX = 'ansible_collections.'


def _external_url(node) -> str | None:
    """The public URL of a reference into the Ansible docsite, or None."""
    target = node.get('reftarget', '')
    if node.get('refdomain') == 'std' and node.get('reftype') == 'envvar' and target.startswith('ANSIBLE_'):
        return ANSIBLE_DOCS + 'reference_appendices/config.html#envvar-' + target
    if node.get('refdomain') == 'std' and node.get('reftype') == 'ref':
        if target in ANSIBLE_LABELS:
            return ANSIBLE_DOCS + ANSIBLE_LABELS[target]
        # ansible_collections.<namespace>.<name>.<plugin>_<type>, other collections only.
        if target.startswith(COLLECTION_LABEL_PREFIX) and not target.startswith(COLLECTION_LABEL_PREFIX + 'hasura.cloud.'):
            parts = target[len(COLLECTION_LABEL_PREFIX):].split('.')
            if len(parts) == 3:
                return ANSIBLE_DOCS + 'collections/%s/%s/%s.html' % tuple(parts)
    return None


def _resolve_ansible_docsite(app, env, node, contnode):  # pylint: disable=unused-argument
    url = _external_url(node)
    if url is None:
        return None
    reference = nodes.reference('', '', internal=False, refuri=url)
    reference.append(contnode if contnode is not None else nodes.Text(node.get('reftarget', '')))
    return reference


def setup(app):
    """Register the resolver for references into the Ansible docsite."""
    app.connect('missing-reference', _resolve_ansible_docsite)
