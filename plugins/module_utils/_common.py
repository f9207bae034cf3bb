# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What every hasura.cloud module shares: options, option checks, and the one place a module exits.

Internal to the hasura.cloud collection: it may change in any release.
The option documentation lives in the doc fragment ``hasura.cloud.hasura_cloud``;
keep the two in step (ansible-test sanity compares them).
"""

from __future__ import annotations

import re
import sys
import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.hasura.cloud.plugins.module_utils._client import (
    DEFAULT_API_URL,
    REQUESTS_IMPORT_ERROR,
    HasuraCloudError,
    MissingLibraryError,
    OptionError,
    client_from_options,
)
from ansible_collections.hasura.cloud.plugins.module_utils._secrets import SecretValues

UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")  # \Z: no trailing newline

# Project names become part of the endpoint host name.
PROJECT_NAME_PATTERN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?\Z")
PROJECT_NAME_MAX_LENGTH = 63


def connection_argument_spec():
    """The connection options every module and the inventory plugin accept."""
    return dict(
        api_token=dict(type="str", no_log=True, aliases=["pat"],
                       fallback=(env_fallback, ["HASURA_CLOUD_PAT"])),
        api_url=dict(type="str", default=DEFAULT_API_URL,
                     fallback=(env_fallback, ["HASURA_CLOUD_API_URL"])),
        validate_certs=dict(type="bool", default=True),
        timeout=dict(type="int", default=30),
        max_retries=dict(type="int", default=3),
    )


def argument_spec(**module_options):
    """The connection options merged with a module's own options."""
    spec = connection_argument_spec()
    spec.update(module_options)
    return spec


# The project a module acts on, named by exactly one of these (doc fragment section TENANT).
TENANT_REF = ("tenant_id", "tenant_name")


class _FilteredLogModule(AnsibleModule):
    """An AnsibleModule that writes its invocation to the host's log (syslog, journal) through ``args_filter``.

    AnsibleModule logs every option that is not no_log in full; an option that holds
    secrets among other data (a metadata object with header values) cannot be no_log
    without garbling results (see _secrets), so it is logged as the filter shows it.
    """

    args_filter = None

    def _log_invocation(self):
        params = self.params
        self.params = self.args_filter(dict(params))  # pylint: disable=not-callable
        try:
            super(_FilteredLogModule, self)._log_invocation()
        finally:
            self.params = params


def hasura_module(options, required_one_of=None, mutually_exclusive=None, tenant_ref=False, args_filter=None):
    """The AnsibleModule of a hasura.cloud module: shared options plus ``options``, check mode supported.

    ``required_one_of`` (a tuple of option names) is the one declaration of "one of these is
    required": ``run_module`` also refuses them all given as null, which AnsibleModule
    counts as given. ``mutually_exclusive``: a tuple of options of which at most one is set.
    ``tenant_ref`` adds tenant_id and tenant_name, exactly one of them required.
    ``args_filter(args)`` returns the arguments as the host's log may show them.
    """
    if tenant_ref:
        options = dict(options, tenant_id=dict(type="str"), tenant_name=dict(type="str"))
        required_one_of = mutually_exclusive = TENANT_REF
    module_class = AnsibleModule
    if args_filter is not None:
        module_class = type("HasuraModule", (_FilteredLogModule,), {"args_filter": staticmethod(args_filter)})
    return module_class(
        argument_spec=argument_spec(**options),
        required_one_of=[required_one_of] if required_one_of else None,
        mutually_exclusive=[mutually_exclusive] if mutually_exclusive else None,
        supports_check_mode=True,
    )


# --------------------------------------------------------------------------- option checks
# Each raises OptionError naming the option; each module calls those it needs, once.


def check_one_of(params, options):
    """At least one of ``options`` is set to something other than null."""
    if all(params.get(option) is None for option in options):
        raise OptionError("one of the following is required: %s" % ", ".join(options))


