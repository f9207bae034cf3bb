# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of hasura.cloud.hasura_custom_domain: every branch, every HTTP call scripted.

A no-op is one request (the read that decides), an addition or a removal two; check mode
sends no mutation (the scripts below hold none); a failed or unanswered mutation is judged
by reading again, never by its error code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import requests
import yaml

try:  # ansible-core >= 2.19
    from ansible.module_utils import _internal as module_internal
except ImportError:
    module_internal = None

from ansible_collections.hasura.cloud.plugins.module_utils import _domain
from ansible_collections.hasura.cloud.plugins.modules import hasura_custom_domain as module
from ansible_collections.hasura.cloud.tests.unit.conftest import TOKEN, data, gql_error
from ansible_collections.hasura.cloud.tests.unit.plugins.modules.tenant_fixtures import (
    OTHER_ID,
    TENANT_ID,
    project_node,
    tenant_node,
)

FQDN = "api.example.com"
DOMAIN_ID = "3c1f7d1e-8f63-4a0e-9a4e-6f1b7f7a2c55"
TARGET = "my-app.hasura.app"
MUTATIONS = ("insert_custom_domain_one", "delete_custom_domain_by_pk")
UNIQUENESS = 'Uniqueness violation. duplicate key value violates unique constraint "custom_domain_fqdn_key"'


def domain_node(fqdn=FQDN, dns_validation="pending", tenant_id=TENANT_ID, domain_id=DOMAIN_ID):
    ssl = "active" if dns_validation == "succeeded" else None
    return {"id": domain_id, "fqdn": fqdn, "tenant_id": tenant_id, "dns_validation": dns_validation,
            "cert": "letsencrypt", "ssl_status": ssl, "ssl_message": None}


def holder(tenant_id=TENANT_ID, name="my-app"):
    """A row of the custom_domain root: who holds the name."""
    return {"id": DOMAIN_ID, "tenant_id": tenant_id, "tenant": {"id": tenant_id, "project": {"name": name}}}


def tenant_with(domains):
    return dict(tenant_node(), fqdn=TARGET, custom_domains=list(domains))


def expect_read(fake_api, domains=(), holders=None, fqdn=FQDN, tenant=True):
    """The one read by tenant id: tenant_by_pk with its domains, and the custom_domain root for the name."""
    domains = list(domains)
    if holders is None:
        holders = [holder(d["tenant_id"]) for d in domains if d["fqdn"] == fqdn]

    def check(variables):
        assert variables == {"tenantId": TENANT_ID, "fqdn": fqdn}
    answer = {"tenant_by_pk": tenant_with(domains) if tenant else None, "custom_domain": holders}
    fake_api.expect("tenant_by_pk", data(answer), check)


def expect_read_by_name(fake_api, domains=(), holders=None, projects=None):
    domains = list(domains)
    if holders is None:
        holders = [holder(d["tenant_id"]) for d in domains if d["fqdn"] == FQDN]
    node = project_node()
    node["tenant"] = dict(node["tenant"], fqdn=TARGET, custom_domains=domains)

    def check(variables):
        assert variables == {"name": "my-app", "fqdn": FQDN}
    fake_api.expect("projects", data({"projects": [node] if projects is None else projects,
                                      "custom_domain": holders}), check)


def expect_insert(fake_api, answer=None):
    def check(variables):
        assert variables == {"tenantId": TENANT_ID, "fqdn": FQDN}
    fake_api.expect("insert_custom_domain_one",
                    answer if answer is not None else data({"insert_custom_domain_one": domain_node()}), check)


def expect_delete(fake_api, answer=None):
    def check(variables):
        assert variables == {"id": DOMAIN_ID}
    fake_api.expect("delete_custom_domain_by_pk",
                    answer if answer is not None else data({"delete_custom_domain_by_pk": {"id": DOMAIN_ID}}), check)


