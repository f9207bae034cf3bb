# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Transport for the Hasura Cloud GraphQL API.

Internal to the hasura.cloud collection: it may change in any release.

One ``requests.Session`` per client, the ``Authorization: pat`` header, timeouts, TLS
verification, retries of transient failures and the mapping of every failure to one
``HasuraCloudError`` subclass whose text is safe to show (never the token). Also the one
place that checks the connection options and builds a client from them
(``client_from_options``), the one schedule of retry pauses (``backoff_ceiling``) and the
one table of what the service's error answers mean.
"""

from __future__ import annotations

import json
import random
import re
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

# What the service's error answers mean. The real service's codes are not public beyond
# these, so no decision rests on any other code.
# - A rejected personal access token: a Hasura engine in JWT mode answers invalid-jwt, a
#   missing or malformed header invalid-headers, and one that authenticates through a
#   webhook answers access-denied with this message.
AUTH_ERROR_CODES = frozenset(("invalid-jwt", "invalid-headers"))
AUTH_HOOK_MESSAGE = "Authentication hook unauthorized this request"
# - updateTenantEnv refuses a write that changes nothing with this message (public clients
#   match it): the environment already holds the values.
NOTHING_CHANGED_MESSAGE = "nothing changed in config"
# Gateway answers worth another try. They come with a non-JSON body.
TRANSIENT_STATUSES = frozenset((429, 502, 503, 504))

BACKOFF_BASE = 0.5  # seconds before the first retry, doubled each time
BACKOFF_CAP = 10.0  # longest pause computed by backoff
RETRY_AFTER_CAP = 60.0  # longest pause a Retry-After header may ask for

AUTH_FAILED_MESSAGE = "authentication failed: check api_token / HASURA_CLOUD_PAT"


def backoff_ceiling(attempt):
    """The longest pause before retry number ``attempt + 1``: BACKOFF_BASE doubled each time, capped.

    Every retry in the collection follows this schedule: the client's own (with jitter below
    it) and the re-sending of a mutation after its state was read again (exactly it).
    """
    return min(BACKOFF_CAP, BACKOFF_BASE * (2 ** attempt))


class HasuraCloudError(Exception):
    """Base of every error the collection raises; str() is a user-facing message.

    ``result`` holds what the task had done before it failed (the project it created, the
    env it changed) and goes into the failure result. ``quotes_service`` is true when the
    text quotes the service, which might echo a secret value: only such text is masked.
    """

    quotes_service = False

    def __init__(self, message, result=None):
        super(HasuraCloudError, self).__init__(message)
        self.result = dict(result or {})


class AuthenticationError(HasuraCloudError):
    """The service rejected the personal access token."""

    quotes_service = True


class GraphQLError(HasuraCloudError):
    """The service answered with a GraphQL ``errors`` body."""

    quotes_service = True

    def __init__(self, message, code=None, path=None):
        self.message = message
        self.code = code
        self.path = path
        text = "Hasura Cloud API error: %s" % message
        if code:
            text += " (code %s)" % code
        super(GraphQLError, self).__init__(text)

    @property
    def nothing_changed(self):
        """True for the service's refusal of a write that would change nothing."""
        return NOTHING_CHANGED_MESSAGE in (self.message or "")


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


class OptionError(HasuraCloudError):
    """An option value that cannot work, found before any request; the text names options, never values."""


class MissingLibraryError(HasuraCloudError):
    """The Python library requests cannot be imported where the code runs."""


def connection_problem(api_token, api_url, timeout, max_retries):
    """Return a message for unusable connection settings, or None when they are fine."""
    if not api_token:
        return "api_token is required: set the api_token (or pat) option or the HASURA_CLOUD_PAT environment variable"
    if any(ch.isspace() for ch in api_token):
        return "api_token must not contain white space: check api_token / HASURA_CLOUD_PAT"
    if not all(33 <= ord(ch) <= 126 for ch in api_token):
        # HTTP headers carry ASCII: requests would fail with an error quoting the header (the token).
        return "api_token must hold printable ASCII characters only: check api_token / HASURA_CLOUD_PAT"
    if not api_url or not re.match(r"^https?://[^/\s]+", api_url):
        return "api_url must be an http:// or https:// URL, got %r" % (api_url,)
    if timeout is None or timeout <= 0:
        return "timeout must be a positive number of seconds, got %s" % (timeout,)
    if max_retries is None or max_retries < 0:
        return "max_retries must be 0 or more, got %s" % (max_retries,)
    return None


def client_from_options(options):
    """Check the connection options (a dict: api_token, api_url, validate_certs, timeout, max_retries) and build a client.

    Every module and the inventory plugin build their client here. Raises MissingLibraryError
    without requests and OptionError for unusable settings, before any request.
    """
    if not HAS_REQUESTS:
        raise MissingLibraryError("the Python library requests is required where the task runs (pip install requests)")
    problem = connection_problem(options["api_token"], options["api_url"], options["timeout"], options["max_retries"])
    if problem:
        raise OptionError(problem)
    return HasuraCloudClient(
        api_url=options["api_url"],
        token=options["api_token"],
        validate_certs=options["validate_certs"],
        timeout=options["timeout"],
        max_retries=options["max_retries"],
    )


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
        """Exponential backoff with jitter in the upper half (never zero, so retries spread out)."""
        ceiling = backoff_ceiling(attempt)
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
    if code in AUTH_ERROR_CODES or message.strip() == AUTH_HOOK_MESSAGE:
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
