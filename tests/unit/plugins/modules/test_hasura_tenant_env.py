# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hasura_tenant_env: every branch, with each HTTP request scripted.

A test's script lists every request the module may send; an extra request fails the
test, so "no mutation" is proven by a script without one.
"""

from __future__ import annotations

import hashlib
import json

import pytest
import requests

from ansible_collections.hasura.cloud.plugins.modules import hasura_tenant_env as module
from ansible_collections.hasura.cloud.tests.unit.conftest import TOKEN, data, gql_error, make_response

TID = "a1b0c1d0-0e53-4520-a560-1b02bf522f08"
GET, UPDATE, DELETE, FIND = "getTenantEnv", "updateTenantEnv", "deleteTenantEnv", "projects"
CONFLICT = "env hash mismatch: currentHash %s is stale, the environment changed since it was read"


def env_hash(env):
    return hashlib.sha1(json.dumps(env, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def answer(field, env, hash_=None):
    return data({field: {"hash": hash_ or env_hash(env), "envVars": {"environment": env}}})


def conflict(given="x"):
    return gql_error(CONFLICT % given, code="constraint-violation")


def expect_vars(**expected):
    def check(variables):
        for key, value in expected.items():
            assert variables[key] == value, "%s: %r != %r" % (key, variables[key], value)
    return check


def strings_in(obj):
    """Every string (values and keys) in a decoded JSON document."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield key
            yield from strings_in(value)
    elif isinstance(obj, list):
        for item in obj:
            yield from strings_in(item)
    elif isinstance(obj, str):
        yield obj


def run(run_module, args, **kwargs):
    base = {"tenant_id": TID}
    base.update(args)
    return run_module(module, base, **kwargs)


# --------------------------------------------------------------------------- the main branches


def test_noop_makes_one_request(fake_api, run_module):
    env = {"A": "1", "B": "x"}
    fake_api.expect(GET, answer(GET, env), check=expect_vars(tenantId=TID))
    result = run(run_module, {"env": {"A": 1, "B": "x"}})
    assert result["changed"] is False
    assert result["hash"] == result["previous_hash"] == env_hash(env)
    assert result["unchanged"] == ["A", "B"]
    assert result["added"] == result["updated"] == result["removed"] == []
    assert result["tenant_id"] == TID
    assert "diff" not in result
    assert fake_api.fields() == [GET]


def test_add(fake_api, run_module):
    before = {"A": "1"}
    after = {"A": "1", "B": "2"}
    fake_api.expect(GET, answer(GET, before))
    fake_api.expect(UPDATE, answer(UPDATE, after),
                    check=expect_vars(tenantId=TID, currentHash=env_hash(before), envs=[{"key": "B", "value": "2"}]))
    result = run(run_module, {"env": {"A": "1", "B": 2}})
    assert result["changed"] is True
    assert result["added"] == ["B"] and result["unchanged"] == ["A"]
    assert result["previous_hash"] == env_hash(before) and result["hash"] == env_hash(after)
    assert fake_api.fields() == [GET, UPDATE]


def test_update_normalises_values_in_one_request(fake_api, run_module):
    before = {"A": "0", "B": "no", "C": "1"}
    after = {"A": "1.5", "B": "true", "C": "1", "D": "false"}
    fake_api.expect(GET, answer(GET, before))
    fake_api.expect(UPDATE, answer(UPDATE, after), check=expect_vars(envs=[
        {"key": "A", "value": "1.5"}, {"key": "B", "value": "true"}, {"key": "D", "value": "false"}]))
    result = run(run_module, {"env": {"A": 1.5, "B": True, "C": 1, "D": False}})
    assert result["changed"] is True
    assert result["updated"] == ["A", "B"] and result["added"] == ["D"] and result["unchanged"] == ["C"]


def test_non_string_values_read_back_compare_as_text(fake_api, run_module):
    fake_api.expect(GET, data({GET: {"hash": "h0", "envVars": {"N": 5, "B": True}}}))  # flat object, non-strings
    result = run(run_module, {"env": {"N": "5", "B": True}})
    assert result["changed"] is False and result["unchanged"] == ["B", "N"]


