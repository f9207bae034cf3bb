# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The controller-side reader of Hasura CLI metadata directories (plugin_utils/_metadata_dir.py).

The fixture tests/unit/fixtures/metadata/ is a config v3 directory made by hand from the
CLI's documented layout (Hasura docs, migrations-metadata-seeds/metadata-format).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ansible_collections.hasura.cloud.plugins.plugin_utils._metadata_dir import (
    MetadataDirError,
    load_metadata,
    parse_actions_graphql,
)

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "metadata"


@pytest.fixture
def tree(tmp_path):
    """A writable copy of the fixture directory."""
    target = tmp_path / "metadata"
    shutil.copytree(FIXTURE, target)
    return target


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_fixture_directory_becomes_one_metadata_object():
    metadata = load_metadata(str(FIXTURE))
    assert metadata["version"] == 3
    assert sorted(metadata) == sorted([
        "version", "sources", "actions", "custom_types", "allowlist", "api_limits", "cron_triggers",
        "graphql_schema_introspection", "inherited_roles", "network", "query_collections", "remote_schemas",
        "rest_endpoints"])
    source = metadata["sources"][0]
    assert source["name"] == "default" and source["configuration"]["connection_info"]["database_url"] == {
        "from_env": "PG_DATABASE_URL"}
    assert [t["table"]["name"] for t in source["tables"]] == ["article", "author"]  # the order of tables.yaml
    author = source["tables"][1]
    assert author["select_permissions"][1]["permission"]["filter"] == {"id": {"_eq": "X-Hasura-User-Id"}}
    assert author["event_triggers"][0]["headers"] == [{"name": "X-Webhook-Secret", "value_from_env":
                                                       "AUTHOR_WEBHOOK_SECRET"}]
    assert source["functions"] == [{"function": {"name": "search_articles", "schema": "public"},
                                    "configuration": {}, "permissions": [{"role": "user"}]}]
    assert metadata["allowlist"] == [{"collection": "allowed-queries"}]
    assert metadata["inherited_roles"] == [] and metadata["network"] == {}
    json.dumps(metadata)  # plain JSON: dates stay text
    assert source["tables"][0]["select_permissions"][0]["permission"]["filter"]["published_on"]["_lte"] == "2024-01-01"


def test_actions_come_from_actions_yaml_and_actions_graphql():
    metadata = load_metadata(str(FIXTURE))
    login, greet = metadata["actions"]
    assert login["definition"]["type"] == "mutation" and login["definition"]["output_type"] == "LoginResult"
    assert login["definition"]["arguments"] == [{"name": "username", "type": "String!"},
                                                {"name": "password", "type": "String!"}]
    assert login["definition"]["handler"] == "{{ACTION_BASE_URL}}/login"
    assert login["comment"] == "Log a user in"
    assert greet["definition"]["type"] == "query" and greet["definition"]["output_type"] == "Greeting!"
    assert greet["definition"]["arguments"][0] == {"name": "name", "type": "String", "description": "Who to greet"}
    assert greet["comment"] == "Greets someone"  # actions.yaml wins
    types = metadata["custom_types"]
    assert [t["name"] for t in types["objects"]] == ["LoginResult", "Greeting"]
    greeting = types["objects"][1]
    assert greeting["description"] == "A greeting for someone."
    assert greeting["relationships"][0]["remote_table"] == {"name": "author", "schema": "public"}
    assert types["input_objects"][0]["fields"][1] == {"name": "tags", "type": "[String!]"}
    assert types["enums"][0]["values"][2] == {"value": "SHOUTING", "is_deprecated": True,
                                              "description": "No longer offered"}
    assert types["scalars"] == [{"name": "Timestamp"}]


def test_include_written_as_a_yaml_tag(tree):
    write(tree / "databases" / "default" / "tables" / "tables.yaml", "- !include public_author.yaml\n")
    assert [t["table"]["name"] for t in load_metadata(str(tree))["sources"][0]["tables"]] == ["author"]


def test_a_minimal_directory(tmp_path):
    write(tmp_path / "version.yaml", "version: 3\n")
    assert load_metadata(str(tmp_path)) == {"version": 3, "sources": []}


def test_a_single_file(tmp_path):
    write(tmp_path / "hasura.json", json.dumps({"version": 3, "sources": []}))
    assert load_metadata(str(tmp_path / "hasura.json")) == {"version": 3, "sources": []}
    write(tmp_path / "hasura.yaml", "- not a mapping\n")
    with pytest.raises(MetadataDirError, match="must hold the metadata object"):
        load_metadata(str(tmp_path / "hasura.yaml"))


