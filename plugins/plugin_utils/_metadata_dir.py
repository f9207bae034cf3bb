# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reading a Hasura CLI metadata directory on the controller (used by the action plugin of hasura_metadata).

Internal to the hasura.cloud collection: it may change in any release.

The directory is what ``hasura metadata export`` writes in a config v3 project (Hasura
docs, migrations-metadata-seeds/metadata-format): ``version.yaml``,
``databases/databases.yaml`` (a list of sources whose ``tables`` and ``functions`` are
``"!include default/tables/tables.yaml"`` references), ``databases/<db>/tables/tables.yaml``
(a list of ``"!include public_author.yaml"``), one file per table and function,
``actions.yaml`` with ``actions.graphql`` (the actions' GraphQL definitions and their custom
types), and one file per other top-level key (``remote_schemas.yaml``, ``cron_triggers.yaml``,
``query_collections.yaml``, ``allow_list.yaml``, ...). The CLI writes ``!include`` as a
quoted string; the YAML tag form ``!include file.yaml`` is read too. An included path is
relative to the file that includes it and must stay inside the directory.

``src`` may also name one YAML or JSON file holding the whole metadata object.
Every error names the file.
"""

from __future__ import annotations

import json
import os
import re

import yaml

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # PyYAML without libyaml
    from yaml import SafeLoader as _BaseLoader

INCLUDE_PREFIX = "!include "
VERSION = 3

# File of the directory -> top-level metadata key and what it holds (the CLI's names;
# allow_list.yaml holds ``allowlist``).
TOP_LEVEL_FILES = (
    ("allow_list.yaml", "allowlist", list),
    ("api_limits.yaml", "api_limits", dict),
    ("backend_configs.yaml", "backend_configs", dict),
    ("cron_triggers.yaml", "cron_triggers", list),
    ("graphql_schema_introspection.yaml", "graphql_schema_introspection", dict),
    ("inherited_roles.yaml", "inherited_roles", list),
    ("metrics_config.yaml", "metrics_config", dict),
    ("network.yaml", "network", dict),
    ("opentelemetry.yaml", "opentelemetry", dict),
    ("query_collections.yaml", "query_collections", list),
    ("remote_schemas.yaml", "remote_schemas", list),
    ("rest_endpoints.yaml", "rest_endpoints", list),
)
CUSTOM_TYPE_KINDS = ("enums", "input_objects", "objects", "scalars")


class MetadataDirError(Exception):
    """The directory (or file) cannot be read as Hasura metadata; the message names the file."""


class _Include(object):
    """A ``!include`` written as a YAML tag."""

    def __init__(self, target):
        self.target = target


class _Loader(_BaseLoader):  # pylint: disable=too-many-ancestors
    """Safe YAML, with ``!include`` tags, and dates kept as the text they are (metadata is JSON)."""


_Loader.add_constructor("!include", lambda loader, node: _Include(loader.construct_scalar(node)))
_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


# ---------------------------------------------------------------------------- files and includes


_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


def _native(loader, node):
    """The Python value of a composed node: what the safe constructor makes of it, without its
    per-node bookkeeping (a metadata directory has hundreds of files, this is most of their cost)."""
    if isinstance(node, yaml.MappingNode):
        if any(key.tag == _MERGE_TAG for key, _value in node.value):
            return loader.construct_object(node, deep=True)  # merge keys: the constructor knows them
        return dict((_native(loader, key), _native(loader, value)) for key, value in node.value)
    if isinstance(node, yaml.SequenceNode):
        return [_native(loader, item) for item in node.value]
    if node.tag == _STR_TAG:
        return node.value
    return loader.construct_object(node)


def _load_yaml(text):
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _native(loader, node)
    finally:
        loader.dispose()


def _parse(path):
    """The YAML (or JSON, a subset of it) document of a file, and whether it may hold an include."""
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise MetadataDirError("src: cannot read %s: %s" % (path, getattr(err, "strerror", None) or err))
    try:
        return _load_yaml(text), "!include" in text
    except RecursionError:
        raise MetadataDirError("src: %s holds a YAML alias that refers to itself, or nests too deep" % path)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = " at line %d, column %d" % (mark.line + 1, mark.column + 1) if mark else ""
        raise MetadataDirError("src: %s is not valid YAML%s: %s"
                               % (path, where, getattr(err, "problem", None) or err))


class _Reader(object):
    """Loads files under one root, following ``!include`` references."""

    def __init__(self, root):
        self.root = os.path.realpath(root)

    def load(self, path, chain=()):
        """A file's content with its includes replaced by the files they name."""
        real = os.path.realpath(path)
        if real in chain:
            raise MetadataDirError("src: %s includes itself (through %s)"
                                   % (path, " -> ".join(os.path.relpath(p, self.root) for p in chain + (real,))))
        value, includes = _parse(path)
        return self._resolve(value, path, chain + (real,)) if includes else value

    def _resolve(self, value, path, chain):
        if isinstance(value, dict):
            return dict((key, self._resolve(item, path, chain)) for key, item in value.items())
        if isinstance(value, list):
            return [self._resolve(item, path, chain) for item in value]
        target = None
        if isinstance(value, _Include):
            target = value.target
        elif isinstance(value, str) and value.startswith(INCLUDE_PREFIX):
            target = value[len(INCLUDE_PREFIX):]
        if target is None:
            return value
        return self.load(self._target(path, target.strip()), chain)

    def _target(self, path, target):
        full = os.path.normpath(os.path.join(os.path.dirname(path), target))
        if os.path.commonpath([os.path.realpath(full), self.root]) != self.root:
            raise MetadataDirError("src: %s includes %s, which is outside the metadata directory %s"
                                   % (path, target, self.root))
        if not os.path.isfile(full):
            raise MetadataDirError("src: %s includes %s, which does not exist (looked for %s)" % (path, target, full))
        return full

    def optional(self, name, kind):
        """The content of ``name`` under the root (``kind``: list or dict), or None when there is no such file."""
        path = os.path.join(self.root, name)
        if not os.path.exists(path):
            return None
        value = self.load(path)
        if value is not None and not isinstance(value, kind):
            raise MetadataDirError("src: %s must hold a %s, not a %s"
                                   % (path, "list" if kind is list else "mapping", type(value).__name__))
        return value


