"""Standalone documents no Checkov runner hands to a check, reduced to the model:
- a security configuration kept for `aws emr create-security-configuration --security-configuration file://x.json`
  (a top-level object with `EncryptionConfiguration` and only the keys the EMR API defines), or the CLI input
  skeleton (`--cli-input-json`: `{"Name": ..., "SecurityConfiguration": "<JSON text>"}`);
- an Amazon States Language file (`*.asl.json`, `*.asl.yaml`) that launches clusters;
- the state machines of a `serverless.yml` (the serverless-step-functions plugin's `stepFunctions.stateMachines`),
  whose Checkov runner reads only `resources`.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Any, Optional

import yaml

from emrsec import state_machines
from emrsec.jsontext import MAX_DEPTH, parse_json
from emrsec.model import Launch
from emrsec.values import Unresolved, Variant

CONFIGURATION_KEYS = frozenset({"EncryptionConfiguration", "AuthenticationConfiguration",
                                "AuthorizationConfiguration", "InstanceMetadataServiceConfiguration"})
SKELETON_KEYS = frozenset({"Name", "SecurityConfiguration"})
ASL_SUFFIXES = (".asl.json", ".asl.yaml", ".asl.yml")
SERVERLESS_FILES = os.environ.get("CKV_SLS_FILE_MASK", "serverless.yml,serverless.yaml").split(",")  # as Checkov
CONFIGURATION, STATE_MACHINE = "security configuration", "state machine"
_SERVERLESS_VARIABLE = re.compile(r"\$\{[^}]*\}")


def serverless(path: str) -> bool:
    return os.path.basename(path) in SERVERLESS_FILES


def may_be_document(path: str, text: str) -> bool:
    """A cheap text test, before parsing: could the file be a standalone document?"""
    if path.endswith(ASL_SUFFIXES) or serverless(path):
        return state_machines.MENTION in text and (not serverless(path) or "stepFunctions" in text)
    return path.endswith(".json") and '"EncryptionConfiguration' in text.replace('\\"', '"') \
        and "AWS::EMR::" not in text and '"resource' not in text  # not a template, a .tf.json or a plan


@dataclass(frozen=True)
class Document:
    kind: str  # CONFIGURATION or STATE_MACHINE
    variants: list[Variant]
    lines: int


class Unreadable(Exception):
    """A file that claims to be a document (an ASL file naming createCluster) but cannot be parsed."""


def read(path: str, text: str) -> Optional[Document]:
    """The document the file holds; None when it is none of the kinds above (most JSON files)."""
    lines = max(1, text.count("\n") + (not text.endswith("\n")))
    if serverless(path):
        launches = _serverless_launches(text)
        return Document(STATE_MACHINE, [Variant("", launches)], lines) if launches else None
    if path.endswith(ASL_SUFFIXES):
        try:
            definition = state_machines.parse(path, text)
        except ValueError as error:
            raise Unreadable(str(error)) from error
        launches: list[Launch] = state_machines.launches(definition, text)
        return Document(STATE_MACHINE, [Variant("", launches)], lines) if launches else None
    try:
        document = json.loads(text)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    if "EncryptionConfiguration" in document and set(document) <= CONFIGURATION_KEYS:
        return Document(CONFIGURATION, [Variant("", document)], lines)
    if isinstance(document.get("SecurityConfiguration"), str) and set(document) <= SKELETON_KEYS:
        return Document(CONFIGURATION, [Variant("", parse_json(document["SecurityConfiguration"]))], lines)
    return None


class _TolerantLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags (`!Ref`, `!GetAtt`, ...), read as values the pack cannot know."""


_TolerantLoader.add_multi_constructor(
    "!", lambda loader, tag, node: Unresolved(f"{tag} {getattr(node, 'value', '')!s:.40}"))


def _serverless_value(value: Any, depth: int = 0) -> Any:
    """A Serverless Framework variable (`${self:...}`, `${env:...}`) may resolve to anything, empty included; an
    `Fn::Sub` / `Fn::Join` (the plugin resolves CloudFormation intrinsics) is text with unknown parts."""
    if depth > MAX_DEPTH:
        return Unresolved("a value nested too deeply")
    if isinstance(value, str) and _SERVERLESS_VARIABLE.search(value):
        return Unresolved(value)
    if isinstance(value, dict) and len(value) == 1 and set(value) <= {"Fn::Sub", "Fn::Join"}:
        (name, argument), = value.items()
        if name == "Fn::Sub":
            text = argument[0] if isinstance(argument, list) and argument else argument
        else:
            separator, parts = argument if isinstance(argument, list) and len(argument) == 2 else ("", [])
            parts = parts if isinstance(parts, list) else []
            text = str(separator).join(p if isinstance(p, str) else "${...}" for p in parts)
        return Unresolved(f"{name} of {text}" if isinstance(text, str) else name)
    if isinstance(value, dict):
        return {k: _serverless_value(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_serverless_value(v, depth + 1) for v in value]
    return value


def _serverless_launches(text: str) -> list[Launch]:
    try:
        document = yaml.load(text, Loader=_TolerantLoader)  # noqa: S506 - a SafeLoader with tags read as unknowns
    except yaml.YAMLError as error:
        raise Unreadable(str(error).splitlines()[0]) from error
    machines = document.get("stepFunctions", {}).get("stateMachines") if isinstance(document, dict) else None
    found: list[Launch] = []
    for name, machine in (machines.items() if isinstance(machines, dict) else []):
        definition = machine.get("definition") if isinstance(machine, dict) else None
        prefix = f"stepFunctions.stateMachines.{name}.definition"
        written = json.dumps(definition, default=str)
        for launch in state_machines.launches(_serverless_value(definition), written):
            found.append(Launch(f"{prefix}.{launch.path}", launch.value))
    return found