def expect_poll(fake_api, status):
    fake_api.expect("custom_domain_by_pk", data({"custom_domain_by_pk": domain_node(dns_validation=status)}),
                    lambda variables: variables == {"id": DOMAIN_ID} or pytest.fail(repr(variables)))


def lost():
    return requests.exceptions.ConnectionError("Connection aborted.", "Remote end closed connection without response")


@pytest.fixture(autouse=True)
def warnings_in_the_result(monkeypatch):
    """Module warnings land in the result only when ansible-core believes it runs a module (2.19 sends
    them straight to the display on the controller, which an earlier test importing controller code
    makes this process look like)."""
    if hasattr(module_internal, "is_controller"):
        monkeypatch.setattr(module_internal, "is_controller", False)


def warnings_of(result):
    """The warning texts of a result (ansible-core 2.19 prints each as a WarningSummary with its event)."""
    return [w["event"]["msg"] if isinstance(w, dict) else w for w in result.get("warnings", [])]


def assert_no_mutation(fake_api):
    assert not [field for field in fake_api.fields() if field in MUTATIONS]


# --- present ---------------------------------------------------------------------------------------


def test_add_by_id_is_two_requests_and_says_what_to_do_next(fake_api, run_module):
    expect_read(fake_api)
    expect_insert(fake_api)
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN))
    assert result["changed"] is True
    assert result["domain"] == _domain.domain_from_node(domain_node())
    assert result["tenant_id"] == TENANT_ID
    assert result["dns_record"] == {"type": "CNAME", "name": FQDN, "value": TARGET}
    assert "create the DNS record api.example.com CNAME my-app.hasura.app" in result["next_step"]
    assert any("api.example.com CNAME my-app.hasura.app" in warning for warning in warnings_of(result))
    assert fake_api.fields() == ["tenant_by_pk", "insert_custom_domain_one"]


def test_the_read_selects_the_domains_and_the_holder_in_one_document(fake_api, run_module):
    expect_read(fake_api, [domain_node(dns_validation="succeeded")])
    run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN))
    query = fake_api.calls[0]["query"]
    assert "custom_domains(" in query and "custom_domain(where: {fqdn: {_eq: $fqdn}})" in query
    assert "tenant_by_pk(id: $tenantId)" in query


def test_present_and_validated_is_one_request_without_warning(fake_api, run_module):
    expect_read(fake_api, [domain_node(dns_validation="succeeded")])
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN))
    assert result["changed"] is False
    assert result["domain"]["dns_validation"] == "succeeded" and result["domain"]["ssl_status"] == "active"
    assert result["next_step"] is None
    assert warnings_of(result) == []
    assert fake_api.fields() == ["tenant_by_pk"]


def test_present_and_pending_warns_with_the_record(fake_api, run_module):
    expect_read(fake_api, [domain_node()])
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN))
    assert result["changed"] is False and len(fake_api.calls) == 1
    assert warnings_of(result) == ["custom domain api.example.com of project my-app: " + result["next_step"]]


def test_present_and_failed_tells_to_fix_the_record_without_failing(fake_api, run_module):
    expect_read(fake_api, [domain_node(dns_validation="failed")])
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN))
    assert "failed" not in result or result["failed"] is False
    assert "could not validate api.example.com" in result["next_step"]
    assert "state=absent, then state=present" in result["next_step"]


def test_by_name_no_op_is_one_request(fake_api, run_module):
    expect_read_by_name(fake_api, [domain_node(dns_validation="succeeded")])
    result = run_module(module, dict(tenant_name="my-app", fqdn=FQDN))
    assert result["changed"] is False and result["tenant_id"] == TENANT_ID
    assert fake_api.fields() == ["projects"]


def test_by_name_add_is_two_requests(fake_api, run_module):
    expect_read_by_name(fake_api)
    expect_insert(fake_api)
    result = run_module(module, dict(tenant_name="my-app", fqdn=FQDN))
    assert result["changed"] is True and result["dns_record"]["value"] == TARGET
    assert fake_api.fields() == ["projects", "insert_custom_domain_one"]


