# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_domain and _region helpers: the fqdn rule, the next step, the inventory's listing, address order."""

from __future__ import annotations

import pytest

from ansible_collections.hasura.cloud.plugins.module_utils import _domain, _region
from ansible_collections.hasura.cloud.plugins.module_utils._client import HasuraCloudClient
from ansible_collections.hasura.cloud.tests.unit.conftest import API_URL, TOKEN, data


@pytest.fixture
def client(fake_api):
    return HasuraCloudClient(API_URL, TOKEN, max_retries=1)


@pytest.mark.parametrize("value, wanted", [
    ("api.example.com", "api.example.com"),
    ("API.Example.COM", "api.example.com"),
    ("api.example.com.", "api.example.com"),
    ("  api.example.com \n", "api.example.com"),
])
def test_normalize_fqdn(value, wanted):
    assert _domain.normalize_fqdn(value) == wanted
    assert _domain.fqdn_problem(value) is None


@pytest.mark.parametrize("value", [
    "a.b", "xn--bcher-kva.example", "my-api.eu.example.co.uk", "1.example.com", "a" * 63 + ".example.com",
    ".".join(["a" * 63] * 3) + "." + "b" * 61,  # 253 characters
])
def test_good_names(value):
    assert _domain.fqdn_problem(value) is None


def test_the_ascii_form_of_an_internationalised_name_is_accepted_and_the_other_refused():
    assert _domain.fqdn_problem("bücher.example") is not None
    assert _domain.fqdn_problem("bücher.example".encode("idna").decode("ascii")) is None


def test_next_step_by_validation():
    domain = _domain.planned_domain("api.example.com", "t")
    assert _domain.next_step(domain, "my-app.hasura.app").startswith(
        "create the DNS record api.example.com CNAME my-app.hasura.app")
    assert "could not validate" in _domain.next_step(dict(domain, dns_validation="failed"), "my-app.hasura.app")
    assert _domain.next_step(dict(domain, dns_validation="succeeded"), "my-app.hasura.app") is None


def project(name, number, domains):
    return {"id": "p%d" % number, "name": name, "endpoint": "https://%s.hasura.app" % name, "plan_name": None,
            "tenant": {"id": "t%d" % number, "slug": name, "cloud": "aws", "region": "us-east-2",
                       "custom_domains": domains}}


def test_list_tenants_with_domains_is_one_request_sorted(fake_api, client):
    www = {"id": "d2", "fqdn": "www.example.com", "tenant_id": "t2", "dns_validation": "pending", "cert": "letsencrypt"}
    api = dict(www, id="d1", fqdn="api.example.com", dns_validation="succeeded")
    nodes = [project("zeta", 2, [www, api]), project("alpha", 1, []), dict(project("orphan", 3, []), tenant=None)]
    fake_api.expect("projects", data({"projects": nodes}))
    tenants = _domain.list_tenants_with_domains(client)
    assert [t["name"] for t in tenants] == ["alpha", "orphan", "zeta"]
    assert [d["fqdn"] for d in tenants[2]["custom_domains"]] == ["api.example.com", "www.example.com"]
    assert tenants[2]["custom_domains"][0] == dict(dict.fromkeys(_domain.DOMAIN_KEYS), **api)
    assert tenants[1]["custom_domains"] == [] and tenants[1]["id"] is None
    assert len(fake_api.calls) == 1 and "custom_domains(" in fake_api.calls[0]["query"]


def test_region_filter():
    assert _region.region_filter() == {"is_active": {"_eq": True}}
    assert _region.region_filter("gcp", False) == {"cloud": {"_eq": "gcp"}}
    assert _region.region_filter(None, False) == {}


def test_addresses_in_numeric_order_ipv4_then_ipv6_then_text():
    regions = [{"nat_ip": "2001:db8::1"}, {"nat_ip": "10.0.0.10"}, {"nat_ip": "gateway.example"},
               {"nat_ip": "10.0.0.2", "nat_ips": ["10.0.0.10"]}]
    assert _region.nat_addresses(regions) == ["10.0.0.2", "10.0.0.10", "2001:db8::1", "gateway.example"]
