"""Terraform (HCL, .tf.json / CDKTF, plan JSON) resource configurations reduced to the normalized model."""
from __future__ import annotations

import ast
import re
from typing import Any, Optional

import hcl2

from emrsec.jsontext import map_leaves, parse_json, parse_with_holes, split_interpolations, Segment
from emrsec.sources import ModuleFiles
from emrsec.values import Invalid, Unresolved, Variant

# A whole-value Terraform reference as Checkov leaves it: var.x, local.x, data.t.n.a, module.m.o, aws_kms_key.k.arn
_REFERENCE = re.compile(r"(?:var|local|data|module|each|count|path|self|[a-z][a-z0-9]*_[a-z0-9_]+)"
                        r"(?:\.[A-Za-z0-9_\-*]+|\[[^\]]*\])+")
_CALL = re.compile(r"^(?:\$\{)?(jsonencode|file|templatefile)\((.*)\)\}?$", re.S)
_PATH_PREFIX = re.compile(r"^(?:\$\{)?path\.(module|root|cwd)\}?/?")
_INJECTED_KEY = re.compile(r"^__\w+__$")


def _leaf(value: Any) -> Any:
    if isinstance(value, str) and ("${" in value or _REFERENCE.fullmatch(value.strip())):
        return Unresolved(value if value.startswith("${") else f"{value}")
    return value


def _tree(value: Any) -> Any:
    return map_leaves(value, _leaf, lambda key: bool(_INJECTED_KEY.match(key)) or key == "//")


def _unwrap(value: Any) -> Any:
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _jsonencode(argument: str) -> Any:
    """jsonencode(...) that Checkov could not render: a Python literal (HCL) or HCL object syntax (CDKTF)."""
    try:
        return _tree(ast.literal_eval(argument))
    except Exception:  # not a Python literal: try HCL syntax next
        pass
    try:
        return _tree(hcl2.loads(f"value = {argument}\n")["value"][0])
    except Exception:
        return Unresolved(f"jsonencode({argument[:60]}...)" if len(argument) > 60 else f"jsonencode({argument})")


def _call_arguments(arguments: str) -> Optional[tuple[Any, ...]]:
    """file()/templatefile() arguments as Checkov renders them: a quoted path and a Python-literal map."""
    try:
        parsed = ast.literal_eval(f"({arguments},)")
    except Exception:
        return None
    return parsed if isinstance(parsed, tuple) else None


def _file_path(expression: Any) -> Optional[str]:
    if not isinstance(expression, str):
        return None
    relative = _PATH_PREFIX.sub("", expression)
    return None if "${" in relative or "path." in relative else relative or None


def _render_template(text: str, variables: dict[str, Any]) -> list[Segment] | Unresolved:
    """templatefile(): `${name}` substitutions of literal values; anything else is a hole."""
    if "%{" in text.replace("%%{", ""):
        return Unresolved("templatefile() with template directives (%{...})")
    segments: list[Segment] = []
    for is_interpolation, part in split_interpolations(text.replace("$${", "\ue002")):
        if not is_interpolation:
            segments.append(part.replace("\ue002", "${"))
            continue
        value = variables.get(part.strip(), Unresolved("${" + part + "}"))
        if isinstance(value, bool):
            segments.append("true" if value else "false")
        elif isinstance(value, (int, float)) or (isinstance(value, str) and "${" not in value):
            segments.append(str(value))
        else:
            segments.append(value if isinstance(value, Unresolved) else Unresolved("${" + part + "}"))
    return segments


def _read_call(function: str, arguments: str, files: Optional[ModuleFiles]) -> Any:
    parsed = _call_arguments(arguments)
    path = _file_path(parsed[0]) if parsed else None
    if path is None:
        return Unresolved(f"{function}({arguments}), whose path cannot be resolved")
    if files is None:
        return Unresolved(f'{function}("{path}"), whose module folder could not be located')
    text = files.read(path)
    if not isinstance(text, str):
        return text
    if function == "file":
        return _text(text)
    variables = parsed[1] if len(parsed) > 1 and isinstance(parsed[1], dict) else {}
    rendered = _render_template(text, variables)
    return rendered if isinstance(rendered, Unresolved) else parse_with_holes(rendered)


def _text(text: str) -> Any:
    """A JSON document that may hold `${...}` interpolations (a .tf.json string, a template)."""
    if "${" not in text:
        return _tree(parse_json(text))
    segments: list[Segment] = [Unresolved("${" + part + "}") if hole else part
                               for hole, part in split_interpolations(text)]
    return _tree(parse_with_holes(segments))


def configuration(value: Any, files: Optional[ModuleFiles]) -> Any:
    """The `configuration` attribute of aws_emr_security_configuration, in any form Checkov hands over."""
    value = _unwrap(value)
    if isinstance(value, dict):
        return _tree(value)
    if not isinstance(value, str):
        return _tree(value)
    stripped = value.strip()
    call = _CALL.match(stripped)
    if call:
        function, arguments = call.groups()
        if function == "jsonencode":
            return _jsonencode(arguments)
        return _read_call(function, arguments, files)
    if _REFERENCE.fullmatch(stripped) or (stripped.startswith("${") and stripped.endswith("}")
                                           and len(split_interpolations(stripped)) == 1):
        return Unresolved(stripped)
    return _text(value)


def security_configuration(conf: dict[str, Any], files: Optional[ModuleFiles]) -> list[Variant]:
    if "configuration" not in conf:
        return [Variant("", Invalid("is missing: set the resource's configuration argument"))]
    return [Variant("", configuration(conf["configuration"], files))]


def cluster(conf: dict[str, Any]) -> list[Variant]:
    properties = {}
    if "security_configuration" in conf:
        properties["security_configuration"] = _leaf(_unwrap(conf["security_configuration"]))
    return [Variant("", properties)]