def test_add_and_purge_makes_three_requests_with_chained_hashes(fake_api, run_module):
    before = {"HASURA_GRAPHQL_ADMIN_SECRET": "s", "OLD": "o", "KEEP": "k"}
    middle = dict(before, NEW="n")
    after = {"HASURA_GRAPHQL_ADMIN_SECRET": "s", "KEEP": "k", "NEW": "n"}
    fake_api.expect(GET, answer(GET, before))
    fake_api.expect(UPDATE, answer(UPDATE, middle), check=expect_vars(currentHash=env_hash(before)))
    fake_api.expect(DELETE, answer(DELETE, after), check=expect_vars(currentHash=env_hash(middle), keys=["OLD"]))
    result = run(run_module, {"env": {"NEW": "n", "KEEP": "k"}, "purge": True})
    assert result["changed"] is True
    assert result["added"] == ["NEW"] and result["removed"] == ["OLD"] and result["unchanged"] == ["KEEP"]
    assert result["hash"] == env_hash(after)
    assert fake_api.fields() == [GET, UPDATE, DELETE]


def test_purge_only_removes_with_default_exclude(fake_api, run_module):
    before = {"HASURA_GRAPHQL_ADMIN_SECRET": "s", "HASURA_GRAPHQL_DATABASE_URL": "u", "A": "1", "B": "2", "C": "3"}
    after = {"HASURA_GRAPHQL_ADMIN_SECRET": "s", "HASURA_GRAPHQL_DATABASE_URL": "u", "A": "1"}
    fake_api.expect(GET, answer(GET, before))
    fake_api.expect(DELETE, answer(DELETE, after), check=expect_vars(keys=["B", "C"]))
    result = run(run_module, {"env": {"A": "1"}, "purge": True})
    assert result["removed"] == ["B", "C"] and result["changed"] is True


def test_purge_custom_exclude(fake_api, run_module):
    before = {"HASURA_GRAPHQL_ADMIN_SECRET": "s", "KEEP_ME": "k", "keep_me": "l", "A": "1"}
    after = {"KEEP_ME": "k", "A": "1"}
    fake_api.expect(GET, answer(GET, before))
    fake_api.expect(DELETE, answer(DELETE, after), check=expect_vars(keys=["HASURA_GRAPHQL_ADMIN_SECRET", "keep_me"]))
    result = run(run_module, {"env": {"A": "1"}, "purge": True, "purge_exclude": ["KEEP_*"]})
    assert result["removed"] == ["HASURA_GRAPHQL_ADMIN_SECRET", "keep_me"]


def test_purge_with_empty_env_and_nothing_to_remove(fake_api, run_module):
    fake_api.expect(GET, answer(GET, {"HASURA_GRAPHQL_X": "1"}))
    result = run(run_module, {"env": {}, "purge": True})
    assert result["changed"] is False and result["removed"] == []


def test_absent(fake_api, run_module):
    before = {"A": "1", "B": "2"}
    after = {"B": "2"}
    fake_api.expect(GET, answer(GET, before))
    fake_api.expect(DELETE, answer(DELETE, after), check=expect_vars(keys=["A"], currentHash=env_hash(before)))
    result = run(run_module, {"env": {"A": None, "MISSING": ["ignored"]}, "state": "absent"})
    assert result["changed"] is True
    assert result["removed"] == ["A"] and result["unchanged"] == ["MISSING"]
    assert fake_api.fields() == [GET, DELETE]


def test_absent_noop(fake_api, run_module):
    fake_api.expect(GET, answer(GET, {"B": "2"}))
    result = run(run_module, {"env": {"A": "x"}, "state": "absent"})
    assert result["changed"] is False and result["unchanged"] == ["A"]


# --------------------------------------------------------------------------- check and diff


def test_check_mode_sends_no_mutation(fake_api, run_module):
    before = {"A": "1", "OLD": "o"}
    fake_api.expect(GET, answer(GET, before))  # nothing else: any mutation fails the test
    result = run(run_module, {"env": {"A": "2", "NEW": "n"}, "purge": True}, check_mode=True)
    assert result["changed"] is True
    assert result["added"] == ["NEW"] and result["updated"] == ["A"] and result["removed"] == ["OLD"]
    assert result["hash"] == result["previous_hash"] == env_hash(before)


def test_check_mode_noop(fake_api, run_module):
    fake_api.expect(GET, answer(GET, {"A": "1"}))
    result = run(run_module, {"env": {"A": "1"}}, check_mode=True)
    assert result["changed"] is False