def test_name_is_compared_as_dns_compares_names(fake_api, run_module):
    # The service holds it in another case; the task gives it with blanks and the root's dot.
    expect_read(fake_api, [domain_node(fqdn="API.example.COM", dns_validation="succeeded")], holders=[])
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn="  Api.Example.com. "))
    assert result["changed"] is False
    assert result["dns_record"]["name"] == FQDN


def test_a_new_name_is_sent_normalised(fake_api, run_module):
    expect_read(fake_api)
    expect_insert(fake_api)
    assert run_module(module, dict(tenant_id=TENANT_ID, fqdn="API.EXAMPLE.COM."))["changed"] is True


def test_other_domains_of_the_project_are_left_alone(fake_api, run_module):
    expect_read(fake_api, [domain_node(fqdn="www.example.com", domain_id=OTHER_ID)])
    expect_insert(fake_api)
    assert run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN))["changed"] is True


# --- check and diff mode ------------------------------------------------------------------------------


def test_check_mode_add_sends_no_mutation(fake_api, run_module):
    expect_read(fake_api)
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN), check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["domain"] == dict(_domain.planned_domain(FQDN, TENANT_ID))
    assert result["domain"]["id"] is None
    assert result["diff"] == {"before": {}, "after": result["domain"]}
    assert "CNAME my-app.hasura.app" in result["next_step"]
    assert_no_mutation(fake_api)


def test_check_mode_never_waits(fake_api, run_module):
    expect_read(fake_api)
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN, wait=True), check_mode=True)
    assert result["changed"] is True and fake_api.fields() == ["tenant_by_pk"]


def test_check_mode_remove_sends_no_mutation(fake_api, run_module):
    expect_read(fake_api, [domain_node()])
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN, state="absent"), check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["diff"] == {"before": _domain.domain_from_node(domain_node()), "after": {}}
    assert_no_mutation(fake_api)


def test_diff_of_an_addition(fake_api, run_module):
    expect_read(fake_api)
    expect_insert(fake_api)
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN), diff=True)
    assert result["diff"] == {"before": {}, "after": _domain.domain_from_node(domain_node())}


def test_no_diff_without_diff_mode(fake_api, run_module):
    expect_read(fake_api, [domain_node()])
    assert "diff" not in run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN))


def test_diff_of_a_no_op_is_equal(fake_api, run_module):
    expect_read(fake_api, [domain_node(dns_validation="succeeded")])
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN), diff=True)
    assert result["diff"]["before"] == result["diff"]["after"] == result["domain"]


# --- absent -------------------------------------------------------------------------------------------


def test_remove_is_two_requests(fake_api, run_module):
    expect_read(fake_api, [domain_node()])
    expect_delete(fake_api)
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN, state="absent"))
    assert result["changed"] is True
    assert result["domain"] == _domain.domain_from_node(domain_node())
    assert "dns_record" not in result and "next_step" not in result
    assert fake_api.fields() == ["tenant_by_pk", "delete_custom_domain_by_pk"]


def test_absent_and_not_there_is_one_request(fake_api, run_module):
    expect_read(fake_api)
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN, state="absent"), diff=True)
    assert result["changed"] is False
    assert result["domain"] == _domain.planned_domain(FQDN, TENANT_ID)
    assert result["diff"] == {"before": {}, "after": {}}
    assert fake_api.fields() == ["tenant_by_pk"]


def test_absent_never_touches_another_projects_domain(fake_api, run_module):
    expect_read(fake_api, holders=[holder(OTHER_ID, "other-app")])
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN, state="absent"))
    assert result["changed"] is False
    assert_no_mutation(fake_api)


def test_remove_answered_null_and_gone_means_someone_else_removed_it(fake_api, run_module):
    expect_read(fake_api, [domain_node()])
    expect_delete(fake_api, data({"delete_custom_domain_by_pk": None}))
    expect_read(fake_api)
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN, state="absent"))
    assert result["changed"] is False and "failed" not in result


