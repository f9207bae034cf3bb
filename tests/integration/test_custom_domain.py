# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hasura_custom_domain and hasura_region_info through real ansible-playbook / ansible runs.

Projects and domains are set up and checked through the emulator's side channel, never
through the module under test. Request counts come from ``/_emulator/stats``, reset just
before the run they measure. The DNS validation is steered with the emulator's run-time
setting ``dns_delay`` (a domain stays pending that many seconds after it was added).
"""

from __future__ import annotations

import time
import uuid

import pytest

# Every test runs on both execution paths (in-process and module process); see differential.py.
pytestmark = pytest.mark.both_paths

DOMAIN_PLAY = """
- name: A custom domain
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Domain
      hasura.cloud.hasura_custom_domain:
        tenant_id: "{{ tenant_id | default(omit) }}"
        tenant_name: "{{ tenant_name | default(omit) }}"
        fqdn: "{{ fqdn }}"
        state: "{{ state | default('present') }}"
        wait: "{{ wait | default(false) }}"
        wait_timeout: "{{ wait_timeout | default(600) }}"
"""
TASK = "Domain"

REGION_PLAY = """
- name: Regions
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Regions
      hasura.cloud.hasura_region_info:
        cloud: "{{ cloud | default(omit) }}"
        active_only: "{{ active_only | default(true) }}"
