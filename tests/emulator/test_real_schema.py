# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulator's schema and the collection's documents, checked against the real schema.

``real_schema/fields.json`` lists the types, fields, arguments and enum values of the real
control-plane schema that this project touches, as the Hasura console's generated types
record them (see ``real_schema/README.md``). Entries marked ``omitted_type`` (type not
detailed), ``unconfirmed`` (inferred, not read) or ``out_of_scope`` count as absent here.

1. The emulator serves a subset of the real schema: every type, field, argument and enum
   value of ``schema.graphql`` exists in the list with the same type (name, nullability,
   list-ness), and nothing the real schema requires (a non-null argument or input field
   without default) is missing from it, so the emulator never accepts what the real
   service refuses for want of it.
2. Every GraphQL document the collection sends validates against a graphql-core schema
   built from the list: the documents are found by importing every module of
   ``plugins/module_utils``, ``plugins/inventory`` and ``plugins/modules`` and taking the
   module-level strings (or strings inside module-level containers) that start with
   ``query``/``mutation``; a scan of the sources makes sure no document is written
   anywhere else (inside a function), so future modules are covered.
3. The check can fail: a document with the seed's ``databaseUrl`` is rejected by it.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import re

import graphql
import pytest
from graphql.utilities import value_from_ast_untyped

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIELDS_JSON = os.path.join(HERE, "real_schema", "fields.json")
EMULATOR_SDL = os.path.join(HERE, "schema.graphql")
PACKAGE = "ansible_collections.hasura.cloud.plugins"
PLUGIN_DIRS = ("module_utils", "inventory", "modules")
DOCUMENT_RE = re.compile(r"^\s*(query|mutation|subscription)\b[^{]*\{")
NAME_RE = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
ABSENT_MARKS = ("omitted_type", "unconfirmed", "out_of_scope")

# Documents the collection is known to send; discovery must find at least these.
KNOWN_DOCUMENTS = {
    "module_utils._tenant.GET_TENANT", "module_utils._tenant.FIND_BY_NAME", "module_utils._tenant.LIST_PROJECTS",
    "module_utils._tenant.LIST_PROJECT_IDS", "module_utils._tenant.CREATE_TENANT", "module_utils._tenant.DELETE_TENANT",
    "module_utils._tenant.RENAME_TENANT", "module_utils._env.GET_TENANT_ENV", "module_utils._env.GET_TENANT_ENV_AND_ENDPOINT",
    "module_utils._env.UPDATE_TENANT_ENV", "module_utils._env.DELETE_TENANT_ENV",
    "module_utils._domain.GET_TENANT_DOMAINS", "module_utils._domain.FIND_PROJECT_DOMAINS",
    "module_utils._domain.LIST_PROJECTS_WITH_DOMAINS", "module_utils._domain.GET_DOMAIN",
    "module_utils._domain.ADD_DOMAIN", "module_utils._domain.REMOVE_DOMAIN", "module_utils._region.LIST_REGIONS",
}

# Documents of the collection that fail the check, with the reason (reported to the lead;
# the test is then xfail rather than hidden). Empty: every document passes.
KNOWN_FAILURES: dict[str, str] = {}


def load_real() -> dict:
    with open(FIELDS_JSON, encoding="utf-8") as handle:
        return json.load(handle)


REAL = load_real()


def listed(entry: dict) -> bool:
    return not any(entry.get(mark) for mark in ABSENT_MARKS)


def base_name(type_text: str) -> str:
    return NAME_RE.search(type_text).group(0)


def required(type_text: str, entry: dict) -> bool:
    return type_text.endswith("!") and "default" not in entry


# --------------------------------------------------------------------------- the real schema as graphql-core


