# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Facts kept in two places that nothing else keeps in step: checked here.

- the action group in meta/runtime.yml lists exactly the modules;
- every module is documented as a member of it (through the doc fragment's MODULE section);
- the collection version in the client's User-Agent is the one of galaxy.yml;
- the documented fields of a returned tenant are the keys the code returns;
- functions in plugins/ stay short enough to read (under 40 lines).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from ansible_collections.hasura.cloud.plugins.module_utils import _client, _tenant

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*.py") if not path.stem.startswith("_"))
LONGEST_FUNCTION = 40


def module_doc(name, section="DOCUMENTATION"):
    """A documentation block of a module, parsed without importing the module."""
    tree = ast.parse((ROOT / "plugins" / "modules" / ("%s.py" % name)).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == section:
            return yaml.safe_load(node.value.value)
    raise AssertionError("%s has no %s" % (name, section))


def test_the_modules_are_found():
    assert {"hasura_tenant", "hasura_tenant_env", "hasura_tenant_env_info", "hasura_tenant_info"} <= set(MODULES)


def test_action_group_lists_exactly_the_modules():
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text(encoding="utf-8"))
    assert sorted(runtime["action_groups"]["hasura_cloud"]) == MODULES


@pytest.mark.parametrize("name", MODULES)
def test_every_module_documents_its_group_membership(name):
    fragments = module_doc(name)["extends_documentation_fragment"]
    assert "hasura.cloud.hasura_cloud" in fragments and "hasura.cloud.hasura_cloud.module" in fragments


def test_collection_version_matches_galaxy_yml():
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))
    assert _client.COLLECTION_VERSION == galaxy["version"]
    assert _client.USER_AGENT.endswith("/" + galaxy["version"])


@pytest.mark.parametrize("name, key", [("hasura_tenant", "tenant"), ("hasura_tenant_info", "tenants")])
def test_documented_tenant_fields_are_the_codes_tenant_keys(name, key):
    documented = module_doc(name, "RETURN")[key]["contains"]
    assert sorted(documented) == sorted(_tenant.TENANT_KEYS)


def test_functions_in_plugins_stay_short():
    too_long = []
    for path in sorted((ROOT / "plugins").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length >= LONGEST_FUNCTION:
                    too_long.append("%s:%s %s (%d lines)" % (path.relative_to(ROOT), node.lineno, node.name, length))
    assert too_long == []
