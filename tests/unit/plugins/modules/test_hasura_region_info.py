# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hasura_region_info: one request, the filter as a region_bool_exp, the addresses sorted and once each."""

from __future__ import annotations

import pytest

from ansible_collections.hasura.cloud.plugins.modules import hasura_region_info as module
from ansible_collections.hasura.cloud.tests.unit.conftest import TOKEN, data, gql_error


def region(cloud, name, nat_ip, is_active=True, nat_ips="same"):
    return {"cloud": cloud, "name": name, "is_active": is_active, "nat_ip": nat_ip,
            "nat_ips": ([nat_ip] if nat_ip else None) if nat_ips == "same" else nat_ips}


REGIONS = [
    region("aws", "us-east-1", "192.0.2.11"),
    region("aws", "us-east-2", "192.0.2.9", nat_ips=["192.0.2.9", "192.0.2.100"]),
    region("aws", "ap-southeast-1", None),
    region("gcp", "europe-west1", "192.0.2.11"),  # shared with us-east-1: listed once
]


def expect_regions(fake_api, where, regions=None):
    def check(variables):
        assert variables == {"where": where}
    fake_api.expect("region", data({"region": REGIONS if regions is None else regions}), check)


def test_active_regions_of_every_cloud_by_default(fake_api, run_module):
    expect_regions(fake_api, {"is_active": {"_eq": True}})
    result = run_module(module, {})
    assert result["changed"] is False
    assert result["regions"] == REGIONS
    # Numeric order, not text order (192.0.2.9 before 192.0.2.11), each address once, nulls left out.
    assert result["nat_ips"] == ["192.0.2.9", "192.0.2.11", "192.0.2.100"]
    assert len(fake_api.calls) == 1


def test_one_cloud_and_inactive_ones_too(fake_api, run_module):
    regions = [region("gcp", "europe-west1", "198.51.100.21"), region("gcp", "old-1", "198.51.100.99", is_active=False)]
    expect_regions(fake_api, {"cloud": {"_eq": "gcp"}}, regions)
    result = run_module(module, {"cloud": "gcp", "active_only": False})
    assert result["nat_ips"] == ["198.51.100.21", "198.51.100.99"]


def test_one_cloud_active_only(fake_api, run_module):
    expect_regions(fake_api, {"cloud": {"_eq": "aws"}, "is_active": {"_eq": True}}, [])
    result = run_module(module, {"cloud": "aws"})
    assert result["regions"] == [] and result["nat_ips"] == []


def test_the_filter_travels_as_a_region_bool_exp_where_the_schema_types_the_cloud_enum(fake_api, run_module):
    expect_regions(fake_api, {"cloud": {"_eq": "do"}, "is_active": {"_eq": True}}, [])
    run_module(module, {"cloud": "do"})
    query = fake_api.calls[0]["query"]
    assert "$where: region_bool_exp!" in query and "region(where: $where" in query
    assert "String" not in query


def test_check_mode_reads_too(fake_api, run_module):
    expect_regions(fake_api, {"is_active": {"_eq": True}})
    assert run_module(module, {}, check_mode=True)["changed"] is False


def test_an_unknown_cloud_fails_before_any_request(fake_api, run_module):
    result = run_module(module, {"cloud": "ibm"})
    assert result["failed"] is True and "value of cloud must be one of: aws, azure, do, gcp" in result["msg"]
    assert fake_api.calls == []


def test_auth_failure(fake_api, run_module):
    fake_api.expect("region", gql_error("Could not verify JWT", code="invalid-jwt"))
    result = run_module(module, {})
    assert result["msg"].startswith("authentication failed: check api_token / HASURA_CLOUD_PAT")
    assert TOKEN not in result.raw


@pytest.mark.parametrize("nat_ips, wanted", [
    (None, ["192.0.2.1"]),
    ("192.0.2.2", ["192.0.2.1", "192.0.2.2"]),
    (["192.0.2.3", None, 7, " 192.0.2.1 "], ["192.0.2.1", "192.0.2.3"]),
    ({"primary": "192.0.2.4"}, ["192.0.2.1"]),  # a shape nobody has seen: ignored
])
def test_nat_ips_shapes(fake_api, run_module, nat_ips, wanted):
    expect_regions(fake_api, {"is_active": {"_eq": True}}, [region("aws", "x", "192.0.2.1", nat_ips=nat_ips)])
    assert run_module(module, {})["nat_ips"] == wanted