"""

# The Terraform provider's gateway-IP data source (gurukulkarni/terraform-provider-hasura-cloud,
# hasuracloud/data_source_gatewayip.go): what hasura_region_info's nat_ips must give.
PROVIDER_GATEWAY_IP = "query getGatewayIP { region(where: {is_active: {_eq: true}, nat_ip: {_is_null: false}}) { nat_ip } }"


def fqdn_for(tenant_name, label="api"):
    """A name no other test uses (custom domains are unique across every project)."""
    return "%s.%s.example.com" % (label, tenant_name)


def domain_run(run_playbook, check=False, diff=False, verbosity=0, **extra):
    return run_playbook(DOMAIN_PLAY, extra_vars=extra, check=check, diff=diff, verbosity=verbosity)


# --------------------------------------------------------------------------- idempotency and request counts


def test_add_again_remove_again(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name)
    fqdn = fqdn_for(tenant_name)

    added, stats = emulator.measured(lambda: domain_run(run_playbook, tenant_id=tenant_id, fqdn=fqdn))
    assert added.assert_ok().changed(TASK)
    # One read (the tenant's domains and the name's holder, two root fields of one document), one insert.
    assert stats["requests"] == 2
    assert stats["operations"] == {"tenant_by_pk": 1, "custom_domain": 1, "insert_custom_domain_one": 1}
    [stored] = emulator.domains(tenant_id)
    result = added.result(TASK)
    assert result["domain"]["id"] == stored["id"] and result["domain"]["fqdn"] == fqdn
    assert result["domain"]["tenant_id"] == tenant_id and result["tenant_id"] == tenant_id
    assert result["dns_record"] == {"type": "CNAME", "name": fqdn, "value": "%s.hasura.app" % tenant_name}

    again, stats = emulator.measured(lambda: domain_run(run_playbook, tenant_id=tenant_id, fqdn=fqdn))
    assert not again.assert_ok().changed(TASK)
    assert stats["requests"] == 1 and stats["mutations"] == 0
    assert again.result(TASK)["domain"] == result["domain"] | {"dns_validation": stored["dns_validation"]}

    removed, stats = emulator.measured(lambda: domain_run(run_playbook, tenant_id=tenant_id, fqdn=fqdn,
                                                          state="absent"))
    assert removed.assert_ok().changed(TASK)
    assert stats["requests"] == 2
    assert stats["operations"] == {"tenant_by_pk": 1, "custom_domain": 1, "delete_custom_domain_by_pk": 1}
    assert emulator.domains(tenant_id) == []

    gone, stats = emulator.measured(lambda: domain_run(run_playbook, tenant_id=tenant_id, fqdn=fqdn, state="absent"))
    assert not gone.assert_ok().changed(TASK)
    assert stats["requests"] == 1 and stats["mutations"] == 0


def test_by_name_costs_the_same_and_names_are_compared_as_dns_does(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name)
    fqdn = fqdn_for(tenant_name)

    added, stats = emulator.measured(lambda: domain_run(run_playbook, tenant_name=tenant_name, fqdn=fqdn.upper() + "."))
    assert added.assert_ok().changed(TASK)
    assert stats["requests"] == 2
    assert stats["operations"] == {"projects": 1, "custom_domain": 1, "insert_custom_domain_one": 1}
    assert [domain["fqdn"] for domain in emulator.domains(tenant_id)] == [fqdn]

    again, stats = emulator.measured(lambda: domain_run(run_playbook, tenant_name=tenant_name, fqdn=fqdn))
    assert not again.assert_ok().changed(TASK)
    assert stats["requests"] == 1 and stats["operations"] == {"projects": 1, "custom_domain": 1}


def test_ad_hoc_with_the_token_from_the_environment(emulator, run_adhoc, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name)
    fqdn = fqdn_for(tenant_name)
    run = run_adhoc("hasura.cloud.hasura_custom_domain", "tenant_name=%s fqdn=%s" % (tenant_name, fqdn))
    assert run.rc == 0, run.output()
    assert [domain["fqdn"] for domain in emulator.domains(tenant_id)] == [fqdn]


# --------------------------------------------------------------------------- check and diff mode


def test_check_mode_sends_no_mutation(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name)
    fqdn = fqdn_for(tenant_name)

    planned, stats = emulator.measured(lambda: domain_run(run_playbook, check=True, diff=True, tenant_id=tenant_id,
                                                          fqdn=fqdn, wait=True))
    assert planned.assert_ok().changed(TASK)
    assert stats["mutations"] == 0 and stats["requests"] == 1
    result = planned.result(TASK)
    assert result["diff"]["before"] == {} and result["diff"]["after"]["fqdn"] == fqdn
    assert result["domain"]["id"] is None
    assert emulator.domains(tenant_id) == []

    emulator.add_domain(tenant_id, fqdn)
    planned, stats = emulator.measured(lambda: domain_run(run_playbook, check=True, diff=True, tenant_id=tenant_id,
                                                          fqdn=fqdn, state="absent"))
    assert planned.assert_ok().changed(TASK)
    assert stats["mutations"] == 0
    assert planned.result(TASK)["diff"]["after"] == {}
    assert len(emulator.domains(tenant_id)) == 1


# --------------------------------------------------------------------------- DNS validation


def test_a_pending_domain_warns_with_the_record_to_create(emulator, run_playbook, tenant_name):
    emulator.set_faults(dns_delay=3600)
    tenant_id = emulator.create_tenant(tenant_name)
    fqdn = fqdn_for(tenant_name)
    run = domain_run(run_playbook, tenant_id=tenant_id, fqdn=fqdn).assert_ok()
    result = run.result(TASK)
    assert result["domain"]["dns_validation"] == "pending"
    record = "%s CNAME %s.hasura.app" % (fqdn, tenant_name)
    assert record in result["next_step"]
    assert run.printed("[WARNING]: custom domain %s of project %s" % (fqdn, tenant_name)), run.output()


def test_wait_returns_when_the_validation_succeeds(emulator, run_playbook, tenant_name):
    emulator.set_faults(dns_delay=3)
    tenant_id = emulator.create_tenant(tenant_name)
    fqdn = fqdn_for(tenant_name)
    emulator.reset()
    start = time.monotonic()
    run = domain_run(run_playbook, tenant_id=tenant_id, fqdn=fqdn, wait=True, wait_timeout=60).assert_ok()
    assert time.monotonic() - start >= 3
    result = run.result(TASK)
    assert run.changed(TASK)
    assert result["domain"]["dns_validation"] == "succeeded" and result["next_step"] is None
    polls = emulator.stats()["operations"]["custom_domain_by_pk"]
    assert 1 <= polls <= 4  # 1, 2, 4 ... seconds apart: a few checks, not a busy loop
    assert "[WARNING]" not in run.stdout + run.stderr


def test_wait_timeout_names_the_tenant_and_the_fqdn(emulator, run_playbook, tenant_name):
    emulator.set_faults(dns_delay=3600)
    tenant_id = emulator.create_tenant(tenant_name)
    fqdn = fqdn_for(tenant_name)
    run = domain_run(run_playbook, tenant_id=tenant_id, fqdn=fqdn, wait=True, wait_timeout=2)
    result = run.failure(TASK)
    assert tenant_id in result["msg"] and fqdn in result["msg"] and tenant_name in result["msg"]
    assert "was not validated within wait_timeout=2 seconds" in result["msg"]
    assert "%s CNAME %s.hasura.app" % (fqdn, tenant_name) in result["msg"]
    # The domain was added, and the failure says so.
    assert result["changed"] is True and result["domain"]["fqdn"] == fqdn
    assert len(emulator.domains(tenant_id)) == 1

    # Once DNS is in place, the same task passes without adding anything.
    emulator.set_faults(dns_delay=0)
    again, stats = emulator.measured(lambda: domain_run(run_playbook, tenant_id=tenant_id, fqdn=fqdn, wait=True))
    assert not again.assert_ok().changed(TASK)
    assert stats["requests"] == 1


def test_a_failed_validation_says_so_and_wait_fails_at_once(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name)
    fqdn = fqdn_for(tenant_name)
    emulator.add_domain(tenant_id, fqdn)
    emulator.set_dns(fqdn, "failed")

    reported = domain_run(run_playbook, tenant_id=tenant_id, fqdn=fqdn).assert_ok()
    assert not reported.changed(TASK)
    assert "could not validate %s" % fqdn in reported.result(TASK)["next_step"]

    start = time.monotonic()
    waited = domain_run(run_playbook, tenant_id=tenant_id, fqdn=fqdn, wait=True, wait_timeout=600)
    result = waited.failure(TASK)
    assert time.monotonic() - start < 60  # at once, not after wait_timeout
    assert result["msg"].startswith("DNS validation of custom domain %s of tenant %s (project %s) failed"
                                    % (fqdn, tenant_id, tenant_name))
    assert "%s CNAME %s.hasura.app" % (fqdn, tenant_name) in result["msg"]


# --------------------------------------------------------------------------- bad input


def test_a_domain_of_another_project_fails_before_any_mutation(emulator, run_playbook, unique_name):
    owner, other = unique_name("owner"), unique_name("other")
    owner_id = emulator.create_tenant(owner)
    other_id = emulator.create_tenant(other)
    fqdn = fqdn_for(owner)
    emulator.add_domain(owner_id, fqdn)

    run, stats = emulator.measured(lambda: domain_run(run_playbook, tenant_id=other_id, fqdn=fqdn))
    result = run.failure(TASK)
    assert result["msg"].startswith("custom domain %s is already used by project %s (tenant %s)"
                                    % (fqdn, owner, owner_id))
    assert stats["mutations"] == 0 and stats["requests"] == 1
    assert emulator.domains(other_id) == []

    # Removing it from the other project touches nothing of the owner's.
    run, stats = emulator.measured(lambda: domain_run(run_playbook, tenant_id=other_id, fqdn=fqdn, state="absent"))
    assert not run.assert_ok().changed(TASK)
    assert stats["mutations"] == 0 and len(emulator.domains(owner_id)) == 1


@pytest.mark.parametrize("fqdn, fragment", [
    ("not a name", "is not a DNS name"),
    ("localhost", "is not a fully qualified domain name"),
    ("*.example.com", "is a wildcard"),
])
def test_a_bad_fqdn_fails_before_any_request(emulator, run_playbook, fqdn, fragment):
    run, stats = emulator.measured(lambda: domain_run(run_playbook, tenant_id=str(uuid.uuid4()), fqdn=fqdn))
    assert fragment in run.failure(TASK)["msg"]
    assert stats["requests"] == 0


def test_an_unknown_tenant_fails_clearly_without_a_mutation(emulator, run_playbook):
    tenant_id = str(uuid.uuid4())
    run, stats = emulator.measured(lambda: domain_run(run_playbook, tenant_id=tenant_id, fqdn="api.example.com"))
    assert run.failure(TASK)["msg"].startswith("tenant %s not found" % tenant_id)
    assert stats["requests"] == 1 and stats["mutations"] == 0

    run, stats = emulator.measured(lambda: domain_run(run_playbook, tenant_name="it-no-such-project",
                                                      fqdn="api.example.com", state="absent"))
    assert "tenant 'it-no-such-project' not found" in run.failure(TASK)["msg"]
    assert stats["requests"] == 1 and stats["mutations"] == 0


def test_vvv_output_never_holds_the_token(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name)
    run = domain_run(run_playbook, verbosity=3, tenant_id=tenant_id, fqdn=fqdn_for(tenant_name)).assert_ok()
    assert "hasura_custom_domain" in run.stdout
    assert emulator.token not in run.stdout + run.stderr


# --------------------------------------------------------------------------- regions


def test_region_info_gives_the_providers_gateway_ips_in_one_request(emulator, run_playbook):
    expected = sorted({row["nat_ip"] for row in emulator.graphql(PROVIDER_GATEWAY_IP)["region"]})
    run, stats = emulator.measured(lambda: run_playbook(REGION_PLAY))
    result = run.assert_ok().result("Regions")
    assert not run.changed("Regions")
    assert stats["requests"] == 1 and stats["operations"] == {"region": 1}
    assert sorted(result["nat_ips"]) == expected and len(result["nat_ips"]) == len(expected)
    assert all(region["is_active"] for region in result["regions"])
    # An active region without a gateway address is listed, and adds no address.
    assert any(region["nat_ip"] is None for region in result["regions"])


def test_region_info_with_a_cloud_filter(emulator, run_playbook):
    every = emulator.graphql("query { region { cloud name is_active nat_ip } }")["region"]
    active_gcp = sorted({row["nat_ip"] for row in every if row["cloud"] == "gcp" and row["is_active"] and row["nat_ip"]})
    result = run_playbook(REGION_PLAY, extra_vars={"cloud": "gcp"}).assert_ok().result("Regions")
    assert {region["cloud"] for region in result["regions"]} == {"gcp"}
    assert sorted(result["nat_ips"]) == active_gcp

    everything = run_playbook(REGION_PLAY, extra_vars={"cloud": "aws", "active_only": False}).assert_ok()
    names = [region["name"] for region in everything.result("Regions")["regions"]]
    assert names == sorted(row["name"] for row in every if row["cloud"] == "aws")
    assert any(not region["is_active"] for region in everything.result("Regions")["regions"])


def test_region_info_refuses_an_unknown_cloud_before_any_request(emulator, run_playbook):
    run, stats = emulator.measured(lambda: run_playbook(REGION_PLAY, extra_vars={"cloud": "ibm"}))
    assert "value of cloud must be one of: aws, azure, do, gcp" in run.failure("Regions")["msg"]
    assert stats["requests"] == 0
