# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hasura_metadata: every branch, with each Cloud API and metadata API request scripted.

A script lists every request the module may send; an extra one fails the test, so "check
mode sends no replace_metadata" is proven by a script without one.
"""

from __future__ import annotations

import json

import pytest
import requests
from ansible.module_utils import basic
from urllib3.exceptions import ProtocolError

from ansible_collections.hasura.cloud.plugins.modules import hasura_metadata as module
from ansible_collections.hasura.cloud.tests.unit.conftest import TOKEN, data, make_response
from ansible_collections.hasura.cloud.tests.unit.plugins.modules.metadata_fixtures import (
    ADMIN_SECRET,
    DB_PASSWORD,
    ENDPOINT,
    HEADER_SECRET,
    METADATA,
    METADATA_URL,
    MISSING_ENV,
    TENANT_ID,
    conflict,
    desired,
    engine_error,
    env_and_endpoint,
    exported_form,
    metadata_read,
    replaced,
    tenant_node,
)

ENV, READ, REPLACE = "getTenantEnv", "metadata:bulk", "metadata:replace_metadata"
CHANGED = desired(actions=[])  # the action removed


def run(run_module, metadata=None, **args):
    args.setdefault("tenant_id", TENANT_ID)
    args["metadata"] = METADATA if metadata is None else metadata
    check_mode, diff = args.pop("check_mode", False), args.pop("diff", False)
    return run_module(module, dict((k, v) for k, v in args.items() if v is not None), check_mode=check_mode,
                      diff=diff)


def replace_with(resource_version, metadata=None, allow=False):
    def check(body):
        assert body["type"] == "replace_metadata" and body["version"] == 2
        assert body["resource_version"] == resource_version
        assert body["args"] == {"allow_inconsistent_metadata": allow, "metadata": metadata or METADATA}
    return check


def assert_no_secret(result):
    for secret in (ADMIN_SECRET, HEADER_SECRET, DB_PASSWORD, TOKEN):
        assert secret not in result.raw, secret


# --------------------------------------------------------------------------- no-op, change, conflict


def test_no_op_is_one_cloud_request_and_one_metadata_request(fake_api, run_module):
    fake_api.expect(ENV, env_and_endpoint()).expect(READ, metadata_read(exported_form(METADATA)))
    result = run(run_module)
    assert result["changed"] is False, result
    assert (result["resource_version"], result["previous_resource_version"]) == (5, 5)
    assert (result["added"], result["updated"], result["removed"]) == ([], [], [])
    assert result["is_consistent"] is True and result["inconsistent_objects"] == []
    cloud, engine = fake_api.calls
    assert cloud["headers"]["Authorization"] == "pat " + TOKEN
    assert engine["url"] == METADATA_URL
    assert engine["headers"]["X-Hasura-Admin-Secret"] == ADMIN_SECRET
    assert "Authorization" not in engine["headers"]  # the token never goes to the engine
    assert engine["body"] == {"type": "bulk", "args": [{"type": "export_metadata", "version": 2, "args": {}},
                                                       {"type": "get_inconsistent_metadata", "args": {}}]}
    assert_no_secret(result)


def test_change_replaces_with_the_version_just_read_then_reads_back(fake_api, run_module):
    fake_api.expect(ENV, env_and_endpoint()).expect(READ, metadata_read(CHANGED, 5))
    fake_api.expect(REPLACE, replaced(), check=replace_with(5)).expect(READ, metadata_read(METADATA, 6))
    result = run(run_module)
    assert result["changed"] is True
    assert (result["resource_version"], result["previous_resource_version"]) == (6, 5)
    assert (result["added"], result["updated"], result["removed"]) == (["actions/login"], [], [])
    assert_no_secret(result)


def test_updated_and_removed_paths(fake_api, run_module):
    before = desired()
    before["sources"][0]["tables"][0]["select_permissions"][0]["permission"]["columns"] = ["id"]
    before["remote_schemas"] = [{"name": "legacy", "definition": {"url": "https://legacy.example.test"}}]
    fake_api.expect(ENV, env_and_endpoint()).expect(READ, metadata_read(before))
    fake_api.expect(REPLACE, replaced()).expect(READ, metadata_read(METADATA, 6))
    result = run(run_module, diff=True)
    assert result["updated"] == ["sources/default/tables/public.author"]
    assert result["removed"] == ["remote_schemas/legacy"]
    diff = dict((entry["before_header"], entry) for entry in result["diff"])
    assert sorted(diff) == ["remote_schemas/legacy", "sources/default/tables/public.author"]
    assert all(entry["after_header"] == path for path, entry in diff.items())
    assert diff["remote_schemas/legacy"]["after"] is None
    table = diff["sources/default/tables/public.author"]
    assert table["before"]["select_permissions"][0]["permission"]["columns"] == ["id"]
    assert table["after"]["select_permissions"][0]["permission"]["columns"] == ["id", "name"]


def test_conflict_reads_again_and_replaces_with_the_new_version(fake_api, run_module, clock):
    theirs = desired(actions=[], query_collections=[{"name": "theirs", "definition": {"queries": []}}])
    fake_api.expect(ENV, env_and_endpoint()).expect(READ, metadata_read(CHANGED, 5))
    fake_api.expect(REPLACE, conflict(5), check=replace_with(5)).expect(READ, metadata_read(theirs, 6))
    fake_api.expect(REPLACE, replaced(), check=replace_with(6)).expect(READ, metadata_read(METADATA, 7))
    result = run(run_module)
    assert result["changed"] is True and result["resource_version"] == 7
    assert result["added"] == ["actions/login"]
    assert clock.pauses == [0.5]  # backoff_ceiling(0) between the conflict and the new read


def test_conflict_then_the_metadata_is_as_declared(fake_api, run_module, clock):
    fake_api.expect(ENV, env_and_endpoint()).expect(READ, metadata_read(CHANGED, 5))
    fake_api.expect(REPLACE, conflict(5)).expect(READ, metadata_read(METADATA, 6))
    result = run(run_module)
    assert result["changed"] is True and result["resource_version"] == 6


def test_conflicts_are_bounded(fake_api, run_module, clock):
    fake_api.expect(ENV, env_and_endpoint()).expect(READ, metadata_read(CHANGED, 5))
    for version in (5, 6, 7):
        fake_api.expect(REPLACE, conflict(version)).expect(READ, metadata_read(CHANGED, version + 1))
    result = run(run_module, max_retries=0)  # max(3, 0 + 1) rounds
    assert result["failed"] and "could not be replaced in 3 attempts" in result["msg"]
    assert result["previous_resource_version"] == 5 and result["changed"] is False


def test_lost_replace_answer_is_sent_again_and_meets_the_moved_version(fake_api, run_module, clock):
    lost = requests.exceptions.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError(104, "reset")))
    fake_api.expect(ENV, env_and_endpoint()).expect(READ, metadata_read(CHANGED, 5))
    fake_api.expect(REPLACE, lost).expect(REPLACE, conflict(5)).expect(READ, metadata_read(METADATA, 6))
    result = run(run_module)
    assert result["changed"] is True and result["resource_version"] == 6


# --------------------------------------------------------------------------- consistency


def test_inconsistent_metadata_is_refused_naming_each_object(fake_api, run_module):
    fake_api.expect(ENV, env_and_endpoint()).expect(READ, metadata_read(CHANGED, 5))
    fake_api.expect(REPLACE, engine_error(400, "unexpected", "cannot continue due to inconsistent metadata", "$.args",
                                          internal=[MISSING_ENV]))
    result = run(run_module)
    assert result["failed"] and result["changed"] is False
    assert "refused the metadata, nothing was changed: 1 inconsistent objects" in result["msg"]
    assert "source default: Inconsistent object: environment variable 'PG_DATABASE_URL' not set" in result["msg"]
    assert result["inconsistent_objects"][0]["definition"]["headers"][0]["value"] == "<hidden>"
    assert_no_secret(result)


def test_allow_inconsistent_sends_the_flag_returns_the_objects_and_warns(fake_api, run_module):
    fake_api.expect(ENV, env_and_endpoint()).expect(READ, metadata_read(CHANGED, 5))
    fake_api.expect(REPLACE, replaced([MISSING_ENV]), check=replace_with(5, allow=True))
    fake_api.expect(READ, metadata_read(METADATA, 6, [MISSING_ENV]))
    result = run(run_module, allow_inconsistent=True)
    assert result["changed"] is True and result["is_consistent"] is False
    assert [obj["name"] for obj in result["inconsistent_objects"]] == ["source default"]
    # A warning: in the result, or on stderr once controller code was imported (ansible-core 2.19 then displays it).
    assert "finds 1 metadata objects inconsistent: source default" in result.raw
    assert_no_secret(result)


def test_as_declared_but_inconsistent_fails_unless_allowed(fake_api, run_module):
    fake_api.expect(ENV, env_and_endpoint()).expect(READ, metadata_read(METADATA, 5, [MISSING_ENV]))
    result = run(run_module)
    assert result["failed"] and "is as declared, but the engine finds 1 objects inconsistent" in result["msg"]
    fake_api.expect(ENV, env_and_endpoint()).expect(READ, metadata_read(METADATA, 5, [MISSING_ENV]))
    result = run(run_module, allow_inconsistent=True)
    assert result["changed"] is False and result["is_consistent"] is False


def test_other_refusals_are_reported_with_the_engines_words(fake_api, run_module):
    fake_api.expect(ENV, env_and_endpoint()).expect(READ, metadata_read(CHANGED, 5))
    fake_api.expect(REPLACE, engine_error(400, "parse-failed", "multiple declarations exist for the following "
                                          "sources: default", "$.args.metadata"))
    result = run(run_module)
    assert result["failed"] and "multiple declarations exist for the following sources: default" in result["msg"]
    assert "nothing was changed" in result["msg"]


def test_an_engine_message_that_quotes_a_secret_of_the_metadata_is_masked(fake_api, run_module):
    fake_api.expect(ENV, env_and_endpoint()).expect(READ, metadata_read(CHANGED, 5))
    quoting = "bad header value %s for %s" % (HEADER_SECRET, ADMIN_SECRET)
    fake_api.expect(REPLACE, engine_error(400, "parse-failed", quoting))
    result = run(run_module)
    assert result["failed"] and "bad header value ******** for ********" in result["msg"]
    assert_no_secret(result)


# --------------------------------------------------------------------------- check and diff mode


def test_check_mode_compares_and_sends_nothing(fake_api, run_module):
    fake_api.expect(ENV, env_and_endpoint()).expect(READ, metadata_read(CHANGED, 5))
    result = run(run_module, check_mode=True, diff=True)
    assert result["changed"] is True and result["added"] == ["actions/login"]
    assert result["resource_version"] == 5 and result["is_consistent"] is None
    assert [(d["before_header"], d["before"]) for d in result["diff"]] == [("actions/login", None)]
    assert result["diff"][0]["after"]["name"] == "login"
    assert fake_api.fields() == [ENV, READ]


def test_diff_hides_literal_secrets_unless_show_values(fake_api, run_module):
    before = desired()
    before["actions"][0]["definition"]["headers"][0]["value"] = "old-" + HEADER_SECRET
    before["sources"][0]["configuration"]["connection_info"]["database_url"] = "postgres://app:%s@db/app" % DB_PASSWORD
    for show in (False, True):
        fake_api.expect(ENV, env_and_endpoint()).expect(READ, metadata_read(before, 5))
        result = run(run_module, check_mode=True, diff=True, show_values=show)
        diff = dict((entry["before_header"], entry) for entry in result["diff"])
        headers = dict((h["name"], h) for h in diff["actions/login"]["after"]["definition"]["headers"])
        url = diff["sources/default"]["before"]["configuration"]["connection_info"]["database_url"]
        if show:
            assert headers["X-Token"]["value"] == HEADER_SECRET and DB_PASSWORD in url
        else:
            assert headers["X-Token"]["value"] == "<hidden, changed>"
            assert headers["X-Env"] == {"name": "X-Env", "value_from_env": "ACTION_KEY"}
            assert url == "<hidden>"
            assert_no_secret(result)


def test_no_diff_without_diff_mode(fake_api, run_module):
    fake_api.expect(ENV, env_and_endpoint()).expect(READ, metadata_read(METADATA))
    assert "diff" not in run(run_module)


# --------------------------------------------------------------------------- secrets in the output


def test_arguments_echoed_at_vvv_hold_no_secret(fake_api, run_module):
    fake_api.expect("tenant_by_pk", data({"tenant_by_pk": tenant_node()})).expect(READ, metadata_read(METADATA))
    with_password = desired()
    with_password["sources"][0]["configuration"]["connection_info"]["database_url"] = "postgres://a:%s@h/d" % DB_PASSWORD
    fake_api.steps[1].answer = metadata_read(with_password)
    result = run(run_module, metadata=with_password, admin_secret=ADMIN_SECRET)
    args = result["invocation"]["module_args"]
    assert args["admin_secret"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert args["metadata"] == ("(not shown: a metadata object of version 3, 1 sources, 2 tables, 3 top-level keys; "
                                "run with --diff to see what differs)")
    assert_no_secret(result)


def test_the_hosts_log_gets_no_secret_of_the_metadata(fake_api, run_module, monkeypatch):
    logged = []
    monkeypatch.setattr(basic.AnsibleModule, "log", lambda self, msg, log_args=None: logged.append(msg))
    fake_api.expect(ENV, env_and_endpoint()).expect(READ, metadata_read(METADATA))
    run(run_module)
    assert len(logged) == 1 and "metadata=(not shown: a metadata object of version 3" in logged[0]
    assert HEADER_SECRET not in logged[0] and "tenant_id=%s" % TENANT_ID in logged[0]


def test_short_admin_secret_does_not_garble_the_result(fake_api, run_module):
    fake_api.expect("tenant_by_pk", data({"tenant_by_pk": tenant_node()})).expect(READ, metadata_read(METADATA, 1))
    result = run(run_module, admin_secret="1")
    assert result["resource_version"] == 1 and result["tenant_id"] == TENANT_ID
    assert fake_api.calls[1]["headers"]["X-Hasura-Admin-Secret"] == "1"


# --------------------------------------------------------------------------- how the project is found


def test_tenant_name_costs_a_lookup_then_the_env(fake_api, run_module):
    project = dict(tenant_node()["project"], tenant={k: v for k, v in tenant_node().items() if k != "project"})
    fake_api.expect("projects", data({"projects": [project]}))
    fake_api.expect(ENV, data({"getTenantEnv": {"hash": "h", "envVars": {"environment": {
        "HASURA_GRAPHQL_ADMIN_SECRET": ADMIN_SECRET}}}}))
    fake_api.expect(READ, metadata_read(METADATA))
    result = run(run_module, tenant_id=None, tenant_name="my-app")
    assert result["tenant_id"] == TENANT_ID and result["changed"] is False


def test_given_admin_secret_skips_the_env(fake_api, run_module):
    fake_api.expect("tenant_by_pk", data({"tenant_by_pk": tenant_node()})).expect(READ, metadata_read(METADATA))
    run(run_module, admin_secret="given-secret-value")
    assert fake_api.calls[1]["headers"]["X-Hasura-Admin-Secret"] == "given-secret-value"


def test_project_without_admin_secret_sends_none(fake_api, run_module):
    fake_api.expect(ENV, env_and_endpoint(env={})).expect(READ, metadata_read(METADATA))
    run(run_module)
    assert "X-Hasura-Admin-Secret" not in fake_api.calls[1]["headers"]


def test_unknown_tenant(fake_api, run_module):
    fake_api.expect(ENV, data({"getTenantEnv": None, "tenant_by_pk": None}))
    result = run(run_module)
    assert result["failed"] and "tenant %s not found" % TENANT_ID in result["msg"]


# --------------------------------------------------------------------------- engine errors


@pytest.mark.parametrize("status, error", [
    (401, "invalid x-hasura-admin-secret/x-hasura-access-key"),
    (401, "x-hasura-admin-secret/x-hasura-access-key required, but not found"),
    (403, "invalid x-hasura-admin-secret/x-hasura-access-key"),
])
def test_wrong_admin_secret(fake_api, run_module, status, error):
    fake_api.expect(ENV, env_and_endpoint()).expect(READ, engine_error(status, "access-denied", error))
    result = run(run_module)
    assert result["failed"]
    assert "the engine of project my-app (tenant %s) refused the admin secret" % TENANT_ID in result["msg"]
    assert "(read from its env (HASURA_GRAPHQL_ADMIN_SECRET)): %s" % error in result["msg"]
    assert_no_secret(result)


def test_engine_that_is_still_starting(fake_api, run_module, health):
    health.statuses = [503]
    unavailable = make_response(503, text="Service Unavailable")
    fake_api.expect(ENV, env_and_endpoint()).expect(READ, unavailable).expect(READ, unavailable)
    result = run(run_module, max_retries=1)
    assert result["failed"]
    assert "the engine of project my-app (tenant %s) is not serving yet" % TENANT_ID in result["msg"]
    assert "GET %s/healthz answers HTTP 503" % ENDPOINT in result["msg"]
    assert health.urls == [ENDPOINT + "/healthz"]


def test_503_from_a_gateway_while_the_engine_is_healthy_is_reported_as_it_is(fake_api, run_module, health):
    unavailable = make_response(503, text="<html>503</html>")
    fake_api.expect(ENV, env_and_endpoint()).expect(READ, unavailable)
    result = run(run_module, max_retries=0)
    assert result["failed"] and result["msg"].startswith("HTTP 503")


def test_an_answer_that_is_not_a_metadata_read(fake_api, run_module):
    fake_api.expect(ENV, env_and_endpoint()).expect(READ, make_response(200, {"message": "success"}))
    result = run(run_module)
    assert result["failed"] and "answered the metadata read in an unexpected form" in result["msg"]


# --------------------------------------------------------------------------- input


@pytest.mark.parametrize("args, fragment", [
    ({"metadata": {"version": 2, "tables": []}}, "metadata.version must be 3"),
    ({"metadata": {"sources": []}}, "metadata.version must be 3"),
    ({"metadata": {"version": 3, "sources": {"default": {}}}}, "metadata.sources must be a list of objects"),
    ({"metadata": None}, "one of the following is required: metadata, src"),
    ({"metadata": None, "src": "/tmp/md"}, "src is read on the controller by the action plugin"),
    ({"tenant_id": "nope"}, "tenant_id must be a UUID"),
    ({"admin_secret": " "}, "admin_secret must not be empty"),
])
def test_bad_input_fails_before_any_request(fake_api, run_module, args, fragment):
    full = {"tenant_id": TENANT_ID, "metadata": METADATA}
    full.update(args)
    result = run_module(module, full)
    assert result["failed"] and fragment in result["msg"], result["msg"]
    assert fake_api.calls == []


def test_metadata_that_is_not_a_dict_is_refused_by_the_argument_spec(fake_api, run_module):
    result = run_module(module, {"tenant_id": TENANT_ID, "metadata": ["version", 3]})
    assert result["failed"] and "metadata" in result["msg"] and "dict" in result["msg"]
    assert fake_api.calls == []


def test_result_is_json_serialisable_and_plain(fake_api, run_module):
    fake_api.expect(ENV, env_and_endpoint()).expect(READ, metadata_read(METADATA))
    result = run(run_module)
    json.dumps(dict(result))
    assert sorted(k for k in result if k not in ("invocation", "warnings")) == sorted([
        "changed", "tenant_id", "resource_version", "previous_resource_version", "is_consistent",
        "inconsistent_objects", "added", "updated", "removed"])