def real_schema_sdl(real: dict) -> str:
    """SDL of the listed part of the real schema: absent entries left out, and so are
    fields whose type or an argument's type is not listed (repeated until stable)."""
    types = {name: entry for name, entry in real["types"].items() if listed(entry)}

    def usable_fields(entry: dict, available: set[str]) -> dict[str, dict]:
        return {
            name: field for name, field in (entry.get("fields") or {}).items()
            if listed(field) and all(base_name(t) in available for t in [field["type"], *(field.get("args") or {}).values()])
        }

    available = set(types)
    while True:
        still = {name for name, entry in types.items()
                 if entry["kind"] not in ("object", "input") or usable_fields(entry, available)}
        if still == available:
            break
        available = still
    lines = ["schema { query: query_root mutation: mutation_root }"]
    for name in sorted(available):
        entry = types[name]
        kind = entry["kind"]
        if kind == "scalar":
            if name not in ("String", "Int", "Float", "Boolean", "ID"):
                lines.append(f"scalar {name}")
        elif kind == "enum":
            lines.append(f"enum {name} {{ {' '.join(entry['values'])} }}")
        else:
            members = []
            for field_name, field in usable_fields(entry, available).items():
                args = ", ".join(f"{arg}: {arg_type}" for arg, arg_type in (field.get("args") or {}).items())
                default = f" = {field['default']}" if "default" in field else ""
                members.append(f"  {field_name}{f'({args})' if args else ''}: {field['type']}{default}")
            lines.append(f"{'type' if kind == 'object' else 'input'} {name} {{\n" + "\n".join(members) + "\n}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def real_schema() -> graphql.GraphQLSchema:
    return graphql.build_schema(real_schema_sdl(REAL))


@pytest.fixture(scope="module")
def emulator_schema() -> graphql.GraphQLSchema:
    with open(EMULATOR_SDL, encoding="utf-8") as handle:
        return graphql.build_schema(handle.read())


def test_fields_json_names_its_source():
    assert list(REAL)[0] == "source"
    source = REAL["source"]
    assert source["repository"] == "hasura/graphql-engine"
    assert source["path"].endswith("ControlPlane/generatedGraphQLTypes.ts")
    assert re.fullmatch(r"[0-9a-f]{40}", source["commit"])


def test_real_schema_builds_with_the_types_this_project_uses(real_schema):
    for name in ("tenant", "projects", "config", "custom_domain", "region", "TenantEnv", "CreateTenantResponse",
                 "UpdateTenantNameResponse", "UpdateEnvsObject", "tenant_bool_exp", "order_by", "cloud_enum"):
        assert name in real_schema.type_map, name
    assert "databaseUrl" not in real_schema.mutation_type.fields["createTenant"].args
    assert "update_projects_by_pk" not in real_schema.mutation_type.fields  # unconfirmed: absent here
    assert "jobs_by_pk" not in real_schema.query_type.fields  # type not detailed: absent here


# --------------------------------------------------------------------------- 1. the emulator is a subset


def kind_of(named: graphql.GraphQLNamedType) -> str:
    for cls, kind in ((graphql.GraphQLObjectType, "object"), (graphql.GraphQLInputObjectType, "input"),
                      (graphql.GraphQLEnumType, "enum"), (graphql.GraphQLScalarType, "scalar")):
        if isinstance(named, cls):
            return kind
    return type(named).__name__


def input_default(field: graphql.GraphQLInputField):
    """An input field's default as a Python value (None: no default), across graphql-core 3.2 and 3.3."""
    default = getattr(field, "default", None)  # 3.3: GraphQLDefaultInput(value, literal)
    if default is not None:
        if default.literal is not None:
            return value_from_ast_untyped(default.literal)
        return None if default.value is graphql.Undefined else default.value
    return None if field.default_value is graphql.Undefined else field.default_value


def subset_problems(named: graphql.GraphQLNamedType) -> list[str]:
    """What makes one emulator type differ from the real list (empty: a faithful subset)."""
    real = REAL["types"].get(named.name)
    if real is None or not listed(real):
        return [f"type {named.name} is not in the real list"]
    if real["kind"] != kind_of(named):
        return [f"type {named.name} is a {kind_of(named)}, the real one a {real['kind']}"]
    problems = []
    if real["kind"] == "enum":
        extra = sorted(set(named.values) - set(real["values"]))
        if extra:
            problems.append(f"enum {named.name} has values the real one lacks: {', '.join(extra)}")
        return problems
    if real["kind"] == "scalar":
        return problems
    real_fields = real.get("fields") or {}
    for field_name, field in named.fields.items():
        where = f"{named.name}.{field_name}"
        real_field = real_fields.get(field_name)
        if real_field is None or not listed(real_field):
            problems.append(f"{where} is not in the real list")
            continue
        if str(field.type) != real_field["type"]:
            problems.append(f"{where} is {field.type}, the real one {real_field['type']}")
        if real["kind"] == "input":
            ours = input_default(field)
            theirs = (value_from_ast_untyped(graphql.parse_value(real_field["default"]))
                      if "default" in real_field else None)
            if ours != theirs:
                problems.append(f"{where} defaults to {ours!r}, the real one to {theirs!r}")
            continue
        real_args = real_field.get("args") or {}
        for arg_name, arg in field.args.items():
            if arg_name not in real_args:
                problems.append(f"{where}({arg_name}:) is not in the real list")
            elif str(arg.type) != real_args[arg_name]:
                problems.append(f"{where}({arg_name}:) is {arg.type}, the real one {real_args[arg_name]}")
        for arg_name, arg_type in real_args.items():
            if arg_type.endswith("!") and arg_name not in field.args:
                problems.append(f"{where} lacks the required argument {arg_name}: {arg_type}")
    if real["kind"] == "input":
        for field_name, real_field in real_fields.items():
            if listed(real_field) and required(real_field["type"], real_field) and field_name not in named.fields:
                problems.append(f"{named.name} lacks the required input field {field_name}: {real_field['type']}")
    return problems


def emulator_type_names() -> list[str]:
    with open(EMULATOR_SDL, encoding="utf-8") as handle:
        schema = graphql.build_schema(handle.read())
    return sorted(name for name in schema.type_map if not name.startswith("__"))


def test_emulator_roots_are_the_real_roots(emulator_schema):
    assert emulator_schema.query_type.name == "query_root"
    assert emulator_schema.mutation_type.name == "mutation_root"
    assert emulator_schema.subscription_type is None


@pytest.mark.parametrize("type_name", emulator_type_names())
def test_emulator_type_is_a_subset_of_the_real_one(emulator_schema, type_name):
    assert subset_problems(emulator_schema.type_map[type_name]) == []


def test_the_subset_check_can_fail():
    sdl = ("type query_root { tenant_by_pk(id: uuid!, extra: Int): tenant region(where: region_bool_exp): [region] }"
           " scalar uuid type tenant { id: uuid slug: String! databaseUrl: String }"
           " type region { name: String! } input region_bool_exp { name: String }"
           " input UpdateEnvObject { key: String! } enum cloud_enum { aws moon }")
    schema = graphql.build_schema(sdl)
    problems = [problem for name in ("query_root", "tenant", "region", "UpdateEnvObject", "cloud_enum")
                for problem in subset_problems(schema.type_map[name])]
    assert problems == [
        "query_root.tenant_by_pk(extra:) is not in the real list",
        "query_root.region is [region], the real one [region!]!",
        "tenant.id is uuid, the real one uuid!",
        "tenant.databaseUrl is not in the real list",
        "UpdateEnvObject lacks the required input field value: String!",
        "enum cloud_enum has values the real one lacks: moon",
    ]
    assert subset_problems(schema.type_map["region_bool_exp"]) == ["region_bool_exp.name is String, the real one String_comparison_exp"]


# --------------------------------------------------------------------------- 2. the collection's documents


def plugin_sources() -> list[tuple[str, str, str]]:
    """(plugin directory, module name, path) of every plugin module of the collection."""
    found = []
    for directory in PLUGIN_DIRS:
        folder = os.path.join(ROOT, "plugins", directory)
        for file_name in sorted(os.listdir(folder)):
            if file_name.endswith(".py") and file_name != "__init__.py":
                found.append((directory, file_name[:-3], os.path.join(folder, file_name)))
    return found


def _strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple, set, frozenset)):
        return [text for item in value for text in _strings_in(item)]
    return []


