"""Cluster launches in an Amazon States Language definition: Step Functions `createCluster` task states.

Format-free: each input form (CloudFormation, Terraform, a standalone `*.asl.json` / `*.asl.yaml`) reduces its
definition to the JSON-like model of `values` first.
"""
from __future__ import annotations

import json
import re
from typing import Any

import yaml

from emrsec.model import ABSENT, Launch
from emrsec.values import Invalid, Unresolved

CREATE_CLUSTER = re.compile(r":states:::elasticmapreduce:createCluster(?:\.sync)?$")
MENTION = "elasticmapreduce:createCluster"  # what a definition that launches a cluster contains, however written
MAX_NESTING = 16  # Parallel branches and Map iterators within each other


def parse(path: str, text: str) -> Any:
    """A definition file's content: JSON for `.json`, else YAML (SAM and the ASL tools take both); ValueError naming
    the parser's complaint when it does not parse."""
    try:
        return json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise ValueError(str(error).splitlines()[0]) from error


def _resource_text(resource: Any) -> str:
    """The Resource ARN; one built from parts the scan cannot resolve (`arn:${AWS::Partition}:states:::...`) as
    its text, unquoted."""
    text = resource if isinstance(resource, str) else resource.source if isinstance(resource, Unresolved) else ""
    return text.strip().strip('"')


def _security_configuration(state: dict[str, Any], path: str) -> Launch:
    """The state's `Parameters.SecurityConfiguration` (JSONPath) or `Arguments.SecurityConfiguration` (JSONata)."""
    key = "Arguments" if "Arguments" in state and "Parameters" not in state else "Parameters"
    parameters, at = state.get(key), f"{path}.{key}.SecurityConfiguration"
    if "Parameters.$" in state:  # every parameter taken from the execution input: it may hold one or not
        return Launch(at, Unresolved(f"Parameters.$ {state['Parameters.$']!s:.60}, taken from the execution input"))
    if isinstance(parameters, str) and parameters.strip().startswith("{%"):
        return Launch(at, Unresolved(f"the JSONata expression {parameters.strip()[:60]}"))
    if isinstance(parameters, Unresolved):
        return Launch(at, Unresolved(f"{key} that cannot be resolved ({parameters.source})"))
    if not isinstance(parameters, dict):
        return Launch(at, ABSENT)
    if "SecurityConfiguration.$" in parameters:  # a path into the execution input: it may be missing or empty
        return Launch(at, Unresolved(f"SecurityConfiguration.$ {parameters['SecurityConfiguration.$']!s:.60}, "
                                     "taken from the execution input"))
    value = parameters.get("SecurityConfiguration", ABSENT)
    if isinstance(value, str) and value.strip().startswith("{%") and value.strip().endswith("%}"):
        return Launch(at, Unresolved(f"the JSONata expression {value.strip()[:60]}"))
    return Launch(at, value)


def _walk(machine: Any, path: str, found: list[Launch], depth: int) -> None:
    states = machine.get("States") if isinstance(machine, dict) else None
    if not isinstance(states, dict) or depth > MAX_NESTING:
        return
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        state_path = f"{path}States.{name}"
        if CREATE_CLUSTER.search(_resource_text(state.get("Resource"))):
            found.append(_security_configuration(state, state_path))
        branches = state.get("Branches")
        for index, branch in enumerate(branches if isinstance(branches, list) else []):
            _walk(branch, f"{state_path}.Branches[{index}].", found, depth + 1)
        for key in ("Iterator", "ItemProcessor"):
            _walk(state.get(key), f"{state_path}.{key}.", found, depth + 1)


def launches(definition: Any, written: str) -> list[Launch]:
    """The createCluster states of a definition; a definition that cannot be read but whose text (`written`)
    names createCluster is one launch the pack cannot decide, never none."""
    if isinstance(definition, (Invalid, Unresolved)) or not isinstance(definition, dict):
        if MENTION not in written:
            return []
        why = definition.reason if isinstance(definition, Invalid) else (
            definition.source if isinstance(definition, Unresolved) else "not a JSON object")
        return [Launch("definition", Unresolved(f"a state machine definition the pack cannot read ({why})"))]
    found: list[Launch] = []
    _walk(definition, "", found, 0)
    return found