def test_remove_answered_null_and_still_there_fails_clearly(fake_api, run_module):
    expect_read(fake_api, [domain_node()])
    expect_delete(fake_api, data({"delete_custom_domain_by_pk": None}))
    expect_read(fake_api, [domain_node()])
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN, state="absent"))
    assert result["failed"] is True
    assert "was not removed: the service deleted nothing" in result["msg"]


def test_remove_with_a_lost_answer_is_confirmed_by_a_read(fake_api, run_module):
    expect_read(fake_api, [domain_node()])
    expect_delete(fake_api, lost())
    expect_read(fake_api)
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN, state="absent"))
    assert result["changed"] is True
    assert fake_api.fields().count("delete_custom_domain_by_pk") == 1


def test_remove_refused_and_still_there_reports_the_service(fake_api, run_module, clock):
    expect_read(fake_api, [domain_node()])
    expect_delete(fake_api, gql_error("permission denied", code="anything"))
    expect_read(fake_api, [domain_node()])
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN, state="absent"))
    assert result["failed"] is True and "permission denied" in result["msg"]
    assert clock.pauses == []


# --- a name another project holds --------------------------------------------------------------------


def test_a_name_of_another_visible_project_fails_before_any_mutation(fake_api, run_module):
    expect_read(fake_api, holders=[holder(OTHER_ID, "other-app")])
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN))
    assert result["failed"] is True
    assert result["msg"].startswith("custom domain api.example.com is already used by project other-app (tenant %s)"
                                    % OTHER_ID)
    assert "nothing was changed" in result["msg"]
    assert fake_api.fields() == ["tenant_by_pk"]


def test_a_name_of_another_project_found_by_name_fails_before_any_mutation(fake_api, run_module):
    expect_read_by_name(fake_api, holders=[holder(OTHER_ID, "other-app")])
    result = run_module(module, dict(tenant_name="my-app", fqdn=FQDN), check_mode=True)
    assert result["failed"] is True and "already used by project other-app" in result["msg"]
    assert fake_api.fields() == ["projects"]


def test_a_refused_insert_is_confirmed_by_a_read_and_names_the_holder_found(fake_api, run_module):
    # Taken between the read and the insert by a project the token can see.
    expect_read(fake_api)
    expect_insert(fake_api, gql_error(UNIQUENESS, code="constraint-violation"))
    expect_read(fake_api, holders=[holder(OTHER_ID, "other-app")])
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN))
    assert result["failed"] is True and "already used by project other-app" in result["msg"]
    assert fake_api.fields().count("insert_custom_domain_one") == 1


def test_a_refused_insert_of_an_invisible_holder_quotes_the_service(fake_api, run_module, clock):
    expect_read(fake_api)
    expect_insert(fake_api, gql_error(UNIQUENESS, code="whatever-code"))
    expect_read(fake_api)
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN))
    assert result["failed"] is True
    assert result["msg"].startswith("Hasura Cloud refused to add custom domain api.example.com to tenant %s "
                                    "(project my-app): Uniqueness violation" % TENANT_ID)
    assert "if a project this token cannot see uses it, remove it there first" in result["msg"]
    assert result["changed"] is False
    assert fake_api.fields() == ["tenant_by_pk", "insert_custom_domain_one", "tenant_by_pk"]
    assert clock.pauses == []


def test_a_refused_insert_whose_name_is_there_after_all_is_not_our_change(fake_api, run_module):
    expect_read(fake_api)
    expect_insert(fake_api, gql_error(UNIQUENESS))
    expect_read(fake_api, [domain_node()])
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN))
    assert result["changed"] is False and result["domain"]["id"] == DOMAIN_ID


