"""Standalone documents no Checkov runner hands to a check, reduced to the model:
- a security configuration kept for `aws emr create-security-configuration --security-configuration file://x.json`
  (a top-level object with `EncryptionConfiguration` and only the keys the EMR API defines), or the CLI input
  skeleton (`--cli-input-json`: `{"Name": ..., "SecurityConfiguration": "<JSON text>"}`);
- an Amazon States Language file (`*.asl.json`, `*.asl.yaml`) that launches clusters.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional

import yaml

from emrsec import state_machines
from emrsec.jsontext import parse_json
from emrsec.model import Launch
from emrsec.values import Variant

CONFIGURATION_KEYS = frozenset({"EncryptionConfiguration", "AuthenticationConfiguration",
                                "AuthorizationConfiguration", "InstanceMetadataServiceConfiguration"})
SKELETON_KEYS = frozenset({"Name", "SecurityConfiguration"})
ASL_SUFFIXES = (".asl.json", ".asl.yaml", ".asl.yml")
CONFIGURATION, STATE_MACHINE = "security configuration", "state machine"


def may_be_document(path: str, text: str) -> bool:
    """A cheap text test, before parsing: could the file be a standalone document?"""
    if path.endswith(ASL_SUFFIXES):
        return state_machines.MENTION in text
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
    if path.endswith(ASL_SUFFIXES):
        try:
            definition = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as error:
            raise Unreadable(str(error).splitlines()[0]) from error
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
