"""Terraform arguments, evaluated in a scope, reduced to the model: documents (a security configuration, a state
machine definition), cluster launches and plain settings. Shared by the resources Checkov hands over
(`terraform_input`) and the ones a reference leads to (`terraform_project`)."""
from __future__ import annotations

import re
from typing import Any

from emrsec import state_machines
from emrsec.jsontext import map_leaves, parse_json, parse_with_holes
from emrsec.model import ABSENT, Launch
from emrsec.terraform_expressions import Encoded, Template, TerraformError, encode
from emrsec.terraform_scope import Scope, unwrap
from emrsec.values import Invalid, Unresolved

CLUSTER, STATE_MACHINE = "aws_emr_cluster", "aws_sfn_state_machine"
LAUNCH_ARGUMENT = {CLUSTER: "security_configuration", STATE_MACHINE: "definition"}
_INJECTED_KEY = re.compile(r"^__\w+__$")


def dropped(key: str) -> bool:
    """Keys Checkov and CDKTF add to a resource, not part of a configuration."""
    return bool(_INJECTED_KEY.match(key)) or key == "//"


def normalized(tree: Any) -> Any:
    """Evaluated values to the model: templates with holes and unencodable jsonencode() are unresolved leaves."""
    def leaf(value: Any) -> Any:
        if isinstance(value, Template):
            return value.unresolved(quoted=True)
        if isinstance(value, Encoded):
            return encode(value.value)
        return value
    return map_leaves(tree, leaf, dropped)


def document(value: Any) -> Any:
    """An evaluated JSON document argument: JSON text (with holes) or the object jsonencode() was given."""
    if isinstance(value, Encoded):
        return normalized(value.value)
    if isinstance(value, Template):
        return normalized(parse_with_holes(list(value.segments)))
    if isinstance(value, str):
        return parse_json(value)
    if value is None:
        return Invalid("is null: set it to the JSON document")
    return normalized(value)


def evaluated(scope: Scope, raw: Any) -> Any:
    try:
        return scope.evaluate(raw)
    except TerraformError as error:  # Terraform would stop here; the pack cannot tell what was meant
        return Unresolved(f"an expression Terraform would reject ({error})")
    except RecursionError:
        return Unresolved("an expression nested too deeply to evaluate")


def setting(scope: Scope, body: dict[str, Any], name: str) -> Any:
    """A plain argument's value; ABSENT when not written (or null: the provider's default applies)."""
    if name not in body:
        return ABSENT
    value = normalized(evaluated(scope, unwrap(body[name])))
    return ABSENT if value is None else value


def launches(resource_type: str, value: Any, written: Any) -> list[Launch]:
    """The clusters a resource launches, from its evaluated launch argument (`ABSENT` when not written)."""
    if resource_type == STATE_MACHINE:
        return [] if value is ABSENT else state_machines.launches(document(value), str(written))
    if value is ABSENT or value is None:
        return [Launch(LAUNCH_ARGUMENT[CLUSTER], ABSENT)]
    return [Launch(LAUNCH_ARGUMENT[CLUSTER], value.unresolved(quoted=True) if isinstance(value, Template) else value)]
