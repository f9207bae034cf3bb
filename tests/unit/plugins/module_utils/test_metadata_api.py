# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The metadata API client (_client.MetadataClient) and the metadata rules of _metadata:
canonical form, object paths, redaction, input checks."""

from __future__ import annotations

import copy

import pytest
import requests
from urllib3.exceptions import ProtocolError

from ansible_collections.hasura.cloud.plugins.module_utils import _metadata
from ansible_collections.hasura.cloud.plugins.module_utils._client import (
    AdminSecretError,
    HasuraCloudClient,
    HTTPStatusError,
    MetadataAPIError,
    MetadataConflictError,
    OutcomeUnknownError,
)
from ansible_collections.hasura.cloud.tests.unit.conftest import API_URL, TOKEN, make_response
from ansible_collections.hasura.cloud.tests.unit.plugins.modules.metadata_fixtures import (
    ENDPOINT,
    HEADER_SECRET,
    METADATA,
    METADATA_URL,
    engine_error,
)

EXPORT = {"type": "export_metadata", "version": 2, "args": {}}
ANSWER = {"resource_version": 1, "metadata": {"version": 3, "sources": []}}


def engine(secret="s3cret", max_retries=2):
    return HasuraCloudClient(API_URL, TOKEN, timeout=9, max_retries=max_retries, validate_certs=False).engine(
        ENDPOINT + "/", secret)


def lost():
    return requests.exceptions.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError(104, "reset")))


# --------------------------------------------------------------------------- the client


def test_read_posts_to_the_metadata_url_with_the_admin_secret_and_without_the_token(fake_api):
    fake_api.expect("metadata:export_metadata", make_response(200, ANSWER), check=lambda body: body == EXPORT)
    assert engine().read(EXPORT) == ANSWER
    call = fake_api.calls[0]
    assert call["url"] == METADATA_URL and call["timeout"] == 9 and call["verify"] is False
    assert call["headers"]["X-Hasura-Admin-Secret"] == "s3cret"
    assert "Authorization" not in call["headers"] and TOKEN not in str(call["headers"])


def test_no_admin_secret_header_without_a_secret(fake_api):
    fake_api.expect("metadata:export_metadata", make_response(200, ANSWER))
    engine(secret=None).read(EXPORT)
    assert "X-Hasura-Admin-Secret" not in fake_api.calls[0]["headers"]


@pytest.mark.parametrize("status, code, kind", [
    (401, "access-denied", AdminSecretError),
    (400, "access-denied", AdminSecretError),
    (403, "forbidden", AdminSecretError),
    (409, "conflict", MetadataConflictError),
    (400, "parse-failed", MetadataAPIError),
    (500, "unexpected", MetadataAPIError),
])
def test_error_answers_are_typed(fake_api, status, code, kind):
    fake_api.expect("metadata:export_metadata", engine_error(status, code, "the engine's words", internal=[{"x": 1}]))
    with pytest.raises(kind) as info:
        engine().read(EXPORT)
    assert type(info.value) is kind  # pylint: disable=unidiomatic-typecheck
    err = info.value
    assert (err.status, err.code, err.error, err.internal) == (status, code, "the engine's words", [{"x": 1}])
    assert str(err) == "metadata API error from %s: HTTP %s: the engine's words (code %s)" % (METADATA_URL, status, code)


def test_non_json_answers(fake_api):
    fake_api.expect("metadata:export_metadata", make_response(500, text="<html>oops</html>"))
    with pytest.raises(HTTPStatusError, match="the answer is not JSON from a Hasura engine"):
        engine().read(EXPORT)


def test_reads_are_retried_on_gateway_errors_and_lost_answers(fake_api):
    fake_api.expect("metadata:export_metadata", make_response(503, text="x"))
    fake_api.expect("metadata:export_metadata", lost())
    fake_api.expect("metadata:export_metadata", make_response(200, ANSWER))
    assert engine().read(EXPORT) == ANSWER
    assert len(fake_api.sleeps) == 2


def test_an_unguarded_write_is_not_sent_again(fake_api):
    fake_api.expect("metadata:clear_metadata", make_response(503, text="x"))
    with pytest.raises(OutcomeUnknownError, match="may or may not have been applied"):
        engine().write({"type": "clear_metadata", "args": {}})


def test_a_guarded_write_is_sent_again(fake_api):
    body = _metadata.replace_body(METADATA, 4, False)
    fake_api.expect("metadata:replace_metadata", lost()).expect("metadata:replace_metadata", make_response(200, {}))
    engine().write(body, guarded=True)
    assert [call["body"]["resource_version"] for call in fake_api.calls] == [4, 4]


def test_cannot_connect_hint_names_the_endpoint(fake_api):
    from urllib3.exceptions import MaxRetryError, NewConnectionError  # pylint: disable=import-outside-toplevel
    refused = requests.exceptions.ConnectionError(MaxRetryError(None, "/v1/metadata", NewConnectionError(
        None, "Failed to establish a new connection: [Errno 111] Connection refused")))
    fake_api.expect("metadata:export_metadata", refused)
    with pytest.raises(Exception, match="its endpoint can be reached from where the task runs"):
        engine(max_retries=0).read(EXPORT)


# --------------------------------------------------------------------------- canonical form and paths


def test_key_order_named_list_order_nulls_and_empties_do_not_count():
    shuffled = copy.deepcopy(METADATA)
    source = shuffled["sources"][0]
    source["tables"].reverse()
    source["tables"][0]["object_relationships"] = []
    source["tables"][0]["comment"] = None
    del source["kind"]
    shuffled = dict(reversed(list(shuffled.items())))
    assert _metadata.canonical(shuffled) == _metadata.canonical(METADATA)


def test_defaults_of_the_engine_do_not_count():
    bare = {"version": 3, "sources": [{"name": "db", "configuration": {"connection_info": {"database_url": "x"}},
                                       "tables": [{"table": "author"}], "functions": [{"function": {"name": "f"}}]}]}
    full = {"version": 3, "sources": [{"name": "db", "kind": "postgres", "configuration": {"connection_info": {
        "database_url": "x", "isolation_level": "read-committed", "use_prepared_statements": False}},
        "tables": [{"table": {"schema": "public", "name": "author"}}],
        "functions": [{"function": {"schema": "public", "name": "f"}}]}]}
    assert _metadata.canonical(bare) == _metadata.canonical(full)
    other = copy.deepcopy(full)
    other["sources"][0]["configuration"]["connection_info"]["use_prepared_statements"] = True
    assert _metadata.canonical(other) != _metadata.canonical(full)


def test_order_of_plain_lists_counts():
    one = {"version": 3, "inherited_roles": [{"role_name": "r", "role_set": ["a", "b"]}]}
    two = {"version": 3, "inherited_roles": [{"role_name": "r", "role_set": ["b", "a"]}]}
    assert _metadata.canonical(one) != _metadata.canonical(two)


def test_object_paths():
    metadata = dict(METADATA, remote_schemas=[{"name": "rs", "definition": {}}], api_limits={"disabled": True},
                    custom_types={"objects": [{"name": "Out"}], "enums": []}, cron_triggers=[{"webhook": "x"}])
    paths = sorted(_metadata.object_map(_metadata.canonical(metadata)))
    assert paths == ["actions/login", "api_limits", "cron_triggers/#0", "custom_types/objects/Out",
                     "remote_schemas/rs", "sources/default", "sources/default/tables/public.article",
                     "sources/default/tables/public.author", "version"]


def test_compare():
    assert _metadata.compare({"a": 1, "b": 2, "c": 3}, {"b": 2, "c": 4, "d": 5}) == (["d"], ["c"], ["a"])


# --------------------------------------------------------------------------- secrets


def test_redact_hides_literal_secrets_and_marks_changed_ones():
    value = {"definition": {"headers": [{"name": "A", "value": "one"}, {"name": "B", "value_from_env": "B_ENV"}],
                            "url": "https://u:pw@example.test/graphql", "timeout": 5},
             "configuration": {"connection_info": {"database_url": "postgres://u:pw@db/x"},
                               "service_account": {"private_key": "k"}},
             "request_transform": {"request_headers": {"add_headers": {"X": "y"}}},
             "password": "p", "set": {"value": "kept"}}
    other = copy.deepcopy(value)
    other["definition"]["headers"][0]["value"] = "two"
    shown = _metadata.redact(value, other)
    assert shown["definition"]["headers"] == [{"name": "A", "value": "<hidden, changed>"},
                                              {"name": "B", "value_from_env": "B_ENV"}]
    assert shown["definition"]["url"] == "<hidden>" and shown["definition"]["timeout"] == 5
    assert shown["configuration"] == {"connection_info": {"database_url": "<hidden>"}, "service_account": "<hidden>"}
    assert shown["request_transform"]["request_headers"]["add_headers"] == {"X": "<hidden>"}
    assert shown["password"] == "<hidden>" and shown["set"] == {"value": "kept"}
    assert _metadata.secret_values(value) == {"one", "https://u:pw@example.test/graphql", "postgres://u:pw@db/x",
                                              "k", "y", "p"}


def test_from_env_values_are_no_secrets():
    value = {"database_url": {"from_env": "DB"}, "service_account": {"from_env": "SA"}}
    assert _metadata.redact(value) == value and _metadata.secret_values(value) == set()


def test_inconsistent_objects_are_redacted_and_described():
    objects = [{"type": "remote_schema", "name": "remote_schema rs", "reason": "down",
                "definition": {"headers": [{"name": "K", "value": HEADER_SECRET}]}}]
    assert HEADER_SECRET not in str(_metadata.redact_objects(objects))
    assert _metadata.describe_objects(objects) == "remote_schema rs: down"


@pytest.mark.parametrize("metadata, problem", [
    ({"version": 3}, None),
    ({"version": "3"}, 'metadata.version must be 3 (the metadata format of Hasura v2 engines and of the CLI\'s '
                       'config v3), got "3"'),
    ({"version": 3, "actions": {"a": 1}}, "metadata.actions must be a list of objects"),
    ({"version": 3, "sources": ["default"]}, "metadata.sources must be a list of objects"),
])
def test_metadata_problem(metadata, problem):
    assert _metadata.metadata_problem(metadata) == problem


def test_replace_body():
    assert _metadata.replace_body({"version": 3}, 7, True) == {
        "type": "replace_metadata", "version": 2, "resource_version": 7,
        "args": {"allow_inconsistent_metadata": True, "metadata": {"version": 3}}}
    assert "resource_version" not in _metadata.replace_body({"version": 3}, None, False)