def discover_documents() -> dict[str, str]:
    """label (``<dir>.<module>.<NAME>``) -> document text, each text once (its first owner)."""
    by_text: dict[str, str] = {}
    for directory, module_name, _path in plugin_sources():
        module = importlib.import_module(f"{PACKAGE}.{directory}.{module_name}")
        for attribute, value in sorted(vars(module).items()):
            if attribute.startswith("__"):
                continue
            for text in _strings_in(value):
                if DOCUMENT_RE.match(text):
                    by_text.setdefault(text, f"{directory}.{module_name}.{attribute}")
    return {label: text for text, label in by_text.items()}


def documents_outside_module_constants(path: str) -> list[str]:
    """Lines of string literals that look like documents but are not part of a module-level
    assignment (a document built inside a function would escape discovery)."""
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    allowed = {id(node) for statement in tree.body if isinstance(statement, (ast.Assign, ast.AnnAssign))
               for node in ast.walk(statement)}
    return [f"{os.path.relpath(path, ROOT)}:{node.lineno}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and DOCUMENT_RE.match(node.value) and id(node) not in allowed]


def problems_on(schema: graphql.GraphQLSchema, text: str) -> list[str]:
    try:
        document = graphql.parse(text)
    except graphql.GraphQLError as err:
        return [f"does not parse: {err.message}"]
    return [error.message for error in graphql.validate(schema, document)]


def assert_valid_on_real_schema(schema: graphql.GraphQLSchema, label: str, text: str) -> None:
    """The checker every collection document goes through."""
    problems = problems_on(schema, text)
    assert not problems, f"{label} does not validate against the real schema: " + "; ".join(problems)


DOCUMENTS = discover_documents()


def test_discovery_finds_the_known_documents():
    assert KNOWN_DOCUMENTS <= set(DOCUMENTS), sorted(KNOWN_DOCUMENTS - set(DOCUMENTS))
    assert {directory for directory, _name, _path in plugin_sources()} == set(PLUGIN_DIRS)


def test_every_document_is_a_module_level_constant():
    outside = [line for _dir, _name, path in plugin_sources() for line in documents_outside_module_constants(path)]
    assert outside == [], "documents written outside module-level constants escape test_real_schema: " + ", ".join(outside)


@pytest.mark.parametrize("label", sorted(DOCUMENTS))
def test_collection_document_is_valid_on_the_real_schema(real_schema, label):
    if label in KNOWN_FAILURES:
        pytest.xfail(KNOWN_FAILURES[label])
    assert_valid_on_real_schema(real_schema, label, DOCUMENTS[label])


@pytest.mark.parametrize("label", sorted(DOCUMENTS))
def test_collection_document_is_valid_on_the_emulator(emulator_schema, label):
    assert problems_on(emulator_schema, DOCUMENTS[label]) == []


# --------------------------------------------------------------------------- 3. the check can fail


@pytest.mark.parametrize("text,named", [
    ("mutation createTenant($cloud: String!, $region: String!, $name: String, $databaseUrl: String!) {"
     " createTenant(cloud: $cloud, region: $region, name: $name, databaseUrl: $databaseUrl) { id name } }", "databaseUrl"),
    ("query getTenant($id: ID!) { tenant_by_pk(id: $id) { id } }", "ID"),
    ("mutation createTenant($envs: [UpdateEnvObject!]) { createTenant(cloud: \"aws\", region: \"us-east-1\","
     " envs: $envs) { id } }", "UpdateEnvsObject"),
    ("query { tenant { id status { is_active } } }", "status"),
    ("query { projects { id tenant { id } } project { id } }", "project"),
])
def test_the_document_check_rejects_what_the_real_schema_lacks(real_schema, text, named):
    with pytest.raises(AssertionError, match=named):
        assert_valid_on_real_schema(real_schema, "injected", text)


def test_the_module_constant_scan_can_fail(tmp_path):
    source = tmp_path / "plugin.py"
    source.write_text('GOOD = "query a { projects { id } }"\n\n\ndef read(client):\n'
                      '    return client.query("query b { tenant { id } }")\n')
    assert documents_outside_module_constants(str(source)) == [f"{os.path.relpath(source, ROOT)}:5"]