def check_uuid(params, option):
    """``option``, when set, is a UUID."""
    value = params.get(option)
    if value is not None and not UUID_PATTERN.match(value):
        raise OptionError("%s must be a UUID (for example 7a79cf94-0e53-4520-a560-1b02bf522f08), got %r"
                          % (option, value))


def check_not_blank(params, option):
    """``option``, when set, is not empty or white space only."""
    value = params.get(option)
    if value is not None and not value.strip():
        raise OptionError("%s must not be empty" % option)


def project_name_problem(name):
    """Why ``name`` cannot be a project name, or None when it can."""
    if not name:
        return "name must not be empty"
    if len(name) > PROJECT_NAME_MAX_LENGTH:
        return "name %r is longer than %d characters" % (name, PROJECT_NAME_MAX_LENGTH)
    if not PROJECT_NAME_PATTERN.match(name):
        return ("name %r is not a valid project name: use lowercase letters, digits and hyphens, "
                "starting and ending with a letter or digit" % (name,))
    return None


def check_project_name(params, option):
    """``option``, when set, is a valid project name."""
    value = params.get(option)
    problem = project_name_problem(value) if value is not None else None
    if problem:
        raise OptionError(problem)


def check_tenant_ref(params):
    """tenant_id, when set, is a UUID; tenant_name, when set, is not blank."""
    check_uuid(params, "tenant_id")
    check_not_blank(params, "tenant_name")


def check_not_negative(params, option):
    """``option``, when set, is 0 or more (seconds)."""
    value = params.get(option)
    if value is not None and value < 0:
        raise OptionError("%s must be 0 or more seconds, got %s" % (option, value))


# --------------------------------------------------------------------------- running a module


class _PlainExits(object):
    """The exits of a module without secret dict options: AnsibleModule's own, masking included."""

    def __init__(self, module):
        self.module = module

    def exit_json(self, **result):
        self.module.exit_json(**result)

    def fail_json(self, msg, trusted_msg=False, **result):
        del trusted_msg  # Ansible masks the no_log values itself
        self.module.fail_json(msg=msg, **result)


def run_module(module, task, check_options=None, secret_option=None, secrets=None):
    """Run one task of a module; this is where a hasura.cloud module exits, and the only place it fails.

    ``check_options(params)`` runs first (with the one-of check of ``hasura_module``), then
    ``task(module, client)`` returns the result. Any HasuraCloudError becomes the failure,
    with the partial result it carries. With ``secret_option`` (an option whose values
    are secrets) exits go through SecretValues; ``secrets`` is such a SecretValues built by
    the module itself (to add the secrets it finds while it runs).
    """
    exits = secrets if secrets is not None else (
        SecretValues(module, secret_option) if secret_option else _PlainExits(module))
    try:
        for options in module.required_one_of or ():
            check_one_of(module.params, options)
        if check_options is not None:
            check_options(module.params)
        result = task(module, client_from_options(module.params))
    except MissingLibraryError:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
    except HasuraCloudError as err:
        # Text from the service might quote a value: masked. Our own text is built from names
        # and ids, and masking it could only garble it (a value "1" inside "127.0.0.1").
        exits.fail_json(msg=str(err), trusted_msg=not err.quotes_service, **err.result)
    except Exception as err:  # pylint: disable=broad-exception-caught
        # A bug, or an answer of a shape nobody expected: one message, never a traceback
        # (an exception's text or a frame's variables might hold a secret).
        exits.fail_json(msg="internal error in %s: %s at %s; please report it"
                        % (module._name, type(err).__name__, _innermost_frame()), trusted_msg=True)
    exits.exit_json(**result)


def _innermost_frame():
    """``file:line`` of the innermost frame of the exception being handled."""
    frames = traceback.extract_tb(sys.exc_info()[2])
    if not frames:
        return "an unknown place"
    return "%s:%s" % (frames[-1].filename.rsplit("/", 1)[-1], frames[-1].lineno)