# ---------------------------------------------------------------------------- the directory


def load_metadata(src):
    """The metadata object that a CLI metadata directory (or one YAML or JSON file) at ``src`` declares."""
    if os.path.isfile(src):
        return _single_file(src)
    if not os.path.isdir(src):
        raise MetadataDirError("src: %s does not exist" % src)
    reader = _Reader(src)
    metadata = {"version": _version(reader, src)}
    sources = reader.optional(os.path.join("databases", "databases.yaml"), list)
    metadata["sources"] = sources or []
    for name, key, kind in TOP_LEVEL_FILES:
        value = reader.optional(name, kind)
        if value is not None:
            metadata[key] = value
    metadata.update(_actions(reader))
    return metadata


def _single_file(path):
    value = _Reader(os.path.dirname(path) or ".").load(path)
    if not isinstance(value, dict):
        raise MetadataDirError("src: %s must hold the metadata object (a mapping with version: 3), not a %s"
                               % (path, type(value).__name__))
    return value


def _version(reader, src):
    version = reader.optional("version.yaml", dict)
    if version is None:
        hint = ""
        if os.path.isfile(os.path.join(src, "metadata", "version.yaml")):
            hint = "; it holds a metadata directory: set src to " + os.path.join(src, "metadata")
        raise MetadataDirError("src: %s is not a Hasura CLI metadata directory: it has no version.yaml%s" % (src, hint))
    if version.get("version") != VERSION:
        raise MetadataDirError(
            "src: %s says version %s; only config v3 metadata directories (version: 3) can be read, upgrade the "
            "project with hasura scripts update-project-v3" % (os.path.join(src, "version.yaml"), version.get("version")))
    return VERSION


# ---------------------------------------------------------------------------- actions