def test_a_lost_insert_answer_is_confirmed_by_a_read(fake_api, run_module):
    expect_read(fake_api)
    expect_insert(fake_api, lost())
    expect_read(fake_api, [domain_node()])
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN))
    assert result["changed"] is True and result["domain"]["id"] == DOMAIN_ID
    assert fake_api.fields().count("insert_custom_domain_one") == 1


def test_a_lost_insert_that_did_not_happen_is_sent_again(fake_api, run_module, clock):
    expect_read(fake_api)
    expect_insert(fake_api, lost())
    expect_read(fake_api)
    expect_insert(fake_api)
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN))
    assert result["changed"] is True
    assert clock.pauses == [0.5]


def test_a_null_insert_answer_and_nothing_read_back_fails_clearly(fake_api, run_module):
    expect_read(fake_api)
    expect_insert(fake_api, data({"insert_custom_domain_one": None}))
    expect_read(fake_api)
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN))
    assert result["failed"] is True
    assert "was sent to tenant %s but cannot be read back; run the task again" % TENANT_ID in result["msg"]
    assert fake_api.fields().count("insert_custom_domain_one") == 1


def test_a_null_insert_answer_is_read_back(fake_api, run_module):
    expect_read(fake_api)
    expect_insert(fake_api, data({"insert_custom_domain_one": None}))
    expect_read(fake_api, [domain_node()])
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN))
    assert result["changed"] is True and result["domain"]["id"] == DOMAIN_ID


# --- wait ---------------------------------------------------------------------------------------------


def test_wait_polls_until_validated(fake_api, run_module, clock):
    expect_read(fake_api)
    expect_insert(fake_api)
    expect_poll(fake_api, "pending")
    expect_poll(fake_api, "succeeded")
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN, wait=True))
    assert result["changed"] is True
    assert result["domain"]["dns_validation"] == "succeeded" and result["next_step"] is None
    assert warnings_of(result) == []
    # The state the insert answered is the first check: no request for it.
    assert clock.pauses == [1.0, 2.0]


def test_wait_on_a_validated_domain_costs_nothing(fake_api, run_module, clock):
    expect_read(fake_api, [domain_node(dns_validation="succeeded")])
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN, wait=True))
    assert result["changed"] is False and fake_api.fields() == ["tenant_by_pk"]
    assert clock.pauses == []


def test_wait_timeout_names_the_tenant_the_name_and_the_record(fake_api, run_module, clock):
    expect_read(fake_api)
    expect_insert(fake_api)
    for dummy in range(3):
        expect_poll(fake_api, "pending")
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN, wait=True, wait_timeout=5))
    assert result["failed"] is True
    assert result["msg"].startswith("custom domain api.example.com of tenant %s (project my-app) was not validated "
                                    "within wait_timeout=5 seconds" % TENANT_ID)
    assert "api.example.com CNAME my-app.hasura.app" in result["msg"]
    # What was done is still reported: the domain was added.
    assert result["changed"] is True and result["domain"]["id"] == DOMAIN_ID
    assert result["dns_record"]["value"] == TARGET
    assert clock.pauses == [1.0, 2.0, 2.0]


def test_wait_fails_at_once_on_a_failed_validation(fake_api, run_module, clock):
    expect_read(fake_api, [domain_node()])
    expect_poll(fake_api, "failed")
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN, wait=True))
    assert result["failed"] is True
    assert result["msg"].startswith("DNS validation of custom domain api.example.com of tenant %s (project my-app) "
                                    "failed" % TENANT_ID)
    assert "api.example.com CNAME my-app.hasura.app" in result["msg"]
    assert result["domain"]["dns_validation"] == "failed" and result["changed"] is False


def test_wait_for_a_domain_removed_meanwhile_fails_clearly(fake_api, run_module, clock):
    expect_read(fake_api, [domain_node()])
    fake_api.expect("custom_domain_by_pk", data({"custom_domain_by_pk": None}))
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN, wait=True))
    assert result["failed"] is True and "was removed while waiting for its DNS validation" in result["msg"]


