# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The transport: retries, backoff, Retry-After, error mapping, headers, no token in errors."""

from __future__ import annotations

import random

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from ansible_collections.hasura.cloud.plugins.module_utils import _client
from ansible_collections.hasura.cloud.plugins.module_utils._client import (
    AUTH_FAILED_MESSAGE,
    AuthenticationError,
    GraphQLError,
    HasuraCloudClient,
    HTTPStatusError,
    OutcomeUnknownError,
    TransportError,
)

from ansible_collections.hasura.cloud.tests.unit.conftest import API_URL, TOKEN, data, gql_error, make_response

QUERY = "query getTenantEnv($tenantId: uuid!) { getTenantEnv(tenantId: $tenantId) { hash envVars } }"
MUTATION = ("mutation updateTenantEnv($tenantId: uuid!, $currentHash: String!, $envs: [UpdateEnvObject!]!) "
            "{ updateTenantEnv(tenantId: $tenantId, currentHash: $currentHash, envs: $envs) { hash envVars } }")
Q = "getTenantEnv"
M = "updateTenantEnv"
OK_Q = {"getTenantEnv": {"hash": "h", "envVars": {"environment": {}}}}
OK_M = {"updateTenantEnv": {"hash": "h2", "envVars": {"environment": {"A": "1"}}}}


def client(max_retries=3, rng=None):
    return HasuraCloudClient(API_URL, TOKEN, timeout=7, max_retries=max_retries, rng=rng)


def connect_refused():
    """What requests raises when nothing listens: the request was never sent."""
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")
    return requests.exceptions.ConnectionError(MaxRetryError(None, "/v1/graphql", reason))