def _actions(reader):
    """``actions`` and ``custom_types`` from actions.yaml and the definitions in actions.graphql."""
    declared = reader.optional("actions.yaml", dict) or {}
    graphql_path = os.path.join(reader.root, "actions.graphql")
    defined = parse_actions_graphql(graphql_path) if os.path.isfile(graphql_path) else ({}, {})
    fields, types = defined
    out = {}
    actions = [_action(entry, fields, graphql_path) for entry in declared.get("actions") or []]
    undeclared = sorted(set(fields) - set(entry.get("name") for entry in actions))
    if undeclared:
        raise MetadataDirError("src: %s defines %s, which %s has no action for: add it there (with its handler)"
                               % (graphql_path, ", ".join(undeclared), os.path.join(reader.root, "actions.yaml")))
    if actions:
        out["actions"] = actions
    custom_types = _custom_types(declared.get("custom_types") or {}, types)
    if custom_types:
        out["custom_types"] = custom_types
    return out


def _action(entry, fields, graphql_path):
    if not isinstance(entry, dict) or "name" not in entry:
        raise MetadataDirError("src: every action of actions.yaml needs a name, got %s" % json.dumps(entry, default=str))
    field = fields.get(entry["name"])
    if field is None:
        raise MetadataDirError("src: actions.yaml declares the action %s, which %s does not define in type Query or "
                               "type Mutation" % (entry["name"], graphql_path))
    definition = dict(entry.get("definition") or {})
    definition.update(type=field["type"], output_type=field["output_type"])
    if field["arguments"]:
        definition["arguments"] = field["arguments"]
    action = dict(entry, definition=definition)
    if field.get("description") and "comment" not in action:
        action["comment"] = field["description"]  # ASSUMPTION: the CLI keeps an action's comment as its description
    return action


def _custom_types(declared, types):
    """The types of actions.graphql, with what actions.yaml adds to them (an object's relationships)."""
    out = {}
    for kind in CUSTOM_TYPE_KINDS:
        extra = dict((entry.get("name"), entry) for entry in declared.get(kind) or [] if isinstance(entry, dict))
        merged = [dict(definition, **extra.get(name, {})) for name, definition in types.get(kind, {}).items()]
        merged += [entry for name, entry in extra.items() if name not in types.get(kind, {})]
        if merged:
            out[kind] = merged
    return out


# ---------------------------------------------------------------------------- actions.graphql

_TOKEN = re.compile(r'''
    (?P<skip>[\s,\ufeff]+|\#[^\n\r]*)
  | (?P<block>"""(?:\\"""|[^"]|"(?!""))*""")
  | (?P<string>"(?:\\.|[^"\\\n])*")
  | (?P<spread>\.\.\.)
  | (?P<punct>[!$&()\:=@\[\]{}|])
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[_A-Za-z][_0-9A-Za-z]*)
''', re.VERBOSE)


def _tokens(text, path):
    tokens, position, line = [], 0, 1
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise MetadataDirError("src: %s is not valid GraphQL at line %d: unexpected %r" % (path, line, text[position]))
        kind = match.lastgroup
        if kind != "skip":
            tokens.append((kind, match.group(), line))
        line += match.group().count("\n")
        position = match.end()
    tokens.append(("end", "", line))
    return tokens


def _string_value(kind, text):
    if kind == "block":
        lines = text[3:-3].replace('\\"""', '"""').splitlines()
        indents = [len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()]
        cut = min(indents) if indents else 0
        lines = lines[:1] + [line[cut:] for line in lines[1:]]
        return "\n".join(lines).strip("\n").strip()
    return json.loads(text)


