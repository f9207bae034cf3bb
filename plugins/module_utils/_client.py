# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Transport for the Hasura Cloud GraphQL API and for the metadata API of a project's engine.

Internal to the hasura.cloud collection: it may change in any release.

One ``requests.Session`` per client, the ``Authorization: pat`` header, timeouts, TLS
verification, retries of transient failures and the mapping of every failure to one
``HasuraCloudError`` subclass whose text is safe to show (never the token). Also the one
place that checks the connection options and builds a client from them
(``client_from_options``), the one schedule of retry pauses (``backoff_ceiling``) and the
one table of what the service's error answers mean. ``MetadataClient`` (built by
``HasuraCloudClient.engine``) shares the transport: a project's ``/v1/metadata`` with its
admin secret, never the token, and errors that come as non-200 JSON answers.
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

COLLECTION_VERSION = "0.2.0"
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
# - A project's engine (its metadata API, Hasura docs) answers a missing or wrong admin
#   secret with HTTP 401 and code access-denied (403 is read the same way), and a stale
#   resource_version with HTTP 409 and code conflict.
ADMIN_SECRET_HEADER = "X-Hasura-Admin-Secret"
ADMIN_SECRET_STATUSES = frozenset((401, 403))
CONFLICT_STATUS = 409
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

    def with_result(self, **partial):
        """Add what the task had done when it failed (keys the error set itself win); return the error."""
        for key, value in partial.items():
            self.result.setdefault(key, value)
        return self


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


class MetadataAPIError(HasuraCloudError):
    """A project's engine refused a metadata API request: a non-200 answer ``{path, error, code}``.

    ``internal`` holds what the engine added (the inconsistent objects of a refused replace).
    """

    quotes_service = True

    def __init__(self, status, body, url):
        self.status = status
        self.code = body.get("code")
        self.error = str(body.get("error") or "unknown error")
        self.path = body.get("path")
        self.internal = body.get("internal")
        super(MetadataAPIError, self).__init__("metadata API error from %s: HTTP %s: %s (code %s)"
                                               % (url, status, self.error, self.code))


class AdminSecretError(MetadataAPIError):
    """The engine refused the admin secret (missing or wrong)."""


class MetadataConflictError(MetadataAPIError):
    """The engine's metadata moved since it was read (a stale resource_version)."""


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


class _Transport(object):
    """POST a JSON body to one URL: the session, timeouts, TLS, retries of transient failures
    and the typing of every failure. Subclasses read the answers of their API (``_read_answer``)."""

    # What to check when nothing listens at the URL.
    CONNECT_HINT = "check api_url / HASURA_CLOUD_API_URL"

    def __init__(self, url, headers, validate_certs=True, timeout=30, max_retries=3,
                 session=None, sleep=None, rng=None):
        self.url = url
        self.validate_certs = validate_certs
        self.timeout = timeout
        self.max_retries = max_retries
        self._sleep = sleep or time.sleep
        self._random = rng or random.Random()
        self.session = session if session is not None else requests.Session()
        self.session.headers.update(headers)

    def _send(self, payload, idempotent):
        """POST ``payload`` (text); return what ``_read_answer`` makes of the answer."""
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
            response = self.session.post(self.url, data=payload, timeout=self.timeout,
                                         verify=self.validate_certs)
        except requests.exceptions.SSLError as exc:
            raise TransportError(
                "TLS verification failed for %s (%s); fix the certificate, or set "
                "validate_certs=false only for an endpoint you trust" % (self.url, _reason(exc)))
        except requests.exceptions.ConnectTimeout:
            # The connection was never opened: nothing reached the service.
            raise _Retry(TransportError("timed out connecting to %s after %s seconds" % (self.url, self.timeout)))
        except requests.exceptions.Timeout:
            error = "no answer from %s within %s seconds" % (self.url, self.timeout)
            if idempotent:
                raise _Retry(TransportError(error))
            raise OutcomeUnknownError(error + "; the change may or may not have been applied")
        except requests.exceptions.ConnectionError as exc:
            if _never_sent(exc):
                raise _Retry(TransportError("cannot connect to %s (%s); %s" % (self.url, _reason(exc), self.CONNECT_HINT)))
            error = "connection to %s lost before an answer (%s)" % (self.url, _reason(exc))
            if idempotent:
                raise _Retry(TransportError(error))
            raise OutcomeUnknownError(error + "; the change may or may not have been applied")
        except requests.exceptions.RequestException as exc:
            raise TransportError("request to %s failed (%s)" % (self.url, _reason(exc)))
        return self._read_response(response, idempotent)

    def _read_response(self, response, idempotent):
        """Gateway answers worth another try are retried; anything else goes to ``_read_answer``."""
        status = response.status_code
        if status in TRANSIENT_STATUSES:
            error = HTTPStatusError("HTTP %s %s from %s" % (status, response.reason or "", self.url), status)
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
        return self._read_answer(response, body)

    def _read_answer(self, response, body):
        raise NotImplementedError


