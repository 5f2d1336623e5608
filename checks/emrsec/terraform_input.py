"""Terraform (HCL, .tf.json / CDKTF, plan JSON) resources reduced to the normalized model.

HCL and .tf.json resources are evaluated from their source, once per chain of module callers
(`terraform_scope`); plan JSON holds final values and is read as Checkov hands it over. Where the source
cannot be found, Checkov's rendered value is read instead, distrusting what Checkov leaves unrendered.
"""
from __future__ import annotations

import ast
import functools
import os
import re
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Callable, Optional

from emrsec.jsontext import map_leaves, parse_json
from emrsec.model import ABSENT
from emrsec.plan_project import PlanProject
from emrsec.terraform_expressions import evaluate_template, tracing
from emrsec.terraform_project import TerraformProject
from emrsec.terraform_scope import MAX_BINDINGS, bindings, resource_body, unwrap
from emrsec.terraform_values import LAUNCH_ARGUMENT, STATE_MACHINE, document, dropped, evaluated, launches
from emrsec.sources import inside, project_root
from emrsec.values import Invalid, Unresolved, Variant

SECURITY_CONFIGURATION = "aws_emr_security_configuration"
# What Checkov leaves when it cannot render: a reference, an expression, a function call, a for expression.
_REFERENCE = re.compile(r"(?:var|local|data|module|each|count|path|self|[a-z][a-z0-9]*_[a-z0-9_]+)"
                        r"(?:\.[A-Za-z0-9_\-*]+|\[[^\]]*\])+")
# A resource or data-source attribute: what a plan shows for a value known only after apply (never empty).
_RESOURCE_REFERENCE = re.compile(r"(?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][\w\-]*(?:\[[^\]]*\])?(?:\.[\w\-]+)*")
_UNRENDERED = re.compile(r"^\s*(?:[a-z_][a-z0-9_]*\(.*\)|\[\s*for\s.*|\{\s*for\s.*|.*\?.*:.*)\s*$", re.S)

# The module instance Checkov is checking: its calls as (calling folder, module name), outermost first. Set by
# checkov-emr where it leaves Checkov's variable rendering out; a count Checkov could not expand then reaches the
# checks unrendered, and only this instance's own count says whether Checkov would have left it out (count = 0).
CHECKED_INSTANCE: ContextVar[Optional[tuple[tuple[str, str], ...]]] = ContextVar("checked_instance", default=None)

@dataclass(frozen=True)
class Location:
    """Where a resource's source is: its module folder, the scan root; `plan` for plan JSON (final values)."""

    module_dir: str
    root: str
    plan: bool = False
    path: str = ""  # the scanned file


def _reader(resource_type: str) -> tuple[str, Callable[[Any, Any], Any]]:
    """The argument read from a resource of this type, and `read(evaluated argument or ABSENT, as written)`."""
    if resource_type == SECURITY_CONFIGURATION:
        return "configuration", lambda value, raw: Invalid("is missing: set the configuration argument") \
            if value is ABSENT else document(value)
    return LAUNCH_ARGUMENT[resource_type], lambda value, raw: launches(resource_type, value, raw)


def _variants(conf: dict[str, Any], location: Location, address: str, resource_type: str) -> Optional[list[Variant]]:
    """The argument read per binding, in the binding's project; None when the source block is not found; none
    when the checked instance's count, which Checkov left unrendered, creates nothing."""
    instance = CHECKED_INSTANCE.get()
    if instance is not None and _unrendered_count(conf) and not _instance_created(location, address, resource_type,
                                                                                   instance):
        return []
    found = _source_variants(location, address, resource_type)
    return None if found is None else list(found)


def _unrendered_count(conf: dict[str, Any]) -> bool:
    count = unwrap(conf.get("count"))
    return isinstance(count, str) and "${" in count


def _instance_created(location: Location, address: str, resource_type: str, instance: tuple[tuple[str, str], ...]
                      ) -> bool:
    """Whether the instance of the resource reached by these calls is created (True where that is not known)."""
    resource = resource_body(location.module_dir, resource_type, address)
    if resource is None:
        return True
    for scope in bindings(location.module_dir, location.root, address, resource)[:MAX_BINDINGS]:
        if tuple((call.caller_dir, call.name) for call in scope.calls) == instance:
            return scope.created(resource)
    return True


