# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Keeping the values of a dict option secret without letting Ansible's masking garble results.

Internal to the hasura.cloud collection: it may change in any release.

Ansible masks every no_log value as a substring of everything a module returns, so an
env value such as ``1`` or ``true`` would corrupt a hash or a key name (ansible/ansible
#70455, #74676). ``SecretValues`` takes such values out of Ansible's masking and masks
the free text itself, with ``mask_text``. ansible-core 2.22 is to bring a Secrets API that
may make this unnecessary.
"""

from __future__ import annotations

import re

# Ansible's own marker for a hidden option value, so redacted arguments read as usual.
REDACTED = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def _text_forms(value):
    """The strings Ansible would register for masking from one option value."""
    if value is None or isinstance(value, bool):
        return set()
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        forms = set()
        for item in value:
            forms |= _text_forms(item)
        return forms
    text = str(value)
    return {text} if text else set()


# Public identifiers a message may hold: UUIDs (tenant ids) and 40-hex hashes.
_IDENTIFIER = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|\b[0-9a-fA-F]{40}\b")
MASK = "********"


# Values shorter than this are masked only where they stand alone (not inside a word), so a
# value such as "a", "1" or "true" cannot turn "attempts" into "atte********pts".
SHORT_VALUE = 6
_WORD_CHAR = re.compile(r"\w")


def _occurrences(text, part):
    """(start, end) of every occurrence of ``part`` in ``text``, overlapping ones included.

    Plain str.find: a module may hold a thousand key names, and a regex each costs ~40 us.
    """
    start = text.find(part)
    while start != -1:
        yield start, start + len(part)
        start = text.find(part, start + 1)


def mask_text(text, values, names=()):
    """Replace every occurrence of a secret value in ``text`` with ``********``.

    Ansible masks no_log values as plain substrings, which garbles messages when a value is
    short. Here an occurrence is kept when it is a proper part of a public identifier (one
    of ``names`` such as an env key name, a UUID or a 40-hex hash: a value ``1`` does not
    turn ``KEY_1`` into ``KEY_********``), and a value shorter than SHORT_VALUE characters
    is masked only where it is not part of a longer word. An occurrence that is a whole
    identifier, or that reaches outside one, is masked.
    """
    protected = [m.span() for m in _IDENTIFIER.finditer(text)]
    for name in names:
        if isinstance(name, str) and name:
            protected.extend(_occurrences(text, name))
    hidden = [False] * len(text)
    for value in values:
        if not value:
            continue
        for start, end in _occurrences(text, value):
            inside = any(p_start <= start and end <= p_end and p_end - p_start > len(value)
                         for p_start, p_end in protected)
            in_word = len(value) < SHORT_VALUE and (
                (start > 0 and _WORD_CHAR.match(text[start - 1]) and _WORD_CHAR.match(value[0]))
                or (end < len(text) and _WORD_CHAR.match(text[end]) and _WORD_CHAR.match(value[-1])))
            if not inside and not in_word:
                for index in range(start, end):
                    hidden[index] = True
    out = []
    for index, char in enumerate(text):
        if not hidden[index]:
            out.append(char)
        elif index == 0 or not hidden[index - 1]:
            out.append(MASK)
    return "".join(out)


class SecretValues(object):
    """Keep a dict option's values secret without letting masking garble results.

    Ansible masks every no_log value as a substring of everything the module returns,
    so an env value such as ``1`` or ``true`` would corrupt a hash or a key name
    (ansible/ansible #70455, #74676). The results of our modules hold names and hashes
    only, by construction; so, just before exiting, this helper masks the free-text
    fields itself, replaces the option's values in the echoed arguments, and takes the
    values out of the module's substring masking. Values shared with other no_log
    options (the token) stay registered.

    ansible-core 2.22 is to bring a Secrets API that may make this unnecessary.
    """

    FREE_TEXT_FIELDS = ("msg",)

    def __init__(self, module, option, args_filter=None):
        self.module = module
        self.option = option
        self.args_filter = args_filter
        other = set()
        for name, spec in module.argument_spec.items():
            if name != option and spec.get("no_log"):
                other |= _text_forms(module.params.get(name))
        self._other = other
        self._pending = []
        self.values = _text_forms(module.params.get(option)) - other

    def add(self, values):
        """More secret texts to keep out of free text, found while the module runs (read from the service).

        ``values`` may be a callable that returns them: it is called only if some text is to be
        masked (a failure, a warning), so that a run with nothing to mask does not look for them.
        """
        if callable(values):
            self._pending.append(values)
            return
        self.values |= set(value for value in values if isinstance(value, str) and value) - self._other

    def _resolve(self):
        while self._pending:
            self.add(self._pending.pop(0)())

    def mask(self, text):
        """``text`` with every secret value masked (for warnings, which Ansible would not mask)."""
        self._resolve()
        return mask_text(text, self.values) if self.values else text

    @property
    def params(self):
        """The module's parameters, so helpers taking a module (check_uuid, client_from_module) can fail through us."""
        return self.module.params

    def _prepare(self, result, skip=()):
        option_value = self.module.params.get(self.option)
        names = list(option_value) if isinstance(option_value, dict) else []
        masked = [field for field in self.FREE_TEXT_FIELDS if field not in skip and isinstance(result.get(field), str)]
        if masked:
            self._resolve()
        for field in masked:
            if self.values:
                result[field] = mask_text(result[field], self.values, names)
        args = dict(self.module.params)
        if isinstance(args.get(self.option), dict):
            args[self.option] = dict((key, REDACTED) for key in args[self.option])
        elif args.get(self.option) is not None:
            args[self.option] = REDACTED
        if self.args_filter is not None:
            args = self.args_filter(args)
        result["invocation"] = {"module_args": args}
        self.module.no_log_values.difference_update(self.values)
        return result

    def exit_json(self, **result):
        self.module.exit_json(**self._prepare(result))

    def fail_json(self, msg, trusted_msg=False, **result):
        """Fail; ``msg`` is masked unless ``trusted_msg`` says the module built it from names and ids only.

        Masking a message the module wrote itself can only garble it: a short value such as
        ``no`` or ``a`` is also an English word. Text that may come from the service is masked.
        """
        result["msg"] = msg
        self.module.fail_json(**self._prepare(result, skip=("msg",) if trusted_msg else ()))