class _SDLParser(object):
    """The subset of GraphQL SDL that actions.graphql holds: types, inputs, enums, scalars, descriptions, directives."""

    def __init__(self, text, path):
        self.tokens = _tokens(text, path)
        self.index = 0
        self.path = path

    def peek(self, value=None):
        kind, text, _line = self.tokens[self.index]
        return text == value if value is not None else (kind, text)

    def take(self, expected=None):
        kind, text, line = self.tokens[self.index]
        if expected is not None and text != expected or kind == "end" and expected != "":
            raise MetadataDirError("src: %s is not valid GraphQL at line %d: expected %s, found %s"
                                   % (self.path, line, expected or "more", text or "the end of the file"))
        self.index += 1
        return text

    def name(self):
        kind, text, line = self.tokens[self.index]
        if kind != "name":
            raise MetadataDirError("src: %s is not valid GraphQL at line %d: expected a name, found %s"
                                   % (self.path, line, text or "the end of the file"))
        self.index += 1
        return text

    def description(self):
        kind, text = self.peek()
        if kind in ("block", "string"):
            self.index += 1
            return _string_value(kind, text)
        return None

    def type_ref(self):
        if self.peek("["):
            self.take("[")
            text = "[%s]" % self.type_ref()
            self.take("]")
        else:
            text = self.name()
        if self.peek("!"):
            self.take("!")
            text += "!"
        return text

    def skip_value(self):
        kind, text = self.peek()
        if text in ("[", "{"):
            closing = "]" if text == "[" else "}"
            self.take(text)
            while not self.peek(closing):
                if text == "{":
                    self.name()
                    self.take(":")
                self.skip_value()
            self.take(closing)
        elif text == "$":
            self.take("$")
            self.name()
        elif kind in ("name", "number", "string", "block"):
            self.index += 1
        else:
            self.take("a value")

    def directives(self):
        """Names of the directives at this point (their arguments are skipped)."""
        found = []
        while self.peek("@"):
            self.take("@")
            found.append(self.name())
            if self.peek("("):
                self.take("(")
                while not self.peek(")"):
                    self.name()
                    self.take(":")
                    self.skip_value()
                self.take(")")
        return found

    def input_value(self):
        description = self.description()
        entry = {"name": self.name()}
        self.take(":")
        entry["type"] = self.type_ref()
        if self.peek("="):
            self.take("=")
            self.skip_value()  # ASSUMPTION: defaults are not part of action metadata
        self.directives()
        if description:
            entry["description"] = description
        return entry

    def block(self, opening, closing, item):
        entries = []
        if self.peek(opening):
            self.take(opening)
            while not self.peek(closing):
                entries.append(item())
            self.take(closing)
        return entries

    def field(self):
        description = self.description()
        entry = {"name": self.name(), "arguments": self.block("(", ")", self.input_value)}
        self.take(":")
        entry["type"] = self.type_ref()
        self.directives()
        if description:
            entry["description"] = description
        return entry

    def enum_value(self):
        description = self.description()
        entry = {"value": self.name()}
        if "deprecated" in self.directives():
            entry["is_deprecated"] = True
        if description:
            entry["description"] = description
        return entry


def parse_actions_graphql(path):
    """``(fields, types)`` of an actions.graphql: the fields of type Query and Mutation (the actions)
    and the custom types by kind, each by name, in the metadata's form."""
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise MetadataDirError("src: cannot read %s: %s" % (path, getattr(err, "strerror", None) or err))
    parser = _SDLParser(text, path)
    fields, types = {}, dict((kind, {}) for kind in CUSTOM_TYPE_KINDS)
    while not parser.peek(""):
        _definition(parser, fields, types)
    return fields, types


def _definition(parser, fields, types):
    description = parser.description()
    if parser.peek("extend"):
        parser.take("extend")
    keyword = parser.name()
    name = parser.name()
    entry = {"name": name}
    if description:
        entry["description"] = description
    if keyword == "type":
        if parser.peek("implements"):
            parser.take("implements")
            while parser.peek("&") or parser.peek()[0] == "name" and not parser.peek("{"):
                parser.take()
        parser.directives()
        members = parser.block("{", "}", parser.field)
        if name in ("Query", "Mutation"):
            for member in members:
                fields[member["name"]] = dict(member, type=name.lower(), output_type=member["type"])
        else:
            types["objects"][name] = dict(entry, fields=[dict((k, v) for k, v in member.items() if k != "arguments")
                                                         for member in members])
    elif keyword == "input":
        parser.directives()
        types["input_objects"][name] = dict(entry, fields=parser.block("{", "}", parser.input_value))
    elif keyword == "enum":
        parser.directives()
        types["enums"][name] = dict(entry, values=parser.block("{", "}", parser.enum_value))
    elif keyword == "scalar":
        parser.directives()
        types["scalars"][name] = entry
    else:
        raise MetadataDirError("src: %s defines a %s %s; actions.graphql holds type, input, enum and scalar definitions"
                               % (parser.path, keyword, name))
