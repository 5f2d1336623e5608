"""A Terraform plan (`terraform show -json`) as a project: its planned values are final, so a literal name or key
identifier is looked up among the planned resources (a value known only after apply is absent there: unknown)."""
from __future__ import annotations

import functools
import json
from typing import Any, Iterator, Optional

from emrsec.model import ABSENT, Configuration, KmsKey, Project, Setting
from emrsec.values import Variant

MAX_HOPS = 8  # aliases and replica keys followed to a key


@functools.lru_cache(maxsize=16)
def _resources(path: str) -> tuple[dict[str, Any], ...]:
    """Every planned resource (root and child modules) of the plan file."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            plan = json.load(handle)
    except (OSError, ValueError):
        return ()
    found: list[dict[str, Any]] = []
    pending = [plan.get("planned_values", {}).get("root_module", {})] if isinstance(plan, dict) else []
    while pending:
        module = pending.pop()
        if not isinstance(module, dict):
            continue
        found += [r for r in module.get("resources", []) if isinstance(r, dict) and isinstance(r.get("values"), dict)]
        pending += module.get("child_modules", []) if isinstance(module.get("child_modules"), list) else []
    return tuple(found)


class PlanProject(Project):
    def __init__(self, path: str, read_configuration: Any, read_launches: Any) -> None:
        self.path, self._read_configuration, self._read_launches = path, read_configuration, read_launches

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlanProject) and self.path == other.path

    def __hash__(self) -> int:
        return hash(self.path)

    def _of_type(self, resource_type: str) -> Iterator[dict[str, Any]]:
        return (r for r in _resources(self.path) if r.get("type") == resource_type)

    def configuration(self, value: Any) -> Optional[Configuration]:
        if not isinstance(value, str):
            return None
        for resource in self._of_type("aws_emr_security_configuration"):
            if resource["values"].get("name") == value and "configuration" in resource["values"]:
                variant = Variant("", self._read_configuration(resource["values"]["configuration"]), project=self)
                return Configuration(str(resource.get("address")), (variant,))
        return None

    def key(self, value: Any, via: str = "", hops: int = 0) -> Optional[KmsKey]:
        if not isinstance(value, str) or not value or hops > MAX_HOPS:
            return None
        for resource in self._of_type("aws_kms_alias"):
            values = resource["values"]
            if value in (values.get("name"), values.get("arn")):
                return self.key(values.get("target_key_id"), via or str(resource.get("address")), hops + 1)
        for resource in self._of_type("aws_kms_replica_key"):
            values = resource["values"]
            if value in (values.get("arn"), values.get("key_id"), values.get("id")):
                primary = self.key(values.get("primary_key_arn"), "", hops + 1)
                if primary is None:
                    return None
                return KmsKey(str(resource.get("address")), primary.spec, primary.usage,
                              Setting("enabled", values.get("enabled", ABSENT)), via or f"replica of {primary.address}")
        for resource in self._of_type("aws_kms_key"):
            values = resource["values"]
            if value in (values.get("arn"), values.get("key_id"), values.get("id")):
                return KmsKey(str(resource.get("address")), *(
                    Setting(name, ABSENT if values.get(name) is None else values[name])
                    for name in ("customer_master_key_spec", "key_usage", "is_enabled")), via=via)
        return None

    def users_of(self, address: str) -> list[str]:
        own = next((r for r in _resources(self.path) if r.get("address") == address or
                    str(r.get("address", "")).endswith("." + address)), None)
        name = own["values"].get("name") if own else None
        if not isinstance(name, str):
            return []
        users = []
        for resource_type in ("aws_emr_cluster", "aws_sfn_state_machine"):
            for resource in self._of_type(resource_type):
                if any(launch.value == name for launch in self._read_launches(resource_type, resource["values"])):
                    users.append(f"{resource.get('address')} in the plan")
        return users
