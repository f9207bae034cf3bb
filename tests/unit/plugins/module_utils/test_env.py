# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Env normalisation, reading, the change plan, diffs and the GraphQL documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.hasura.cloud.plugins.module_utils import _env
from ansible_collections.hasura.cloud.plugins.module_utils._env import (
    EnvInputError,
    apply_plan,
    env_diff,
    env_from_node,
    key_problem,
    net_changes,
    normalize_env,
    normalize_value,
    pattern_problem,
    plan_changes,
)

SCHEMA = Path(__file__).resolve().parents[4] / "tests" / "emulator" / "schema.graphql"


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize("key", ["A", "_", "a_b", "FOO_BAR_9", "_1", "x" * 200])
def test_valid_names(key):
    assert _env.ENV_NAME_PATTERN.fullmatch(key)
    assert key_problem(key) is None


@pytest.mark.parametrize("key", ["", "1A", "A-B", "A B", "A.B", "Ä", "A\n", "$A", "A=B"])
def test_invalid_names(key):
    problem = key_problem(key)
    assert problem is not None
    assert repr(key) in problem
    assert _env.ENV_NAME_PATTERN.pattern in problem


def test_non_string_key():
    assert "not a string" in key_problem(5)


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize("value, text", [
    ("x", "x"), ("", ""), ("yes", "yes"), ("007", "007"), (" spaced ", " spaced "),
    (True, "true"), (False, "false"),
    (0, "0"), (1, "1"), (-42, "-42"), (10 ** 30, "1" + "0" * 30),
    (1.5, "1.5"), (2.50, "2.5"), (1.0, "1.0"), (-0.25, "-0.25"),
    (1e20, "100000000000000000000"), (1e-7, "0.0000001"), (1.5e300, "15" + "0" * 299),
])
def test_normalize_value(value, text):
    assert normalize_value("K", value) == text
    if isinstance(value, float):
        assert "e" not in text


@pytest.mark.parametrize("value, kind", [(None, "null"), ([1, 2], "a list"), ({"a": 1}, "a dict"), ((1,), "a list"),
                                         (object(), "of type object")])
def test_refused_values_name_the_key_not_the_value(value, kind):
    with pytest.raises(EnvInputError) as info:
        normalize_value("MY_KEY", value)
    text = str(info.value)
    assert "MY_KEY" in text
    assert kind in text
    assert "1, 2" not in text and "'a'" not in text


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_floats(value):
    with pytest.raises(EnvInputError, match="F is not a finite number"):
        normalize_value("F", value)


def test_normalize_env_collects_every_problem_sorted():
    with pytest.raises(EnvInputError) as info:
        normalize_env({"Z_LIST": ["secret-in-list"], "GOOD": "v", "1BAD": "x", "A_NULL": None})
    text = str(info.value)
    assert text.index("'1BAD'") < text.index("A_NULL") < text.index("Z_LIST")
    assert "secret-in-list" not in text


def test_normalize_env_ok():
    assert normalize_env({"A": 1, "B": True, "C": "c"}) == {"A": "1", "B": "true", "C": "c"}


def test_normalize_env_without_values_ignores_them():
    assert normalize_env({"A": None, "B": [1]}, check_values=False) == {"A": None, "B": None}
    with pytest.raises(EnvInputError):
        normalize_env({"A-B": None}, check_values=False)


def test_pattern_problem():
    assert pattern_problem(["HASURA_*", "X?"]) is None
    assert pattern_problem([]) is None
    assert "purge_exclude" in pattern_problem([""])


# --------------------------------------------------------------------------- reading


def test_read_environment_object():
    node = {"hash": "h", "envVars": {"environment": {"A": "1", "B": "x"}}}
    assert env_from_node(node) == ("h", {"A": "1", "B": "x"})