def test_diff_hides_values(fake_api, run_module):
    before = {"A": "old-secret-value", "OLD": "old-removed-value", "SAME": "same-value"}
    after = {"A": "new-secret-value", "SAME": "same-value", "NEW": "added-secret-value"}
    middle = dict(before, A="new-secret-value", NEW="added-secret-value")
    fake_api.expect(GET, answer(GET, before))
    fake_api.expect(UPDATE, answer(UPDATE, middle))
    fake_api.expect(DELETE, answer(DELETE, after))
    result = run(run_module, {"env": {"A": "new-secret-value", "SAME": "same-value", "NEW": "added-secret-value"},
                              "purge": True}, diff=True)
    assert result["diff"] == {
        "before": {"A": "<hidden>", "OLD": "<hidden>", "SAME": "<hidden>"},
        "after": {"A": "<hidden, changed>", "NEW": "<hidden>", "SAME": "<hidden>"},
    }
    for value in ("old-secret-value", "old-removed-value", "same-value", "new-secret-value", "added-secret-value"):
        assert value not in result.raw


def test_diff_in_check_mode(fake_api, run_module):
    fake_api.expect(GET, answer(GET, {"A": "1"}))
    result = run(run_module, {"env": {"A": "2", "B": "3"}}, check_mode=True, diff=True)
    assert result["diff"] == {"before": {"A": "<hidden>"}, "after": {"A": "<hidden, changed>", "B": "<hidden>"}}