def test_absent_never_waits(fake_api, run_module, clock):
    expect_read(fake_api)
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN, state="absent", wait=True))
    assert result["changed"] is False and clock.pauses == []


# --- bad input and unknown tenants -------------------------------------------------------------------


def test_unknown_tenant_id_fails_with_one_request(fake_api, run_module):
    expect_read(fake_api, tenant=False, holders=[])
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN))
    assert result["failed"] is True
    assert result["msg"].startswith("tenant %s not found: no tenant with this id is visible to this token" % TENANT_ID)
    assert fake_api.fields() == ["tenant_by_pk"]


def test_unknown_tenant_name_fails_with_one_request(fake_api, run_module):
    expect_read_by_name(fake_api, projects=[], holders=[])
    result = run_module(module, dict(tenant_name="my-app", fqdn=FQDN, state="absent"))
    assert result["failed"] is True and "tenant 'my-app' not found" in result["msg"]
    assert fake_api.fields() == ["projects"]


@pytest.mark.parametrize("fqdn, fragment", [
    ("", "fqdn must not be empty"),
    ("   ", "fqdn must not be empty"),
    ("localhost", "is not a fully qualified domain name"),
    ("api..example.com", "has an empty label"),
    (".example.com", "has an empty label"),
    ("api_v2.example.com", "label 'api_v2' must be 1 to 63"),
    ("-api.example.com", "label '-api' must be 1 to 63"),
    ("api-.example.com", "label 'api-'"),
    ("a" * 64 + ".example.com", "must be 1 to 63 letters"),
    (".".join(["a" * 60] * 5), "is longer than 253 characters"),
    ("*.example.com", "is a wildcard"),
    ("192.0.2.10", "is an IP address"),
    ("bücher.example", "in its ASCII form (IDNA"),
    ("https://api.example.com", "is not a DNS name"),
    ("api.example.com/v1", "is not a DNS name"),
])
def test_a_bad_name_fails_before_any_request(fake_api, run_module, fqdn, fragment):
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=fqdn))
    assert result["failed"] is True and fragment in result["msg"], result["msg"]
    assert fake_api.calls == []


@pytest.mark.parametrize("args, fragment", [
    (dict(fqdn=FQDN), "one of the following is required: tenant_id, tenant_name"),
    (dict(tenant_id=TENANT_ID, tenant_name="my-app", fqdn=FQDN), "mutually exclusive"),
    (dict(tenant_id="nope", fqdn=FQDN), "tenant_id must be a UUID"),
    (dict(tenant_name=" ", fqdn=FQDN), "tenant_name must not be empty"),
    (dict(tenant_id=TENANT_ID), "missing required arguments: fqdn"),
    (dict(tenant_id=TENANT_ID, fqdn=FQDN, wait_timeout=-1), "wait_timeout must be 0 or more seconds"),
    (dict(tenant_name=None, fqdn=FQDN), "one of the following is required: tenant_id, tenant_name"),
])
def test_option_errors_come_before_any_request(fake_api, run_module, args, fragment):
    result = run_module(module, args)
    assert result["failed"] is True and fragment in result["msg"]
    assert fake_api.calls == []


def test_auth_failure_is_one_clear_message_without_the_token(fake_api, run_module):
    fake_api.expect("tenant_by_pk", gql_error("Authentication hook unauthorized this request", code="access-denied"))
    result = run_module(module, dict(tenant_id=TENANT_ID, fqdn=FQDN))
    assert result["msg"].startswith("authentication failed: check api_token / HASURA_CLOUD_PAT")
    assert TOKEN not in result.raw


# --- documentation --------------------------------------------------------------------------------------


def module_return_doc():
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "RETURN":
            return yaml.safe_load(node.value.value)
    raise AssertionError("no RETURN")


def test_documented_domain_fields_are_the_codes_domain_keys():
    assert sorted(module_return_doc()["domain"]["contains"]) == sorted(_domain.DOMAIN_KEYS)