def test_read_flat_object_and_non_string_values():
    node = {"hash": "h", "envVars": {"A": 1, "B": True, "C": 1.5, "D": None, "E": {"x": 1}, "F": [1, "a"]}}
    assert env_from_node(node) == ("h", {"A": "1", "B": "true", "C": "1.5", "D": "", "E": '{"x":1}', "F": '[1,"a"]'})


def test_read_envvars_as_json_text():
    assert env_from_node({"hash": "h", "envVars": '{"environment": {"A": "1"}}'}) == ("h", {"A": "1"})
    assert env_from_node({"hash": "h", "envVars": "not json"}) == ("h", {})
    assert env_from_node({"hash": "h", "envVars": None}) == ("h", {})


def test_read_env_not_found(fake_api):
    from ansible_collections.hasura.cloud.plugins.module_utils._client import HasuraCloudClient
    from ansible_collections.hasura.cloud.plugins.module_utils._tenant import TenantNotFoundError
    from ansible_collections.hasura.cloud.tests.unit.conftest import API_URL, TOKEN, data

    fake_api.expect("getTenantEnv", data({"getTenantEnv": None}))
    with pytest.raises(TenantNotFoundError, match="tenant t-1 not found"):
        _env.read_env(HasuraCloudClient(API_URL, TOKEN), "t-1")


def test_write_helpers_send_sorted_typed_variables(fake_api):
    from ansible_collections.hasura.cloud.plugins.module_utils._client import HasuraCloudClient
    from ansible_collections.hasura.cloud.tests.unit.conftest import API_URL, TOKEN, data

    seen = []
    fake_api.expect("updateTenantEnv", data({"updateTenantEnv": {"hash": "h2", "envVars": {"environment": {"A": "1"}}}}),
                    check=seen.append)
    fake_api.expect("deleteTenantEnv", data({"deleteTenantEnv": {"hash": "h3", "envVars": {"environment": {}}}}),
                    check=seen.append)
    client = HasuraCloudClient(API_URL, TOKEN)
    assert _env.upsert_env(client, "tid", "h1", {"B": "2", "A": "1"}) == ("h2", {"A": "1"})
    assert _env.delete_env(client, "tid", "h2", ["Z", "A"]) == ("h3", {})
    assert seen[0] == {"tenantId": "tid", "currentHash": "h1", "envs": [{"key": "A", "value": "1"}, {"key": "B", "value": "2"}]}
    assert seen[1] == {"tenantId": "tid", "currentHash": "h2", "keys": ["A", "Z"]}


def test_documents_validate_against_the_emulator_schema():
    graphql = pytest.importorskip("graphql")
    schema = graphql.build_schema(SCHEMA.read_text())
    for document in (_env.GET_TENANT_ENV, _env.UPDATE_TENANT_ENV, _env.DELETE_TENANT_ENV):
        assert graphql.validate(schema, graphql.parse(document)) == []
    assert "$tenantId: uuid!" in _env.GET_TENANT_ENV
    assert "$currentHash: String!" in _env.UPDATE_TENANT_ENV
    assert "$envs: [UpdateEnvObject!]!" in _env.UPDATE_TENANT_ENV
    assert "$keys: [String!]!" in _env.DELETE_TENANT_ENV


# --------------------------------------------------------------------------- plan

CURRENT = {"A": "1", "B": "2", "HASURA_GRAPHQL_ADMIN_SECRET": "s", "KEEP_ME": "k", "keep_me": "l", "OLD": "o"}


def test_plan_present_noop():
    plan = plan_changes(CURRENT, {"A": "1"})
    assert not plan.changed
    assert plan.as_result() == {"added": [], "updated": [], "removed": [], "unchanged": ["A"]}
    assert plan.upserts == {} and plan.removals == []


def test_plan_present_add_update():
    plan = plan_changes(CURRENT, {"A": "1", "B": "3", "NEW": "n"})
    assert plan.changed
    assert plan.as_result() == {"added": ["NEW"], "updated": ["B"], "removed": [], "unchanged": ["A"]}
    assert plan.upserts == {"B": "3", "NEW": "n"}
    assert plan.removals == []