def test_diff_show_values(fake_api, run_module):
    before = {"A": "old-secret-value"}
    after = {"A": "new-secret-value"}
    fake_api.expect(GET, answer(GET, before))
    fake_api.expect(UPDATE, answer(UPDATE, after))
    result = run(run_module, {"env": {"A": "new-secret-value"}, "show_values": True}, diff=True)
    assert result["diff"] == {"before": before, "after": after}
    # Still redacted in the echoed arguments.
    assert result["invocation"]["module_args"]["env"] == {"A": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"}


# --------------------------------------------------------------------------- secrets in the output


def test_short_values_do_not_garble_hash_or_names(fake_api, run_module):
    # Values that occur inside the hash, the tenant id and the key names.
    before = {"true_value": "x"}
    wanted = {"KEY_1": "1", "true_value": "true", "A_a": "a", "ZERO_0": "0", "LONG": "Sup3r-Secret-Value"}
    after = dict(wanted)
    h0, h1 = "a1b0" * 10, "0a1e" * 10
    fake_api.expect(GET, answer(GET, before, h0))
    fake_api.expect(UPDATE, answer(UPDATE, after, h1))
    result = run(run_module, {"env": wanted}, diff=True)
    assert result["hash"] == h1 and result["previous_hash"] == h0
    assert result["tenant_id"] == TID
    assert result["added"] == ["A_a", "KEY_1", "LONG", "ZERO_0"]
    assert result["updated"] == ["true_value"]
    assert set(result["diff"]["after"]) == set(wanted)
    assert result["invocation"]["module_args"]["env"] == dict.fromkeys(wanted, "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER")
    assert "********" not in result.raw
    # No value anywhere: not as any JSON string, not quoted in the raw text, not as a substring of a long one.
    for text in strings_in(dict(result)):
        assert text not in wanted.values(), text
    for value in wanted.values():
        assert json.dumps(value) not in result.raw
    assert "Sup3r-Secret-Value" not in result.raw
    assert TOKEN not in result.raw


def test_failure_message_keeps_key_names_with_short_values(fake_api, run_module):
    result = run(run_module, {"env": {"KEY_1": "1", "LIST_1": [1]}})
    assert result["failed"] is True
    assert "env value of LIST_1 is a list" in result["msg"]
    assert json.dumps("1") not in result.raw
    assert fake_api.calls == []


def test_service_error_echoing_a_value_is_masked(fake_api, run_module):
    fake_api.expect(GET, answer(GET, {}))
    fake_api.expect(UPDATE, gql_error("value Sup3r-Secret-Value is invalid", code="validation-failed"))
    fake_api.expect(GET, answer(GET, {}))  # the hash did not move: not a conflict, the service's error
    result = run(run_module, {"env": {"A": "Sup3r-Secret-Value"}})
    assert result["failed"] is True
    assert result["msg"] == "Hasura Cloud API error: value ******** is invalid (code validation-failed)"
    assert "Sup3r-Secret-Value" not in result.raw


# --------------------------------------------------------------------------- concurrency


def test_conflict_then_success_keeps_other_writers_keys(fake_api, run_module):
    first = {"A": "1"}
    other = {"A": "1", "THEIRS": "t"}  # written by someone else in between
    final = {"A": "1", "THEIRS": "t", "MINE": "m"}
    fake_api.expect(GET, answer(GET, first))
    fake_api.expect(UPDATE, conflict(env_hash(first)), check=expect_vars(currentHash=env_hash(first)))
    fake_api.expect(GET, answer(GET, other))
    fake_api.expect(UPDATE, answer(UPDATE, final),
                    check=expect_vars(currentHash=env_hash(other), envs=[{"key": "MINE", "value": "m"}]))
    result = run(run_module, {"env": {"MINE": "m"}})
    assert result["changed"] is True
    assert result["added"] == ["MINE"] and result["removed"] == []
    assert result["previous_hash"] == env_hash(first) and result["hash"] == env_hash(final)
    assert fake_api.fields() == [GET, UPDATE, GET, UPDATE]


def test_conflict_on_delete_after_update(fake_api, run_module):
    first = {"OLD": "o"}
    middle = {"OLD": "o", "NEW": "n"}
    other = {"OLD": "o", "NEW": "n", "THEIRS": "t"}
    final = {"NEW": "n", "THEIRS": "t"}
    fake_api.expect(GET, answer(GET, first))
    fake_api.expect(UPDATE, answer(UPDATE, middle))
    fake_api.expect(DELETE, conflict(), check=expect_vars(currentHash=env_hash(middle)))
    fake_api.expect(GET, answer(GET, other))
    fake_api.expect(DELETE, answer(DELETE, final), check=expect_vars(currentHash=env_hash(other), keys=["OLD"]))
    result = run(run_module, {"env": {"NEW": "n"}, "purge": True, "purge_exclude": ["THEIRS"]})
    assert result["changed"] is True
    assert result["added"] == ["NEW"] and result["removed"] == ["OLD"]


def test_outcome_unknown_then_reread_shows_applied(fake_api, run_module):
    first = {"A": "1"}
    applied = {"A": "1", "B": "2"}
    fake_api.expect(GET, answer(GET, first))
    fake_api.expect(UPDATE, requests.exceptions.ReadTimeout("read timed out"))
    fake_api.expect(GET, answer(GET, applied))  # no second write: the script would fail on one
    result = run(run_module, {"env": {"A": "1", "B": "2"}})
    assert result["changed"] is True
    assert result["added"] == ["B"]
    assert result["hash"] == env_hash(applied) and result["previous_hash"] == env_hash(first)


def test_outcome_unknown_then_reread_shows_not_applied(fake_api, run_module):
    first = {"A": "1"}
    applied = {"A": "1", "B": "2"}
    fake_api.expect(GET, answer(GET, first))
    fake_api.expect(UPDATE, make_response(502, text="<html>bad gateway</html>"))
    fake_api.expect(GET, answer(GET, first))
    fake_api.expect(UPDATE, answer(UPDATE, applied))
    result = run(run_module, {"env": {"B": "2"}})
    assert result["changed"] is True and result["added"] == ["B"]
    assert fake_api.sleeps == []  # the mutation was not retried by the client


@pytest.mark.parametrize("max_retries, rounds", [(0, 3), (2, 3), (4, 5)])
def test_conflicts_exhausted(fake_api, run_module, max_retries, rounds):
    for index in range(rounds):
        env = {"N": str(index)}
        fake_api.expect(GET, answer(GET, env))
        fake_api.expect(UPDATE, conflict(env_hash(env)))
    fake_api.expect(GET, answer(GET, {"N": "last"}))  # each failed write is judged by a read
    result = run(run_module, {"env": {"MINE": "m"}, "max_retries": max_retries})
    assert result["failed"] is True
    assert "could not be written in %d attempts" % rounds in result["msg"]
    assert TID in result["msg"]
    assert "hash conflict" in result["msg"]
    assert "Traceback" not in result.raw


@pytest.mark.parametrize("code", ["validation-failed", "constraint-violation", "unexpected", None])
def test_write_error_with_an_unmoved_hash_is_not_retried(fake_api, run_module, code):
    # Whatever the code (the real service's for a stale hash is not public): the read decides.
    fake_api.expect(GET, answer(GET, {}))
    fake_api.expect(UPDATE, gql_error("invalid environment variable name", code=code))
    fake_api.expect(GET, answer(GET, {}))
    result = run(run_module, {"env": {"A": "1"}})
    assert result["failed"] is True and "invalid environment variable name" in result["msg"]
    assert fake_api.fields() == [GET, UPDATE, GET]


@pytest.mark.parametrize("code", ["constraint-violation", "unexpected", None])
def test_write_error_with_a_moved_hash_is_a_conflict(fake_api, run_module, code):
    first, other = {"A": "0"}, {"A": "0", "THEIRS": "t"}
    fake_api.expect(GET, answer(GET, first))
    fake_api.expect(UPDATE, gql_error("something went wrong", code=code))
    fake_api.expect(GET, answer(GET, other))
    fake_api.expect(UPDATE, answer(UPDATE, dict(other, A="1")), check=expect_vars(currentHash=env_hash(other)))
    result = run(run_module, {"env": {"A": "1"}})
    assert result["changed"] is True and result["updated"] == ["A"]


def test_nothing_changed_in_config_means_the_env_holds_the_values(fake_api, run_module):
    # The service may judge values equal where the plan saw a difference: its word is final.
    fake_api.expect(GET, answer(GET, {"A": "1"}, hash_="h1"))
    fake_api.expect(UPDATE, gql_error("nothing changed in config", code="unexpected"))
    fake_api.expect(GET, answer(GET, {"A": "1"}, hash_="h1"))
    result = run(run_module, {"env": {"A": "01"}})
    assert result["changed"] is False
    assert result["hash"] == result["previous_hash"] == "h1"
    assert result["updated"] == [] and result["added"] == []


def test_lost_answer_in_the_last_round_but_applied_succeeds(fake_api, run_module):
    for index in range(2):
        env = {"N": str(index)}
        fake_api.expect(GET, answer(GET, env))
        fake_api.expect(UPDATE, conflict(env_hash(env)))
    fake_api.expect(GET, answer(GET, {"N": "2"}))
    fake_api.expect(UPDATE, requests.exceptions.ReadTimeout("read timed out"))
    fake_api.expect(GET, answer(GET, {"N": "2", "MINE": "m"}))
    result = run(run_module, {"env": {"MINE": "m"}, "max_retries": 0})
    assert result["changed"] is True and result["added"] == ["MINE"]


# --------------------------------------------------------------------------- wait

ENV_AND_ENDPOINT = "getTenantEnv"  # the combined read's first root field


def env_and_endpoint(env, name="my-app"):
    return data({"getTenantEnv": {"hash": env_hash(env), "envVars": {"environment": env}},
                 "tenant_by_pk": {"id": TID, "project": {"name": name, "endpoint": "https://%s.hasura.app" % name}}})


def test_wait_after_a_change_polls_the_projects_healthz(fake_api, run_module, health, clock):
    fake_api.expect(ENV_AND_ENDPOINT, env_and_endpoint({}))
    fake_api.expect(UPDATE, answer(UPDATE, {"A": "1"}))
    health.statuses = [503, 503, 200]
    result = run(run_module, {"env": {"A": "1"}, "wait": True})
    assert result["changed"] is True
    assert "tenant_by_pk(id: $tenantId)" in fake_api.calls[0]["query"]
    assert fake_api.fields() == [GET, UPDATE]  # the endpoint came with the first read
    assert health.urls == ["https://my-app.hasura.app/healthz"] * 3
    assert clock.pauses == [1.0, 2.0]


def test_wait_without_change_checks_once(fake_api, run_module, health, clock):
    fake_api.expect(ENV_AND_ENDPOINT, env_and_endpoint({"A": "1"}))
    result = run(run_module, {"env": {"A": "1"}, "wait": True})
    assert result["changed"] is False
    assert len(fake_api.calls) == 1 and health.urls == ["https://my-app.hasura.app/healthz"]


def test_wait_by_name_uses_the_endpoint_of_the_lookup(fake_api, run_module, health, clock):
    project = {"id": "p1", "name": "my-app", "endpoint": "https://my-app.hasura.app", "plan_name": "cloud_free",
               "tenant": {"id": TID, "slug": "my-app", "cloud": "aws", "region": "us-east-2"}}
    fake_api.expect(FIND, data({"projects": [project]}))
    fake_api.expect(GET, answer(GET, {}))
    fake_api.expect(UPDATE, answer(UPDATE, {"A": "1"}))
    result = run_module(module, {"tenant_name": "my-app", "env": {"A": "1"}, "wait": True})
    assert result["changed"] is True
    assert health.urls == ["https://my-app.hasura.app/healthz"]


def test_wait_timeout_keeps_the_change_and_reports_it(fake_api, run_module, health, clock):
    fake_api.expect(ENV_AND_ENDPOINT, env_and_endpoint({}))
    fake_api.expect(UPDATE, answer(UPDATE, {"A": "1"}))
    health.statuses = [503]
    result = run(run_module, {"env": {"A": "1"}, "wait": True, "wait_timeout": 5})
    assert result["failed"] is True
    assert TID in result["msg"] and "after its environment changed (the change is kept)" in result["msg"]
    assert result["changed"] is True and result["added"] == ["A"] and result["hash"] == env_hash({"A": "1"})
    assert sum(clock.pauses) == 5


def test_check_mode_never_waits(fake_api, run_module, health, clock):
    fake_api.expect(ENV_AND_ENDPOINT, env_and_endpoint({}))
    result = run(run_module, {"env": {"A": "1"}, "wait": True}, check_mode=True)
    assert result["changed"] is True
    assert health.urls == []


def test_negative_wait_timeout_fails_before_any_request(fake_api, run_module):
    result = run(run_module, {"env": {"A": "1"}, "wait_timeout": -1})
    assert result["failed"] is True and "wait_timeout must be 0 or more" in result["msg"]
    assert fake_api.calls == []


# --------------------------------------------------------------------------- tenants


def test_tenant_name_lookup(fake_api, run_module):
    project = {"id": "p1", "name": "my-app", "endpoint": "http://x/v1/graphql", "plan_name": "cloud_free",
               "tenant": {"id": TID, "slug": "s", "cloud": "aws", "region": "us-east-2"}}
    fake_api.expect(FIND, data({"projects": [project]}), check=expect_vars(name="my-app"))
    fake_api.expect(GET, answer(GET, {"A": "1"}), check=expect_vars(tenantId=TID))
    result = run_module(module, {"tenant_name": "my-app", "env": {"A": "1"}})
    assert result["changed"] is False and result["tenant_id"] == TID
    assert fake_api.fields() == [FIND, GET]


def test_tenant_name_not_found(fake_api, run_module):
    fake_api.expect(FIND, data({"projects": []}))
    result = run_module(module, {"tenant_name": "nope", "env": {"A": "1"}})
    assert result["failed"] is True
    assert result["msg"] == "tenant 'nope' not found: no project of that name is visible to this token"


def test_unknown_tenant_id(fake_api, run_module):
    fake_api.expect(GET, gql_error("tenant %s does not exist" % TID, code="not-exists"))
    result = run(run_module, {"env": {"A": "1"}})
    assert result["failed"] is True
    assert "tenant %s does not exist" % TID in result["msg"]


def test_auth_failure(fake_api, run_module):
    fake_api.expect(GET, gql_error("invalid Authorization header: a valid personal access token is required",
                                   code="invalid-headers"))
    result = run(run_module, {"env": {"A": "1"}})
    assert result["failed"] is True
    assert result["msg"].startswith("authentication failed: check api_token / HASURA_CLOUD_PAT")
    assert TOKEN not in result.raw


def test_transport_failure(fake_api, run_module):
    for dummy in range(2):
        fake_api.expect(GET, requests.exceptions.ReadTimeout("slow"))
    result = run(run_module, {"env": {"A": "1"}, "max_retries": 1})
    assert result["failed"] is True and "within 30 seconds" in result["msg"]


# --------------------------------------------------------------------------- validation before any request


@pytest.mark.parametrize("env, fragment", [
    ({"1BAD": "x"}, "env key '1BAD' is not a valid variable name"),
    ({"A-B": "x"}, "'A-B'"),
    ({"NULL_KEY": None}, "env value of NULL_KEY is null"),
    ({"LIST_KEY": ["secret-a", "secret-b"]}, "env value of LIST_KEY is a list"),
    ({"DICT_KEY": {"secret-k": "secret-v"}}, "env value of DICT_KEY is a dict"),
])
def test_bad_env_fails_before_any_request(fake_api, run_module, env, fragment):
    result = run(run_module, {"env": env})
    assert result["failed"] is True
    assert fragment in result["msg"]
    assert "secret-" not in result.raw
    assert fake_api.calls == []


@pytest.mark.parametrize("tenant_id", ["not-a-uuid", TID + "0", "7a79cf94 0e53 4520 a560 1b02bf522f08"])
def test_invalid_uuid(fake_api, run_module, tenant_id):
    result = run_module(module, {"tenant_id": tenant_id, "env": {"A": "1"}})
    assert result["failed"] is True
    assert "tenant_id must be a UUID" in result["msg"]
    assert fake_api.calls == []


def test_tenant_given_as_null_fails_before_any_request(fake_api, run_module):
    result = run_module(module, {"tenant_name": None, "env": {"A": "1"}})
    assert result["failed"] is True
    assert "one of the following is required: tenant_id, tenant_name" in result["msg"]
    assert fake_api.calls == []


def test_purge_with_absent_fails(fake_api, run_module):
    result = run(run_module, {"env": {"A": "1"}, "state": "absent", "purge": True})
    assert result["failed"] is True and "purge=true applies only to state=present" in result["msg"]


def test_empty_purge_exclude_pattern_fails(fake_api, run_module):
    result = run(run_module, {"env": {"A": "1"}, "purge": True, "purge_exclude": [""]})
    assert result["failed"] is True and "purge_exclude" in result["msg"]


def test_missing_token(fake_api, run_module, monkeypatch):
    monkeypatch.delenv("HASURA_CLOUD_PAT", raising=False)
    result = run_module(module, {"api_url": "https://api.example.test/v1/graphql", "tenant_id": TID,
                                 "env": {"A": "1"}}, with_defaults=False)
    assert result["failed"] is True
    assert "api_token is required" in result["msg"]
    assert "HASURA_CLOUD_PAT" in result["msg"]


def test_token_from_environment(fake_api, run_module, monkeypatch):
    monkeypatch.setenv("HASURA_CLOUD_PAT", "env-token-123")
    monkeypatch.setenv("HASURA_CLOUD_API_URL", "https://env.example.test/v1/graphql")
    fake_api.expect(GET, answer(GET, {"A": "1"}))
    result = run_module(module, {"tenant_id": TID, "env": {"A": "1"}}, with_defaults=False)
    assert result["changed"] is False
    call = fake_api.calls[0]
    assert call["headers"]["Authorization"] == "pat env-token-123"
    assert call["url"] == "https://env.example.test/v1/graphql"
    assert "env-token-123" not in result.raw


@pytest.mark.parametrize("args, fragment", [
    ({"env": {"A": "1"}}, "one of the following is required: tenant_id, tenant_name"),
    ({"env": {"A": "1"}, "tenant_id": TID, "tenant_name": "x"}, "mutually exclusive"),
])
def test_tenant_options(fake_api, run_module, args, fragment):
    result = run_module(module, args)
    assert result["failed"] is True and fragment in result["msg"]


def test_empty_tenant_name(fake_api, run_module):
    result = run_module(module, {"tenant_name": " ", "env": {"A": "1"}})
    assert result["failed"] is True and "tenant_name must not be empty" in result["msg"]


# --------------------------------------------------------------------------- readable messages with short values


def test_own_messages_are_not_masked(fake_api, run_module):
    # "a" and "no" are common values and common words: our messages hold neither values nor masks.
    result = run(run_module, {"env": {"S": "a", "N": "no", "L": [1]}})
    assert result["msg"].startswith("env value of L is a list; values must be strings")
    assert "********" not in result["msg"]


def test_tenant_not_found_message_with_short_values(fake_api, run_module):
    fake_api.expect(FIND, data({"projects": []}))
    result = run_module(module, {"tenant_name": "my-app", "env": {"A": "no", "B": "a"}})
    assert result["msg"] == "tenant 'my-app' not found: no project of that name is visible to this token"


def test_lost_answers_exhausted(fake_api, run_module):
    for dummy in range(3):
        fake_api.expect(GET, answer(GET, {}))
        fake_api.expect(UPDATE, make_response(504, text="gateway timeout"))
    fake_api.expect(GET, answer(GET, {}))
    result = run(run_module, {"env": {"A": "a"}, "max_retries": 0})
    assert result["failed"] is True
    assert "could not be written in 3 attempts" in result["msg"]
    assert "the answer to a change was lost" in result["msg"]
    assert fake_api.sleeps == []
