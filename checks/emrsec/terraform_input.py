"""Terraform (HCL, .tf.json / CDKTF, plan JSON) resource configurations reduced to the normalized model."""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any, Optional

import hcl2

from emrsec.jsontext import Segment, map_leaves, parse_json, parse_with_holes, split_interpolations
from emrsec.sources import ModuleFiles
from emrsec.terraform_scope import Scope, raw_attribute
from emrsec.values import Invalid, Unresolved, Variant

# A whole-value Terraform reference as Checkov leaves it: var.x, local.x, data.t.n.a, module.m.o, aws_kms_key.k.arn
_REFERENCE = re.compile(r"(?:var|local|data|module|each|count|path|self|[a-z][a-z0-9]*_[a-z0-9_]+)"
                        r"(?:\.[A-Za-z0-9_\-*]+|\[[^\]]*\])+")
_CALL = re.compile(r"^(?:\$\{)?(jsonencode|file|templatefile)\((.*)\)\}?$", re.S)
_PATH_PREFIX = re.compile(r"^(?:\$\{)?path\.(module|root|cwd)\}?/?")
_INJECTED_KEY = re.compile(r"^__\w+__$")
_HCL_ESCAPES = re.compile(r'\\(["\\nrt]|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})')


@dataclass(frozen=True)
class Context:
    """Where a resource lives: its module's files (for file()), its variable scope, its .tf source (if HCL)."""

    files: Optional[ModuleFiles] = None
    scope: Optional[Scope] = None
    source_path: Optional[str] = None
    address: str = ""


def _leaf(value: Any, scope: Optional[Scope]) -> Any:
    if not isinstance(value, str) or ("${" not in value and not _REFERENCE.fullmatch(value.strip())):
        return value
    if scope is not None:
        resolved = scope.evaluate(value.strip())
        if not isinstance(resolved, str) or resolved != value.strip():
            return _tree(resolved, None)
    return Unresolved(value)


def _tree(value: Any, scope: Optional[Scope]) -> Any:
    return map_leaves(value, lambda leaf: _leaf(leaf, scope), lambda key: bool(_INJECTED_KEY.match(key)) or key == "//")


def _unwrap(value: Any) -> Any:
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _jsonencode(argument: str, scope: Optional[Scope]) -> Any:
    """jsonencode(...) that Checkov could not render: a Python literal (HCL) or HCL object syntax (CDKTF)."""
    try:
        return _tree(ast.literal_eval(argument), scope)
    except Exception:  # not a Python literal: try HCL syntax next
        pass
    try:
        return _tree(hcl2.loads(f"value = {argument}\n")["value"][0], scope)
    except Exception:
        shown = argument if len(argument) <= 60 else argument[:57] + "..."
        return Unresolved(f"jsonencode({shown})")


def _file_path(expression: Any) -> Optional[str]:
    if not isinstance(expression, str):
        return None
    relative = _PATH_PREFIX.sub("", expression)
    return None if "${" in relative or "path." in relative else relative or None


def _interpolated(text: str, variables: Any) -> list[Segment] | Unresolved:
    """Terraform string interpolation over JSON text: `${...}` parts that resolve to scalars become text."""
    if "%{" in text.replace("%%{", ""):
        return Unresolved("a template with directives (%{...})")
    segments: list[Segment] = []
    for is_interpolation, part in split_interpolations(text.replace("$${", "\ue002")):
        if not is_interpolation:
            segments.append(part.replace("\ue002", "${"))
            continue
        value = variables(part.strip())
        if isinstance(value, bool):
            segments.append("true" if value else "false")
        elif isinstance(value, (int, float)) or (isinstance(value, str) and "${" not in value):
            segments.append(str(value))
        else:
            segments.append(value if isinstance(value, Unresolved) else Unresolved("${" + part + "}"))
    return segments


def _parse_interpolated(text: str, variables: Any) -> Any:
    segments = _interpolated(text, variables)
    return segments if isinstance(segments, Unresolved) else parse_with_holes(segments)


def _read_call(function: str, arguments: str, context: Context) -> Any:
    try:
        parsed = ast.literal_eval(f"({arguments},)")
    except Exception:
        parsed = ()
    path = _file_path(parsed[0]) if parsed else None
    if path is None:
        return Unresolved(f"{function}({arguments}), whose path cannot be resolved")
    if context.files is None:
        return Unresolved(f'{function}("{path}"), whose module folder could not be located')
    text = context.files.read(path)
    if not isinstance(text, str):
        return text
    if function == "file":
        return _parse_interpolated(text, lambda expression: Unresolved("${" + expression + "}"))
    variables = parsed[1] if len(parsed) > 1 and isinstance(parsed[1], dict) else {}
    scope = context.scope

    def variable(name: str) -> Any:
        value = variables.get(name, Unresolved("${" + name + "}"))
        return scope.evaluate(value) if scope is not None else value

    return _tree(_parse_interpolated(text, variable), None)


def _source_text(kind: str, raw: Any, scope: Optional[Scope]) -> Any:
    """A heredoc or quoted string as written, interpolated as Terraform would, parsed as strictly as the EMR API."""
    if not isinstance(raw, str):
        return None
    if kind == "quoted":
        escapes = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t"}
        raw = _HCL_ESCAPES.sub(lambda m: escapes.get(m.group(1)) or chr(int(m.group(1)[1:], 16)), raw)
    pieces = split_interpolations(raw)
    if len(pieces) == 1 and pieces[0][0]:
        return None  # the whole value is one expression: Checkov's rendering is the better reader
    return _tree(_parse_interpolated(raw, lambda e: scope.evaluate("${" + e + "}") if scope else
                                     Unresolved("${" + e + "}")), None)


def configuration(value: Any, context: Context) -> Any:
    """The `configuration` attribute of aws_emr_security_configuration, in any form Checkov hands over."""
    if context.source_path:
        kind, raw = raw_attribute(context.source_path, "aws_emr_security_configuration", context.address,
                                  "configuration")
        if kind in ("heredoc", "quoted"):
            from_source = _source_text(kind, raw, context.scope)
            if from_source is not None:
                return from_source
    value = _unwrap(value)
    if not isinstance(value, str):
        return _tree(value, context.scope)
    stripped = value.strip()
    call = _CALL.match(stripped)
    if call:
        function, arguments = call.groups()
        if function == "jsonencode":
            return _jsonencode(arguments, context.scope)
        return _read_call(function, arguments, context)
    if _REFERENCE.fullmatch(stripped) or (stripped.startswith("${") and stripped.endswith("}")
                                           and len(split_interpolations(stripped)) == 1):
        resolved = _leaf(stripped, context.scope)
        return parse_json(resolved) if isinstance(resolved, str) else resolved
    return _tree(_parse_interpolated(value, lambda e: Unresolved("${" + e + "}")), context.scope)


def security_configuration(conf: dict[str, Any], context: Context) -> list[Variant]:
    if "configuration" not in conf:
        return [Variant("", Invalid("is missing: set the resource's configuration argument"))]
    return [Variant("", configuration(conf["configuration"], context))]


def cluster(conf: dict[str, Any], context: Context) -> list[Variant]:
    properties = {}
    if "security_configuration" in conf:
        properties["security_configuration"] = _leaf(_unwrap(conf["security_configuration"]), context.scope)
    return [Variant("", properties)]