def test_plan_values_compare_as_text_and_case():
    plan = plan_changes({"A": "True", "B": ""}, {"A": "true", "B": ""})
    assert plan.updated == ["A"] and plan.unchanged == ["B"]


def test_plan_purge_default_exclude():
    plan = plan_changes(CURRENT, {"A": "1"}, purge=True)
    assert plan.removed == ["B", "KEEP_ME", "OLD", "keep_me"]
    assert "HASURA_GRAPHQL_ADMIN_SECRET" not in plan.removals


def test_plan_purge_custom_exclude_is_case_sensitive():
    plan = plan_changes(CURRENT, {"A": "1"}, purge=True, purge_exclude=["KEEP_*", "?"])
    assert plan.removed == ["HASURA_GRAPHQL_ADMIN_SECRET", "OLD", "keep_me"]  # "?" keeps B


def test_plan_purge_empty_exclude_and_empty_env():
    plan = plan_changes(CURRENT, {}, purge=True, purge_exclude=[])
    assert plan.removed == sorted(CURRENT)


def test_plan_purge_never_removes_named_keys():
    plan = plan_changes(CURRENT, {"OLD": "new"}, purge=True, purge_exclude=[])
    assert "OLD" not in plan.removals
    assert plan.updated == ["OLD"]


def test_plan_absent():
    plan = plan_changes(CURRENT, {"A": None, "MISSING": None}, state="absent")
    assert plan.as_result() == {"added": [], "updated": [], "removed": ["A"], "unchanged": ["MISSING"]}
    assert plan.removals == ["A"] and plan.upserts == {}


def test_plan_absent_noop():
    assert not plan_changes(CURRENT, {"MISSING": None}, state="absent").changed


def test_apply_plan():
    plan = plan_changes({"A": "1", "B": "2", "C": "3"}, {"A": "9", "D": "4"}, purge=True, purge_exclude=["C"])
    assert apply_plan({"A": "1", "B": "2", "C": "3"}, plan) == {"A": "9", "C": "3", "D": "4"}


def test_net_changes_ignores_other_writers():
    before = {"A": "1", "B": "2"}
    after = {"A": "1", "B": "3", "NEW": "n", "OTHER": "x"}  # OTHER written by someone else
    changes = net_changes(before, after, {"A": "1", "B": "3", "NEW": "n"}, "present", set())
    assert changes.as_result() == {"added": ["NEW"], "updated": ["B"], "removed": [], "unchanged": ["A"]}


def test_net_changes_removed_and_absent():
    changes = net_changes({"A": "1", "P": "p"}, {}, {"A": None, "GONE": None}, "absent", {"A", "P"})
    assert changes.as_result() == {"added": [], "updated": [], "removed": ["A", "P"], "unchanged": ["GONE"]}


# --------------------------------------------------------------------------- diff


def test_diff_hidden_markers():
    before = {"A": "1", "B": "2", "OLD": "o"}
    after = {"A": "1", "B": "3", "NEW": "n"}
    diff = env_diff(before, after, {"A", "B", "NEW", "OLD"})
    assert diff == {
        "before": {"A": "<hidden>", "B": "<hidden>", "OLD": "<hidden>"},
        "after": {"A": "<hidden>", "B": "<hidden, changed>", "NEW": "<hidden>"},
    }


def test_diff_show_values():
    diff = env_diff({"B": "2", "OLD": "o"}, {"B": "3", "NEW": "n"}, {"B", "NEW", "OLD"}, show_values=True)
    assert diff == {"before": {"B": "2", "OLD": "o"}, "after": {"B": "3", "NEW": "n"}}


def test_diff_only_named_keys():
    diff = env_diff({"A": "1", "X": "x"}, {"A": "2", "X": "x"}, {"A"})
    assert "X" not in diff["before"] and "X" not in diff["after"]