# Checkov hands over each module instance apart, and the instances one address names (roots that name their
# calls alike) have the same bindings: each is evaluated once per scan, not once per instance.
@functools.lru_cache(maxsize=1024)
def _source_variants(location: Location, address: str, resource_type: str) -> Optional[tuple[Variant, ...]]:
    attribute, read = _reader(resource_type)
    resource = resource_body(location.module_dir, resource_type, address)
    if resource is None:
        return None
    if not inside(project_root(location.root), location.module_dir):
        return (Variant("", read(Unresolved("read from a module outside the project (the git work tree, else the "
                                            "scanned folder), whose callers and files the pack does not read"), "")),)
    variants = []
    scopes = bindings(location.module_dir, location.root, address, resource)
    for scope in scopes[:MAX_BINDINGS]:
        if not scope.created(resource):
            continue
        project = TerraformProject(scope)
        raw = resource.get(attribute, ABSENT)
        if raw is ABSENT:
            variants.append(Variant(scope.origin, read(ABSENT, raw), project=project))
            continue
        with tracing() as trace:
            value = evaluated(scope, unwrap(raw))
        origins = {path: scope.provenance(reference) for path, reference in trace.found.items()}
        variants.append(Variant(scope.origin, _lines_in_file(read(value, raw), location.module_dir, resource_type,
                                                             address, attribute, resource), origins, project))
    if len(scopes) > MAX_BINDINGS:
        variants.append(Variant("", read(Unresolved(f"set by more than {MAX_BINDINGS} module callers, "
                                                    f"of which the first {MAX_BINDINGS} were evaluated"), "")))
    return tuple(_merged(variants))


_AT_LINE = re.compile(r"at line (\d+), column (\d+)")