def connection_lost():
    """What requests raises when the peer closes the connection after the request was sent."""
    return requests.exceptions.ConnectionError(
        ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset by peer")))


def assert_no_token(exc):
    assert TOKEN not in str(exc)
    assert TOKEN not in repr(exc)


# --------------------------------------------------------------------------- success and headers


def test_query_returns_data_and_sends_headers(fake_api):
    fake_api.expect(Q, data(OK_Q), check=lambda v: v == {"tenantId": "t"})
    assert client().query(QUERY, {"tenantId": "t"}) == OK_Q
    call = fake_api.calls[0]
    assert call["url"] == API_URL
    assert call["headers"]["Authorization"] == "pat " + TOKEN
    assert call["headers"]["User-Agent"].startswith("hasura.cloud-ansible/")
    assert call["headers"]["Content-Type"] == "application/json"
    assert call["timeout"] == 7
    assert call["verify"] is True
    assert fake_api.sleeps == []


def test_one_session_per_client(fake_api):
    fake_api.expect(Q, data(OK_Q)).expect(Q, data(OK_Q))
    c = client()
    c.query(QUERY)
    c.query(QUERY)
    assert len(fake_api.sessions) == 1


def test_validate_certs_false_is_passed(fake_api):
    fake_api.expect(Q, data(OK_Q))
    HasuraCloudClient(API_URL, TOKEN, validate_certs=False).query(QUERY)
    assert fake_api.calls[0]["verify"] is False


# --------------------------------------------------------------------------- retries of queries


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_query_retried_on_transient_status(fake_api, status):
    fake_api.expect(Q, make_response(status, text="<html>busy</html>")).expect(Q, data(OK_Q))
    assert client().query(QUERY) == OK_Q
    assert len(fake_api.sleeps) == 1


@pytest.mark.parametrize("error", [connect_refused(), connection_lost(), requests.exceptions.ReadTimeout("read timed out"),
                                   requests.exceptions.ConnectTimeout("connect timed out")])
def test_query_retried_on_connection_errors(fake_api, error):
    fake_api.expect(Q, error).expect(Q, data(OK_Q))
    assert client().query(QUERY) == OK_Q
    assert len(fake_api.sleeps) == 1


def test_retry_after_is_honoured(fake_api):
    fake_api.expect(Q, make_response(429, text="slow down", headers={"Retry-After": "7"})).expect(Q, data(OK_Q))
    client().query(QUERY)
    assert fake_api.sleeps == [7.0]


def test_retry_after_is_capped(fake_api):
    fake_api.expect(Q, make_response(503, text="x", headers={"Retry-After": "3600"})).expect(Q, data(OK_Q))
    client().query(QUERY)
    assert fake_api.sleeps == [_client.RETRY_AFTER_CAP]


def test_retry_after_http_date_falls_back_to_backoff(fake_api):
    fake_api.expect(Q, make_response(429, text="x", headers={"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}))
    fake_api.expect(Q, data(OK_Q))
    client().query(QUERY)
    assert 0.25 <= fake_api.sleeps[0] <= 0.5


def test_backoff_grows_with_jitter_bounds(fake_api):
    for dummy in range(4):
        fake_api.expect(Q, make_response(502, text="bad gateway"))
    fake_api.expect(Q, data(OK_Q))
    client(max_retries=4).query(QUERY)
    sleeps = fake_api.sleeps
    assert len(sleeps) == 4
    for attempt, pause in enumerate(sleeps):
        ceiling = min(_client.BACKOFF_CAP, _client.BACKOFF_BASE * 2 ** attempt)
        assert ceiling / 2.0 <= pause <= ceiling


def test_backoff_is_jittered_and_capped(fake_api):
    c = client(rng=random.Random(42))
    for attempt in range(12):
        ceiling = min(_client.BACKOFF_CAP, _client.BACKOFF_BASE * 2 ** attempt)
        values = [c._backoff(attempt) for dummy in range(50)]
        assert all(ceiling / 2.0 <= v <= ceiling for v in values)
        assert len(set(values)) > 1  # jitter: not one fixed value
    assert c._backoff(20) <= _client.BACKOFF_CAP


def test_max_retries_exhausted_message(fake_api):
    for dummy in range(4):
        fake_api.expect(Q, make_response(503, text="<html>down</html>"))
    with pytest.raises(HTTPStatusError) as info:
        client(max_retries=3).query(QUERY)
    assert info.value.status == 503
    assert str(info.value) == "HTTP 503 Service Unavailable from %s" % API_URL
    assert len(fake_api.sleeps) == 3
    assert_no_token(info.value)


def test_max_retries_zero_means_one_attempt(fake_api):
    fake_api.expect(Q, connect_refused())
    with pytest.raises(TransportError) as info:
        client(max_retries=0).query(QUERY)
    assert "cannot connect to %s" % API_URL in str(info.value)
    assert "HASURA_CLOUD_API_URL" in str(info.value)
    assert fake_api.sleeps == []


# --------------------------------------------------------------------------- mutations are never re-sent blindly


@pytest.mark.parametrize("status", [502, 503, 504])
def test_mutation_not_resent_on_gateway_errors(fake_api, status):
    fake_api.expect(M, make_response(status, text="gateway"))
    with pytest.raises(OutcomeUnknownError) as info:
        client().mutate(MUTATION, {})
    assert "may or may not have been applied" in str(info.value)
    assert fake_api.sleeps == []
    assert_no_token(info.value)


@pytest.mark.parametrize("error", [requests.exceptions.ReadTimeout("read timed out"), connection_lost()])
def test_mutation_not_resent_after_send(fake_api, error):
    fake_api.expect(M, error)
    with pytest.raises(OutcomeUnknownError) as info:
        client().mutate(MUTATION, {})
    assert "may or may not have been applied" in str(info.value)
    assert len(fake_api.calls) == 1


def test_mutation_resent_on_429(fake_api):
    fake_api.expect(M, make_response(429, text="rate limited", headers={"Retry-After": "2"})).expect(M, data(OK_M))
    assert client().mutate(MUTATION, {}) == OK_M
    assert fake_api.sleeps == [2.0]


@pytest.mark.parametrize("error", [connect_refused(), requests.exceptions.ConnectTimeout("connect timed out")])
def test_mutation_resent_when_never_sent(fake_api, error):
    fake_api.expect(M, error).expect(M, data(OK_M))
    assert client().mutate(MUTATION, {}) == OK_M
    assert len(fake_api.calls) == 2


def test_mutation_graphql_error_not_retried(fake_api):
    fake_api.expect(M, gql_error("env hash mismatch", code="constraint-violation"))
    with pytest.raises(GraphQLError) as info:
        client().mutate(MUTATION, {})
    assert info.value.code == "constraint-violation"
    assert fake_api.sleeps == []


# --------------------------------------------------------------------------- error mapping


def test_graphql_error_keeps_message_and_code(fake_api):
    fake_api.expect(Q, gql_error("tenant 1234 does not exist", code="not-exists"))
    with pytest.raises(GraphQLError) as info:
        client().query(QUERY)
    err = info.value
    assert err.code == "not-exists"
    assert err.message == "tenant 1234 does not exist"
    assert err.path == "$"
    assert str(err) == "Hasura Cloud API error: tenant 1234 does not exist (code not-exists)"
    assert fake_api.sleeps == []  # a GraphQL error is an answer, not a transient failure


def test_graphql_error_without_code(fake_api):
    fake_api.expect(Q, make_response(body={"errors": [{"message": "boom"}]}))
    with pytest.raises(GraphQLError) as info:
        client().query(QUERY)
    assert str(info.value) == "Hasura Cloud API error: boom"


@pytest.mark.parametrize("code", ["invalid-headers", "invalid-jwt"])
def test_auth_errors(fake_api, code):
    fake_api.expect(Q, gql_error("invalid Authorization header: a valid personal access token is required", code))
    with pytest.raises(AuthenticationError) as info:
        client().query(QUERY)
    assert str(info.value).startswith(AUTH_FAILED_MESSAGE)
    assert "authentication failed: check api_token / HASURA_CLOUD_PAT" in str(info.value)
    assert_no_token(info.value)
    assert fake_api.sleeps == []


@pytest.mark.parametrize("code", ["access-denied", None, "unexpected"])
def test_the_webhook_auth_form_is_an_auth_error_whatever_its_code(fake_api, code):
    fake_api.expect(Q, gql_error("Authentication hook unauthorized this request", code))
    with pytest.raises(AuthenticationError) as info:
        client().query(QUERY)
    assert str(info.value) == (AUTH_FAILED_MESSAGE + " (the service said: Authentication hook unauthorized this request)")


def test_access_denied_for_something_else_is_the_services_error(fake_api):
    # A token that may not do this one thing is not a bad token.
    fake_api.expect(Q, gql_error("not allowed to delete this project", "access-denied"))
    with pytest.raises(GraphQLError) as info:
        client().query(QUERY)
    assert not isinstance(info.value, AuthenticationError)
    assert str(info.value) == "Hasura Cloud API error: not allowed to delete this project (code access-denied)"


def test_nothing_changed_in_config_is_recognised_by_its_message():
    assert GraphQLError("nothing changed in config", code="whatever").nothing_changed
    assert not GraphQLError("something else", code="unexpected").nothing_changed


def test_non_json_body_names_http_status(fake_api):
    fake_api.expect(Q, make_response(500, text="<html>Internal error</html>"))
    with pytest.raises(HTTPStatusError) as info:
        client().query(QUERY)
    assert info.value.status == 500
    assert "HTTP 500" in str(info.value)
    assert "not GraphQL JSON" in str(info.value)


def test_non_json_200_body(fake_api):
    fake_api.expect(Q, make_response(200, text="<html>captive portal</html>"))
    with pytest.raises(HTTPStatusError) as info:
        client().query(QUERY)
    assert "HTTP 200" in str(info.value)


def test_json_without_data(fake_api):
    fake_api.expect(Q, make_response(200, body={"nothing": True}))
    with pytest.raises(HTTPStatusError, match="no data"):
        client().query(QUERY)


def test_json_error_status_without_errors(fake_api):
    fake_api.expect(Q, make_response(401, body={"message": "nope"}))
    with pytest.raises(HTTPStatusError) as info:
        client().query(QUERY)
    assert info.value.status == 401


def test_tls_error(fake_api):
    fake_api.expect(Q, requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"))
    with pytest.raises(TransportError) as info:
        client().query(QUERY)
    text = str(info.value)
    assert "TLS verification failed" in text
    assert "CERTIFICATE_VERIFY_FAILED" in text
    assert "validate_certs" in text
    assert fake_api.sleeps == []  # a certificate problem does not heal by waiting


def test_other_request_error(fake_api):
    fake_api.expect(Q, requests.exceptions.InvalidURL("bad url"))
    with pytest.raises(TransportError, match="request to .* failed"):
        client().query(QUERY)


def test_timeout_message_names_seconds(fake_api):
    for dummy in range(2):
        fake_api.expect(Q, requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(TransportError) as info:
        client(max_retries=1).query(QUERY)
    assert str(info.value) == "no answer from %s within 7 seconds" % API_URL


@pytest.mark.parametrize("answer", [
    make_response(502, text="x"),
    make_response(200, text="not json"),
    gql_error("invalid token", "invalid-headers"),
    gql_error("oops"),
    connect_refused(),
    connection_lost(),
    requests.exceptions.SSLError("bad cert"),
    requests.exceptions.ReadTimeout("slow"),
])
def test_token_never_in_error_text(fake_api, answer):
    fake_api.expect(M, answer)
    with pytest.raises(_client.HasuraCloudError) as info:
        client(max_retries=0).mutate(MUTATION, {"x": 1})
    assert_no_token(info.value)
    assert "pat " not in str(info.value)


def test_health_status(monkeypatch):
    seen = {}

    def fake_get(url, timeout=None, verify=None, headers=None):
        seen.update(url=url, headers=headers)
        return make_response(200, text="OK")

    monkeypatch.setattr(_client.requests, "get", fake_get)
    c = HasuraCloudClient(API_URL, TOKEN, session=requests.Session())
    assert c.health_status("http://h/healthz") == 200
    assert "Authorization" not in seen["headers"]

    def failing_get(url, timeout=None, verify=None, headers=None):
        raise requests.exceptions.ConnectionError("down")

    monkeypatch.setattr(_client.requests, "get", failing_get)
    assert c.health_status("http://h/healthz") is None
