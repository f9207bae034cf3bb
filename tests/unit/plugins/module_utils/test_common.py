# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared options, connection checks and option checks."""

from __future__ import annotations

import pytest

from ansible_collections.hasura.cloud.plugins.module_utils._client import OptionError, connection_problem
from ansible_collections.hasura.cloud.plugins.module_utils._common import (
    argument_spec,
    check_not_blank,
    check_not_negative,
    check_one_of,
    check_project_name,
    check_uuid,
    connection_argument_spec,
    project_name_problem,
)

UUID = "a1b0c1d0-0e53-4520-a560-1b02bf522f08"


def test_connection_spec_matches_the_contract():
    spec = connection_argument_spec()
    assert spec["api_token"]["no_log"] is True
    assert spec["api_token"]["aliases"] == ["pat"]
    assert spec["api_token"]["fallback"][1] == ["HASURA_CLOUD_PAT"]
    assert spec["api_url"]["fallback"][1] == ["HASURA_CLOUD_API_URL"]
    assert spec["api_url"]["default"] == "https://data.pro.hasura.io/v1/graphql"
    assert spec["validate_certs"] == {"type": "bool", "default": True}
    assert spec["timeout"] == {"type": "int", "default": 30}
    assert spec["max_retries"] == {"type": "int", "default": 3}


def test_argument_spec_merges_module_options():
    spec = argument_spec(env=dict(type="dict"))
    assert "env" in spec and "api_token" in spec


@pytest.mark.parametrize("token, url, timeout, retries, expected", [
    ("tok", "https://x/v1/graphql", 30, 3, None),
    ("tok", "http://127.0.0.1:1/v1/graphql", 1, 0, None),
    (None, "https://x", 30, 3, "api_token is required"),
    ("", "https://x", 30, 3, "HASURA_CLOUD_PAT"),
    ("to k", "https://x", 30, 3, "white space"),
    ("tok", "ftp://x", 30, 3, "api_url must be an http"),
    ("tok", "", 30, 3, "api_url"),
    ("tok", "https://x", 0, 3, "timeout must be a positive"),
    ("tok", "https://x", 30, -1, "max_retries must be 0 or more"),
])
def test_connection_problem(token, url, timeout, retries, expected):
    problem = connection_problem(token, url, timeout, retries)
    if expected is None:
        assert problem is None
    else:
        assert expected in problem
        if token:
            assert token not in problem.replace("token", "")


@pytest.mark.parametrize("value, ok", [(UUID, True), (UUID.upper(), True), (UUID + "\n", False), ("abc", False),
                                       (UUID[:-1], False), (" " + UUID, False)])
def test_check_uuid(value, ok):
    params = {"tenant_id": value}
    if ok:
        check_uuid(params, "tenant_id")
    else:
        with pytest.raises(OptionError) as info:
            check_uuid(params, "tenant_id")
        assert "tenant_id must be a UUID" in str(info.value)


def test_check_uuid_none_is_fine():
    check_uuid({"tenant_id": None}, "tenant_id")


@pytest.mark.parametrize("name", ["a", "my-app", "app-2", "0", "a" * 63, "a-b-c"])
def test_valid_project_names(name):
    assert project_name_problem(name) is None
    check_project_name({"name": name}, "name")


@pytest.mark.parametrize("name, words", [
    ("", "must not be empty"),
    (None, "must not be empty"),
    ("a" * 64, "longer than 63"),
    ("My-App", "not a valid project name"),
    ("my_app", "not a valid project name"),
    ("-app", "not a valid project name"),
    ("app-", "not a valid project name"),
    ("my app", "not a valid project name"),
    ("my-app\n", "not a valid project name"),
])
def test_invalid_project_names(name, words):
    assert words in project_name_problem(name)
    if name is not None:
        with pytest.raises(OptionError, match=words):
            check_project_name({"name": name}, "name")


@pytest.mark.parametrize("check, value, words", [
    (check_not_blank, "  ", "tenant_name must not be empty"),
    (check_not_negative, -1, "tenant_name must be 0 or more"),
])
def test_other_checks(check, value, words):
    check({"tenant_name": None}, "tenant_name")
    with pytest.raises(OptionError, match=words):
        check({"tenant_name": value}, "tenant_name")


def test_check_one_of_refuses_all_null():
    check_one_of({"a": None, "b": "x"}, ("a", "b"))
    with pytest.raises(OptionError, match="one of the following is required: a, b"):
        check_one_of({"a": None, "b": None}, ("a", "b"))