# --------------------------------------------------------------------------- errors name the file


def test_missing_directory(tmp_path):
    with pytest.raises(MetadataDirError, match="src: %s does not exist" % (tmp_path / "nope")):
        load_metadata(str(tmp_path / "nope"))


def test_not_a_metadata_directory_with_a_hint(tmp_path):
    write(tmp_path / "metadata" / "version.yaml", "version: 3\n")
    with pytest.raises(MetadataDirError) as info:
        load_metadata(str(tmp_path))
    assert "has no version.yaml" in str(info.value) and "set src to %s" % (tmp_path / "metadata") in str(info.value)


def test_config_v2_directory(tmp_path):
    write(tmp_path / "version.yaml", "version: 2\n")
    with pytest.raises(MetadataDirError, match="says version 2; only config v3"):
        load_metadata(str(tmp_path))


def test_yaml_that_does_not_parse(tree):
    broken = tree / "databases" / "default" / "tables" / "public_author.yaml"
    write(broken, "table:\n  name: author\n  schema: [public\n")
    with pytest.raises(MetadataDirError) as info:
        load_metadata(str(tree))
    assert "src: %s is not valid YAML at line" % broken in str(info.value)


def test_recursive_alias(tree):
    write(tree / "network.yaml", "tls_allowlist: &a\n  - *a\n")
    with pytest.raises(MetadataDirError, match="holds a YAML alias that refers to itself"):
        load_metadata(str(tree))


def test_include_of_a_missing_file(tree):
    write(tree / "databases" / "default" / "tables" / "tables.yaml", '- "!include public_missing.yaml"\n')
    with pytest.raises(MetadataDirError) as info:
        load_metadata(str(tree))
    assert "tables.yaml includes public_missing.yaml, which does not exist" in str(info.value)


def test_include_outside_the_directory(tree):
    write(tree / "databases" / "databases.yaml", '- name: x\n  tables: "!include ../../../etc/passwd"\n')
    with pytest.raises(MetadataDirError, match="which is outside the metadata directory"):
        load_metadata(str(tree))


def test_include_cycle(tree):
    write(tree / "databases" / "default" / "tables" / "tables.yaml", '- "!include tables.yaml"\n')
    with pytest.raises(MetadataDirError, match="includes itself"):
        load_metadata(str(tree))


def test_wrong_shape_of_a_file(tree):
    write(tree / "remote_schemas.yaml", "name: not-a-list\n")
    with pytest.raises(MetadataDirError, match="remote_schemas.yaml must hold a list, not a dict"):
        load_metadata(str(tree))


def test_action_without_definition_in_graphql(tree):
    write(tree / "actions.graphql", "type Query { greet: Greeting! }\ntype Greeting { message: String! }\n")
    with pytest.raises(MetadataDirError, match="declares the action login, which .*actions.graphql does not define"):
        load_metadata(str(tree))


def test_action_in_graphql_without_handler(tree):
    text = (tree / "actions.graphql").read_text(encoding="utf-8") + "\ntype Query { extra: String }\n"
    write(tree / "actions.graphql", text)
    with pytest.raises(MetadataDirError, match="defines extra, which .*actions.yaml has no action for"):
        load_metadata(str(tree))


@pytest.mark.parametrize("text, words", [
    ("type Query { greet(: String }", "expected a name, found :"),
    ("type Query { greet: String", "expected a name, found the end of the file"),
    ("type Query { greet: [String }", "expected ], found }"),
    ("union U = A | B", "defines a union U"),
    ("type Query { greet: String } %", "unexpected '%'"),
])
def test_graphql_that_does_not_parse(tmp_path, text, words):
    path = tmp_path / "actions.graphql"
    write(path, text)
    with pytest.raises(MetadataDirError) as info:
        parse_actions_graphql(str(path))
    assert str(path) in str(info.value) and words in str(info.value)


def test_graphql_extend_implements_directives_and_defaults(tmp_path):
    path = tmp_path / "actions.graphql"
    write(path, '# comment\nextend type Mutation { go(input: [In!]! = [{a: 1}], n: Int = -1 @x(y: "z")): Out }\n'
                'type Out implements Node & Other @key(fields: "id") { id: ID! }\n')
    fields, types = parse_actions_graphql(str(path))
    assert fields["go"]["arguments"] == [{"name": "input", "type": "[In!]!"}, {"name": "n", "type": "Int"}]
    assert types["objects"]["Out"] == {"name": "Out", "fields": [{"name": "id", "type": "ID!"}]}
