"""The normalized configuration model that every input form is reduced to.

A configuration is a JSON-like tree (dict, list, str, int, float, bool, None) in which two extra leaf
types may appear: `Unresolved` for a value the scanner cannot know (a reference, a variable without a
default, a CloudFormation intrinsic) and, at the root only, `Invalid` for text that is not a
configuration at all (a JSON syntax error, a file that may not be read).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping


@dataclass(frozen=True)
class Unresolved:
    """A value that cannot be known before deploy; `source` says what it was, for messages.

    Where only presence is needed it counts as present only if the adapter knows it cannot be null or empty
    (`maybe_absent=False`: a resource or data-source attribute, a `Ref`/`GetAtt`, a required variable, text
    around the unknown part); anything else may turn out null or empty and leaves the verdict unknown.
    """

    source: str
    maybe_absent: bool = True


@dataclass(frozen=True)
class Ref(Unresolved):
    """A reference to another resource of the template or module (`aws_kms_key.k.arn`, `!GetAtt Key.Arn`,
    `!Ref SecurityConfiguration`): unknown before deploy, never empty, and resolvable by the project holding it.

    `unit` says which module instance or template the address is declared in (part of equality: the same address
    in two module instances is two resources); `context` is what the adapter needs to read it there.
    """

    maybe_absent: bool = False
    address: str = ""  # "aws_kms_key.k" / a logical ID
    attribute: str = ""  # "arn", "name", "Arn", "" for a CloudFormation Ref
    unit: Any = None
    context: Any = field(default=None, compare=False, hash=False, repr=False)
    # a resource with count / for_each whose instances are not known: an instance read from it may not exist
    uncertain: bool = field(default=False, compare=False)

    def read(self, attribute: str) -> "Ref":
        """The reference with an attribute read from the resource it names (`aws_x.this[0]` -> `.name`)."""
        return replace(self, source=f"{self.source}.{attribute}", attribute=attribute,
                       maybe_absent=attribute not in ALWAYS_SET)


# Attributes a resource has once created, whatever its arguments: a reference to any other (an optional
# argument such as a cluster's security_configuration or a configuration's name_prefix) may be null.
ALWAYS_SET = frozenset({"", "id", "arn", "name", "key_id", "target_key_id", "target_key_arn"})


MAX_SHOWN = 300  # characters of an unresolved value kept for messages


def unresolved_text(shown: str, parts: Iterable[Any]) -> Unresolved:
    """Text with unknown parts: present when a literal part, or an unknown part that cannot be empty, is non-empty."""
    present = any((isinstance(p, str) and p) or (isinstance(p, Unresolved) and not p.maybe_absent) for p in parts)
    if len(shown) > MAX_SHOWN:  # text built from text built from text... stays short
        shown = shown[:MAX_SHOWN - 3] + "..."
    return Unresolved(shown, maybe_absent=not present)


@dataclass(frozen=True)
class Invalid:
    """The configuration text is broken; `reason` says why (with line and column for JSON)."""

    reason: str


@dataclass(frozen=True)
class Variant:
    """One way the resource can turn out: `condition` says when (a CloudFormation branch, a Terraform module
    chain; '' if always), `origins` where values under a JSON path come from when they are not literals, `project`
    the unit it was read in (a `model.Project`: what its references and names lead to; None: nothing resolves)."""

    condition: str
    value: Any
    origins: Mapping[str, str] = field(default_factory=dict, compare=False)
    project: Any = field(default=None, compare=False)
    root: str = field(default="", compare=False)  # the format's name for the whole configuration ('' = configuration)

    def origin(self, path: str) -> str:
        """Where the value at `path` (or the nearest object holding it) comes from; '' when written literally."""
        path = re.sub(r"\[\d+\]", "", path)  # a list's elements share their list's origin
        while True:
            if path in self.origins:
                return self.origins[path]
            if "." not in path:
                return self.origins.get("", "")
            path = path.rsplit(".", 1)[0]


def describe(value: Any) -> str:
    """A short, human description of a leaf for messages."""
    if isinstance(value, Unresolved):
        return value.source
    if isinstance(value, (dict, list)):
        return type_name(value)
    text = json.dumps(value, ensure_ascii=False, default=str)
    if len(text) <= 60:
        return text
    return text[:57] + ('..."' if isinstance(value, str) else "...")


def type_name(value: Any) -> str:
    """The JSON name of a value's type, for wrong-type messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
