"""A Terraform root binding as a project: what a reference (`values.Ref`, which carries the module instance it
was made in) or a literal name leads to, and which clusters use a security configuration.

Literal names are looked up in the binding's root module and the local modules it calls, as Terraform
instantiates them (one instance per call; count / for_each instances share their arguments).
"""
from __future__ import annotations

import json
import os
from typing import Any, Iterator, Optional

from emrsec.model import ABSENT, Configuration, KmsKey, Project, Setting
from emrsec.sources import project_root
from emrsec.terraform_scope import MAX_MODULE_DEPTH, Call, Scope, local_calls, mentions, module_source, unwrap
from emrsec.terraform_values import CLUSTER, LAUNCH_ARGUMENT, STATE_MACHINE, document, evaluated, launches, setting
from emrsec.values import ALWAYS_SET, Invalid, Ref, Variant

SECURITY_CONFIGURATION = "aws_emr_security_configuration"
KEY, ALIAS, REPLICA_KEY = "aws_kms_key", "aws_kms_alias", "aws_kms_replica_key"
MAX_MODULE_INSTANCES = 64  # module instances searched for a literal name
MAX_HOPS = 8  # aliases and replica keys followed to a key


def _shown(scope: Scope, address: str) -> str:
    """The address as Terraform names it from the root module (`module.emr.aws_kms_key.this["a"]`)."""
    index, key = scope.instance
    instance = f"[{index}]" if index is not None else f"[{json.dumps(key)}]" if key is not None else ""
    return "".join(f"module.{call.name}." for call in scope.calls if call.caller_dir) + address + instance