def _lines_in_file(value: Any, module_dir: str, resource_type: str, address: str, attribute: str,
                   resource: dict[str, Any]) -> Any:
    """An error inside a heredoc names the file's line, not the heredoc's (the resource's file is searched for
    the block at its start line, then for `attribute = <<MARKER`)."""
    match = _AT_LINE.search(value.reason) if isinstance(value, Invalid) else None
    start = resource.get("__start_line__")
    if match is None or not isinstance(start, int):
        return value
    name = re.sub(r"\[[^\]]*\]$", "", address).rsplit(".", 1)[-1]
    declaration = re.compile(rf'^\s*resource\s+"{re.escape(resource_type)}"\s+"{re.escape(name)}"')
    heredoc = re.compile(rf"^\s*{re.escape(attribute)}\s*=\s*<<-?\w+\s*$")
    for file_name in sorted(os.listdir(module_dir)):
        if not file_name.endswith(".tf"):
            continue
        try:
            with open(os.path.join(module_dir, file_name), encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            continue
        if not (start <= len(lines) and declaration.match(lines[start - 1])):
            continue
        opening = next((index for index in range(start, len(lines)) if heredoc.match(lines[index - 1])), None)
        if opening is None:
            return value
        line = opening + int(match.group(1))
        return Invalid(_AT_LINE.sub(f"at line {line} of {file_name}, column {match.group(2)}", value.reason, count=1))
    return value


def _merged(variants: list[Variant]) -> list[Variant]:
    """Chains that give the same value in the same root module become one variant naming them all (in another
    root, a name may lead to another resource)."""
    merged: list[Variant] = []
    for variant in variants:
        same = next((i for i, m in enumerate(merged) if m.value == variant.value and m.project == variant.project), None)
        if same is None:
            merged.append(variant)
        elif variant.condition and merged[same].condition:
            other = variant.condition.removeprefix("called from ")
            merged[same] = Variant(f"{merged[same].condition}, or from {other}", variant.value,
                                   project=variant.project)
    return merged


# --- Checkov's rendered values (plan JSON, or no source found) -------------------------------------------

def _rendered_leaf(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if value == "None":  # Checkov's rendering of null
        return None
    if "${" in value or _REFERENCE.fullmatch(value.strip()) or _UNRENDERED.match(value):
        return Unresolved(value, maybe_absent=not _RESOURCE_REFERENCE.fullmatch(value.strip()))
    return value


def _rendered_tree(value: Any) -> Any:
    return map_leaves(value, _rendered_leaf, dropped)


def _plan_configuration(value: Any) -> Any:
    """A plan's planned value: final JSON text, or a reference where the value is unknown until apply."""
    value = unwrap(value)
    if isinstance(value, str) and not _REFERENCE.fullmatch(value.strip()):
        return parse_json(value)
    return _rendered_tree(value)


def _rendered_configuration(value: Any) -> Any:
    value = unwrap(value)
    if not isinstance(value, str):
        return _rendered_tree(value)
    stripped = value.strip()
    if stripped.startswith("${jsonencode(") and stripped.endswith(")}"):
        try:
            return _rendered_tree(ast.literal_eval(stripped[len("${jsonencode("):-2]))
        except Exception:  # not a literal Checkov could print: unknown
            return Unresolved("jsonencode() of values Checkov could not render")
    if _REFERENCE.fullmatch(stripped) or (stripped.startswith("${") and stripped.endswith("}")):
        return Unresolved(stripped)
    if "${" in value:
        return document(evaluate_template(value, lambda root, path: Unresolved(root), {}))
    return parse_json(value)


def security_configuration(conf: dict[str, Any], location: Optional[Location], address: str) -> list[Variant]:
    if location is not None and location.plan:
        return [Variant("", _plan_configuration(conf["configuration"]) if "configuration" in conf
                        else Invalid("is missing: set the configuration argument"), project=_plan(location))]
    if location is not None:
        variants = _variants(conf, location, address, SECURITY_CONFIGURATION)
        if variants is not None:
            return variants
    if "configuration" not in conf:
        return [Variant("", Invalid("is missing: set the configuration argument"))]
    return [Variant("", _rendered_configuration(conf["configuration"]))]


def launching(conf: dict[str, Any], location: Optional[Location], address: str, resource_type: str) -> list[Variant]:
    """The clusters an `aws_emr_cluster` or `aws_sfn_state_machine` launches (each variant's value: `Launch`es)."""
    argument = LAUNCH_ARGUMENT[resource_type]
    if location is not None and not location.plan:
        variants = _variants(conf, location, address, resource_type)
        if variants is not None:
            return variants
    project = _plan(location) if location is not None and location.plan else None
    if argument not in conf:
        return [Variant("", launches(resource_type, ABSENT, ""), project=project)]
    raw = unwrap(conf[argument])
    if resource_type == STATE_MACHINE:
        value = _plan_configuration(raw) if project else _rendered_configuration(raw)
        return [Variant("", launches(resource_type, value if isinstance(value, dict) else raw, raw), project=project)]
    return [Variant("", launches(resource_type, _rendered_leaf(raw), raw), project=project)]


def _planned_launches(resource_type: str, values: dict[str, Any]) -> list[Any]:
    value = values.get(LAUNCH_ARGUMENT[resource_type])
    return launches(resource_type, ABSENT if value is None else value, value or "")


def _plan(location: Location) -> PlanProject:
    return PlanProject(location.path, _plan_configuration, _planned_launches)


def location_of(candidates: list[tuple[str, str]], start_line: Any) -> Optional[Location]:
    """The source of a scanned file among the scan roots; None when it is missing or ambiguous."""
    if len(candidates) > 1:
        candidates = [c for c in candidates if _declares_at(c[0], start_line)]
    if len(candidates) != 1:
        return None
    path, root = candidates[0]
    return Location(os.path.dirname(path), root, plan=path.endswith(".json") and not path.endswith(".tf.json"),
                    path=path)


def _declares_at(path: str, start_line: Any) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
        return isinstance(start_line, int) and 0 < start_line <= len(lines) and "resource" in lines[start_line - 1]
    except OSError:
        return False
