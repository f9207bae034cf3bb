# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Transport for the Hasura Cloud GraphQL API.

Internal to the hasura.cloud collection: it may change in any release.

One ``requests.Session`` per client, the ``Authorization: pat`` header, timeouts, TLS
verification, retries of transient failures and the mapping of every failure to one
``HasuraCloudError`` subclass whose text is safe to show (never the token).
"""

from __future__ import annotations

import json
import random
import time
import traceback

try:
    import requests
except ImportError:
    requests = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    REQUESTS_IMPORT_ERROR = None

HAS_REQUESTS = requests is not None

COLLECTION_VERSION = "0.1.0"
USER_AGENT = "hasura.cloud-ansible/%s" % COLLECTION_VERSION
DEFAULT_API_URL = "https://data.pro.hasura.io/v1/graphql"

# Codes the service uses for a missing, malformed or unknown personal access token.
AUTH_ERROR_CODES = frozenset(("invalid-jwt", "invalid-headers"))
# Gateway answers worth another try. They come with a non-JSON body.
TRANSIENT_STATUSES = frozenset((429, 502, 503, 504))

BACKOFF_BASE = 0.5  # seconds before the first retry, doubled each time
BACKOFF_CAP = 10.0  # longest pause computed by backoff
RETRY_AFTER_CAP = 60.0  # longest pause a Retry-After header may ask for

AUTH_FAILED_MESSAGE = "authentication failed: check api_token / HASURA_CLOUD_PAT"


class HasuraCloudError(Exception):
    """Base of every error raised by the client; str() is a user-facing message."""


class AuthenticationError(HasuraCloudError):
    """The service rejected the personal access token."""


class GraphQLError(HasuraCloudError):
    """The service answered with a GraphQL ``errors`` body."""

    def __init__(self, message, code=None, path=None):
        self.message = message
        self.code = code
        self.path = path
        text = "Hasura Cloud API error: %s" % message
        if code:
            text += " (code %s)" % code
        super(GraphQLError, self).__init__(text)


class HTTPStatusError(HasuraCloudError):
    """An answer that is not a GraphQL answer (gateway error, non-JSON body)."""

    def __init__(self, message, status):
        self.status = status
        super(HTTPStatusError, self).__init__(message)


class TransportError(HasuraCloudError):
    """No answer at all: connection refused or reset, timeout, TLS failure."""


class OutcomeUnknownError(HasuraCloudError):
    """A mutation was sent and its answer was lost: it may or may not have been applied.

    The caller must re-read the state before deciding whether to send it again.
    """


class _Retry(Exception):
    """Internal: one attempt failed in a way worth another try."""

    def __init__(self, error, delay=None):
        super(_Retry, self).__init__(str(error))
        self.error = error
        self.delay = delay


class HasuraCloudClient(object):
    """A small GraphQL client for the Hasura Cloud API."""

    def __init__(self, api_url, token, validate_certs=True, timeout=30, max_retries=3,
                 session=None, sleep=None, rng=None):
        self.api_url = api_url
        self.validate_certs = validate_certs
        self.timeout = timeout
        self.max_retries = max_retries
        self._sleep = sleep or time.sleep
        self._random = rng or random.Random()
        self.session = session if session is not None else requests.Session()
        self.session.headers.update({
            "Authorization": "pat %s" % token,
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        })

    def query(self, document, variables=None):
        """Run a read-only operation; transient failures are retried."""
        return self._execute(document, variables, idempotent=True)

    def mutate(self, document, variables=None):
        """Run a mutation.

        It is re-sent only when the failure proves it was not processed (the connection
        could not be opened, or the service answered 429). Any other lost answer raises
        OutcomeUnknownError so that the caller re-reads first.
        """
        return self._execute(document, variables, idempotent=False)

    def health_status(self, url):
        """GET ``url`` without credentials; return the HTTP status, or None without an answer."""
        try:
            response = requests.get(url, timeout=self.timeout, verify=self.validate_certs,
                                    headers={"User-Agent": USER_AGENT})
        except requests.exceptions.RequestException:
            return None
        return response.status_code

    def _execute(self, document, variables, idempotent):
        payload = json.dumps({"query": document, "variables": variables or {}})
        attempt = 0
        while True:
            try:
                return self._attempt(payload, idempotent)
            except _Retry as retry:
                if attempt >= self.max_retries:
                    raise retry.error
                self._sleep(retry.delay if retry.delay is not None else self._backoff(attempt))
                attempt += 1

    def _backoff(self, attempt):
        """Exponential backoff with full jitter (never zero, so retries spread out)."""
        ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** attempt))
        return self._random.uniform(ceiling / 2.0, ceiling)

    def _attempt(self, payload, idempotent):
        try:
            response = self.session.post(self.api_url, data=payload, timeout=self.timeout,
                                         verify=self.validate_certs)
        except requests.exceptions.SSLError as exc:
            raise TransportError(
                "TLS verification failed for %s (%s); fix the certificate, or set "
                "validate_certs=false only for an endpoint you trust" % (self.api_url, _reason(exc)))
        except requests.exceptions.ConnectTimeout:
            # The connection was never opened: nothing reached the service.
            raise _Retry(TransportError("timed out connecting to %s after %s seconds" % (self.api_url, self.timeout)))
        except requests.exceptions.Timeout:
            error = "no answer from %s within %s seconds" % (self.api_url, self.timeout)
            if idempotent:
                raise _Retry(TransportError(error))
            raise OutcomeUnknownError(error + "; the change may or may not have been applied")
        except requests.exceptions.ConnectionError as exc:
            if _never_sent(exc):
                raise _Retry(TransportError("cannot connect to %s (%s); check api_url / HASURA_CLOUD_API_URL"
                                            % (self.api_url, _reason(exc))))
            error = "connection to %s lost before an answer (%s)" % (self.api_url, _reason(exc))
            if idempotent:
                raise _Retry(TransportError(error))
            raise OutcomeUnknownError(error + "; the change may or may not have been applied")
        except requests.exceptions.RequestException as exc:
            raise TransportError("request to %s failed (%s)" % (self.api_url, _reason(exc)))
        return self._read_response(response, idempotent)

    def _read_response(self, response, idempotent):
        status = response.status_code
        if status in TRANSIENT_STATUSES:
            error = HTTPStatusError("HTTP %s %s from %s" % (status, response.reason or "", self.api_url), status)
            if status == 429:
                # Rate limited: the request was refused, so even a mutation may be re-sent.
                raise _Retry(error, _retry_after(response))
            if idempotent:
                raise _Retry(error, _retry_after(response))
            raise OutcomeUnknownError("%s; the change may or may not have been applied" % error)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise HTTPStatusError("HTTP %s %s from %s: the answer is not GraphQL JSON"
                                  % (status, response.reason or "", self.api_url), status)
        errors = body.get("errors")
        if errors:
            raise _error_from_body(errors)
        if status != 200:
            raise HTTPStatusError("HTTP %s %s from %s" % (status, response.reason or "", self.api_url), status)
        data = body.get("data")
        if not isinstance(data, dict):
            raise HTTPStatusError("HTTP %s from %s: the answer has no data" % (status, self.api_url), status)
        return data


def _error_from_body(errors):
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    message = str(first.get("message") or "unknown error")
    extensions = first.get("extensions") if isinstance(first.get("extensions"), dict) else {}
    code = extensions.get("code")
    if code in AUTH_ERROR_CODES:
        return AuthenticationError("%s (the service said: %s)" % (AUTH_FAILED_MESSAGE, message))
    return GraphQLError(message, code=code, path=extensions.get("path"))


def _retry_after(response):
    """Seconds asked for by a Retry-After header in its delta-seconds form, else None."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff
    return max(0.0, min(seconds, RETRY_AFTER_CAP))


def _never_sent(exc):
    """True when a ConnectionError happened while opening the connection (nothing was sent)."""
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    name = type(reason).__name__
    return name in ("NewConnectionError", "ConnectTimeoutError") or "Connection refused" in str(reason)


def _reason(exc):
    """A short reason for a requests exception, without URLs repeated or tracebacks."""
    reason = exc.args[0] if exc.args else exc
    reason = getattr(reason, "reason", reason)
    text = str(reason)
    # urllib3 prefixes reasons with an object repr ("<urllib3.connection...>: Failed to ...").
    if text.startswith("<") and ">: " in text:
        text = text.split(">: ", 1)[1]
    return text[:300]