class TerraformProject(Project):
    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def __eq__(self, other: object) -> bool:  # one root module: literal names lead to the same resources
        return isinstance(other, TerraformProject) and self._root_key() == other._root_key()

    def __hash__(self) -> int:
        return hash(self._root_key())

    def _root_key(self) -> tuple[Any, ...]:
        calls = self.scope.calls
        return (self.scope.root, calls[0].caller_dir) if calls and calls[0].caller_dir else (
            self.scope.root, self.scope.chain)

    def _instances(self) -> Iterator[Scope]:
        """The root module of the binding and the local module instances under it, breadth first."""
        calls = self.scope.calls
        if calls and calls[0].caller_dir:
            start = Scope(calls[0].caller_dir, self.scope.root)
        else:
            start = Scope(self.scope.module_dir, self.scope.root, calls, self.scope.instance, self.scope.for_each)
        pending, project, seen = [start], project_root(self.scope.root), 0
        while pending and seen < MAX_MODULE_INSTANCES:
            scope = pending.pop(0)
            seen += 1
            yield scope
            if len(scope.calls) >= MAX_MODULE_DEPTH:
                continue
            for name, called, arguments in local_calls(scope.module_dir, project):
                pending.append(Scope(called, scope.root, scope.calls + (Call(name, scope.module_dir, arguments),),
                                     memo=start.memo))

    def _resources(self, resource_type: str) -> Iterator[tuple[Scope, str, dict[str, Any]]]:
        for scope in self._instances():
            if not mentions(scope.module_dir, resource_type):
                continue
            for (found_type, name), body in module_source(scope.module_dir).resources.items():
                if found_type == resource_type:
                    yield scope, f"{resource_type}.{name}", body

    @staticmethod
    def _body(ref: Ref) -> Optional[tuple[Scope, dict[str, Any]]]:
        if not isinstance(ref.context, Scope) or "." not in ref.address:
            return None
        body = module_source(ref.context.module_dir).resources.get(tuple(ref.address.split(".", 1)))
        return (ref.context, body) if body is not None else None

    def configuration(self, value: Any) -> Optional[Configuration]:
        if isinstance(value, Ref) and value.address.startswith(SECURITY_CONFIGURATION + "."):
            if value.attribute not in ("", "id", "name"):  # what a cluster names a configuration by
                return None
            found = self._body(value)
            return _configuration(found[0], value.address, found[1]) if found else None
        if isinstance(value, str):
            for scope, address, body in self._resources(SECURITY_CONFIGURATION):
                if setting(scope, body, "name") == value:
                    return _configuration(scope, address, body)
        return None

    def key(self, value: Any, via: str = "", hops: int = 0) -> Optional[KmsKey]:
        if hops > MAX_HOPS:
            return None
        if isinstance(value, str) and "alias/" in value:  # an alias name or ARN: an aws_kms_alias of the project
            name = value[value.index("alias/"):]
            for scope, address, body in self._resources(ALIAS):
                if setting(scope, body, "name") == name:
                    return self.key(setting(scope, body, "target_key_id"), _shown(scope, address), hops + 1)
            return None
        found = self._body(value) if isinstance(value, Ref) and value.attribute in ALWAYS_SET else None
        if found is None:  # not a key of the project, or an attribute of it that is not the key (its description)
            return None
        scope, body = found
        kind, shown = value.address.split(".", 1)[0], _shown(scope, value.address)
        if kind == KEY:
            return KmsKey(shown, Setting("customer_master_key_spec", setting(scope, body, "customer_master_key_spec")),
                          Setting("key_usage", setting(scope, body, "key_usage")),
                          Setting("is_enabled", setting(scope, body, "is_enabled")), via)
        if kind == ALIAS:
            return self.key(setting(scope, body, "target_key_id"), via or shown, hops + 1)
        if kind == REPLICA_KEY:
            primary = self.key(setting(scope, body, "primary_key_arn"), "", hops + 1)
            if primary is None:
                return None
            return KmsKey(shown, primary.spec, primary.usage, Setting("enabled", setting(scope, body, "enabled")),
                          via or f"replica of {primary.address}")
        return None

    def users_of(self, address: str) -> list[str]:
        """Clusters and state machines of the binding's root module tree whose launch leads to `address` as read in
        this binding (by reference in the same module instance, or by its name)."""
        key = (*_instance_key(self.scope), address)
        if key not in _USERS:
            _USERS[key] = self._users_of(address)
        return list(_USERS[key])

    def _users_of(self, address: str) -> list[str]:
        name = None
        body = module_source(self.scope.module_dir).resources.get(tuple(address.split(".", 1)))
        if body is not None:
            name = setting(self.scope, body, "name")
        # how a reference to this configuration names its module instance (and its count / for_each instance)
        unit = self.scope.chain if self.scope.instance == (None, None) else (self.scope.chain, self.scope.instance)
        users = []
        for resource_type in (CLUSTER, STATE_MACHINE):
            for scope, user, user_body in self._resources(resource_type):
                raw = user_body.get(LAUNCH_ARGUMENT[resource_type], ABSENT)
                value = ABSENT if raw is ABSENT else evaluated(scope, unwrap(raw))
                for launch in launches(resource_type, value, raw):
                    if (isinstance(launch.value, Ref) and launch.value.address == address
                            and launch.value.unit == unit) or (
                            isinstance(launch.value, str) and launch.value == name):
                        folder = os.path.relpath(scope.module_dir, project_root(scope.root))
                        users.append(f"{_shown(scope, user)} in {'./' if folder == '.' else folder}")
                        break
        return list(dict.fromkeys(users))


def _instance_key(scope: Scope) -> tuple[Any, ...]:
    """What a module instance's values depend on: the scan root, the calls that reach it, the resource instance."""
    return scope.root, scope.chain, scope.instance


# Per module instance, for the scan: Checkov hands over instances one address names (roots that name their calls
# alike) one by one, and every cluster of a root module looks up the same security configurations.
_USERS: dict[tuple[Any, ...], list[str]] = {}
_CONFIGURATIONS: dict[tuple[Any, ...], Configuration] = {}


def _configuration(scope: Scope, address: str, body: dict[str, Any]) -> Configuration:
    key = (*_instance_key(scope), address)
    if key not in _CONFIGURATIONS:
        _CONFIGURATIONS[key] = _read_configuration(scope, address, body)
    return _CONFIGURATIONS[key]


def _read_configuration(scope: Scope, address: str, body: dict[str, Any]) -> Configuration:
    if "configuration" not in body:
        value: Any = Invalid("is missing: set the configuration argument")
    else:
        value = document(evaluated(scope, unwrap(body["configuration"])))
    return Configuration(_shown(scope, address), (Variant("", value, project=TerraformProject(scope)),))