class HasuraCloudClient(_Transport):
    """A small GraphQL client for the Hasura Cloud API."""

    def __init__(self, api_url, token, validate_certs=True, timeout=30, max_retries=3,
                 session=None, sleep=None, rng=None):
        super(HasuraCloudClient, self).__init__(api_url, {
            "Authorization": "pat %s" % token,
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }, validate_certs, timeout, max_retries, session, sleep, rng)
        self.api_url = api_url

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

    def engine(self, endpoint, admin_secret):
        """The metadata API of the project at ``endpoint`` (its base URL), with this client's settings."""
        return MetadataClient(endpoint, admin_secret, validate_certs=self.validate_certs, timeout=self.timeout,
                              max_retries=self.max_retries, sleep=self._sleep, rng=self._random)

    def _execute(self, document, variables, idempotent):
        return self._send(json.dumps({"query": document, "variables": variables or {}}), idempotent)

    def _read_answer(self, response, body):
        status = response.status_code
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


class MetadataClient(_Transport):
    """The metadata API of one project's GraphQL engine: ``POST <endpoint>/v1/metadata``.

    Authenticated by the project's admin secret (``x-hasura-admin-secret``); the personal
    access token is never sent there. Errors are a non-200 status with a JSON body
    ``{"path", "error", "code"}`` (Hasura's metadata API reference), typed below.
    """

    CONNECT_HINT = "check that the project exists and that its endpoint can be reached from where the task runs"

    def __init__(self, endpoint, admin_secret, validate_certs=True, timeout=30, max_retries=3,
                 session=None, sleep=None, rng=None):
        headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": USER_AGENT}
        if admin_secret:
            headers[ADMIN_SECRET_HEADER] = admin_secret
        super(MetadataClient, self).__init__(endpoint.rstrip("/") + "/v1/metadata", headers, validate_certs,
                                             timeout, max_retries, session, sleep, rng)

    def read(self, body):
        """Send a request that changes nothing (an export, a bulk of reads); retried on transient failures."""
        return self._send(json.dumps(body), idempotent=True)

    def write(self, body, guarded=False):
        """Send a request that changes the metadata.

        ``guarded``: the request carries the ``resource_version`` just read, so the engine
        applies it at most once (a copy that arrives after the first one meets a moved
        version and is refused with 409): it may be re-sent like a read. An unguarded
        write whose answer is lost raises OutcomeUnknownError.
        """
        return self._send(json.dumps(body), idempotent=guarded)

    def _read_answer(self, response, body):
        status = response.status_code
        if status == 200 and body is not None:
            return body
        if isinstance(body, dict) and "error" in body:
            raise _metadata_error(status, body, self.url)
        raise HTTPStatusError("HTTP %s %s from %s: the answer is not JSON from a Hasura engine"
                              % (status, response.reason or "", self.url), status)


def _error_from_body(errors):
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    message = str(first.get("message") or "unknown error")
    extensions = first.get("extensions") if isinstance(first.get("extensions"), dict) else {}
    code = extensions.get("code")
    if code in AUTH_ERROR_CODES or message.strip() == AUTH_HOOK_MESSAGE:
        return AuthenticationError("%s (the service said: %s)" % (AUTH_FAILED_MESSAGE, message))
    return GraphQLError(message, code=code, path=extensions.get("path"))


def _metadata_error(status, body, url):
    """The typed error of an engine's non-200 metadata API answer."""
    if status in ADMIN_SECRET_STATUSES or body.get("code") == "access-denied":
        return AdminSecretError(status, body, url)
    if status == CONFLICT_STATUS:
        return MetadataConflictError(status, body, url)
    return MetadataAPIError(status, body, url)


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
