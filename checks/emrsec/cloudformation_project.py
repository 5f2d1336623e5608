"""A CloudFormation template as a project: what a reference (`values.Ref`, which carries the template it names a
resource of: a nested stack's parameter may carry its parent's) or a literal name leads to, and which clusters
and createCluster states use a security configuration."""
from __future__ import annotations

import os
from dataclasses import replace
from typing import Any, Optional

from emrsec.cloudformation_input import Template, cluster, resolved, security_configuration, state_machine
from emrsec.model import ABSENT, Configuration, KmsKey, Project, Setting
from emrsec.values import Ref

SECURITY_CONFIGURATION = "AWS::EMR::SecurityConfiguration"
KEY, ALIAS, REPLICA_KEY = "AWS::KMS::Key", "AWS::KMS::Alias", "AWS::KMS::ReplicaKey"
LAUNCHERS = {"AWS::EMR::Cluster": cluster, "AWS::StepFunctions::StateMachine": state_machine,
             "AWS::Serverless::StateMachine": state_machine}
MAX_HOPS = 8  # aliases and replica keys followed to a key


def _properties(resource: Any) -> dict[str, Any]:
    properties = resource.get("Properties") if isinstance(resource, dict) else None
    return properties if isinstance(properties, dict) else {}


def _of_type(template: Template, resource_type: str) -> list[tuple[str, dict[str, Any]]]:
    return [(logical_id, resource) for logical_id, resource in template.resources.items()
            if isinstance(resource, dict) and resource.get("Type") == resource_type]


def _setting(template: Template, properties: dict[str, Any], name: str) -> Setting:
    return Setting(name, resolved(properties[name], template) if name in properties else ABSENT)


class CloudFormationProject(Project):
    def __init__(self, template: Template) -> None:
        self.template = template

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CloudFormationProject) and self.template.path == other.template.path

    def __hash__(self) -> int:
        return hash(self.template.path)

    def _shown(self, template: Template, resource_type: str, logical_id: str) -> str:
        where = f" in {os.path.basename(template.path)}" if template.path != self.template.path else ""
        return f"{resource_type}.{logical_id}{where}"

    def _resource(self, ref: Ref) -> Optional[tuple[Template, str, dict[str, Any]]]:
        template = ref.context
        resource = template.resources.get(ref.address) if isinstance(template, Template) else None
        if not isinstance(resource, dict):
            return None
        return template, str(resource.get("Type")), _properties(resource)

    def _configuration(self, template: Template, logical_id: str, properties: dict[str, Any]) -> Configuration:
        variants = security_configuration(properties, template)
        project = CloudFormationProject(template)
        return Configuration(self._shown(template, SECURITY_CONFIGURATION, logical_id),
                             tuple(replace(v, project=project) for v in variants))

    def configuration(self, value: Any) -> Optional[Configuration]:
        if isinstance(value, Ref):
            found = self._resource(value)
            if found and found[1] == SECURITY_CONFIGURATION:
                return self._configuration(found[0], value.address, found[2])
            return None
        if isinstance(value, str):
            for logical_id, resource in _of_type(self.template, SECURITY_CONFIGURATION):
                properties = _properties(resource)
                if "Name" in properties and resolved(properties["Name"], self.template) == value:
                    return self._configuration(self.template, logical_id, properties)
        return None

    def key(self, value: Any, via: str = "", hops: int = 0) -> Optional[KmsKey]:
        if hops > MAX_HOPS:
            return None
        if isinstance(value, str) and "alias/" in value:  # an alias name or ARN: an AWS::KMS::Alias of the template
            name = value[value.index("alias/"):]
            for logical_id, resource in _of_type(self.template, ALIAS):
                properties = _properties(resource)
                if "AliasName" in properties and resolved(properties["AliasName"], self.template) == name:
                    target = resolved(properties.get("TargetKeyId"), self.template)
                    return self.key(target, via or self._shown(self.template, ALIAS, logical_id), hops + 1)
            return None
        found = self._resource(value) if isinstance(value, Ref) else None
        if found is None:
            return None
        template, resource_type, properties = found
        shown = self._shown(template, resource_type, value.address)
        if resource_type == KEY:
            return KmsKey(shown, _setting(template, properties, "KeySpec"), _setting(template, properties, "KeyUsage"),
                          _setting(template, properties, "Enabled"), via)
        if resource_type == ALIAS:
            return self.key(resolved(properties.get("TargetKeyId"), template), via or shown, hops + 1)
        if resource_type == REPLICA_KEY:
            primary = self.key(resolved(properties.get("PrimaryKeyArn"), template), "", hops + 1)
            if primary is None:
                return None
            return KmsKey(shown, primary.spec, primary.usage, _setting(template, properties, "Enabled"),
                          via or f"replica of {primary.address}")
        return None

    def users_of(self, address: str) -> list[str]:
        """Clusters and state machines of the template whose launch names the configuration `address` (a logical
        ID), by reference or by its Name."""
        own = self.template.resources.get(address)
        name_written = _properties(own).get("Name") if isinstance(own, dict) else None
        name = resolved(name_written, self.template) if name_written is not None else None
        users = []
        for resource_type, read in LAUNCHERS.items():
            for logical_id, resource in _of_type(self.template, resource_type):
                launches = [launch for variant in read(_properties(resource), self.template) for launch in variant.value]
                if any((isinstance(launch.value, Ref) and launch.value.address == address
                        and launch.value.unit == self.template.path) or (isinstance(name, str) and launch.value == name)
                       for launch in launches):
                    users.append(f"{resource_type}.{logical_id} in {os.path.basename(self.template.path)}")
        return users
