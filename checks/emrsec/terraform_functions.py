"""The Terraform functions the evaluator knows: the ones EMR configurations are built with, literal-only."""
from __future__ import annotations

import json
from typing import Any, Callable

from emrsec.sources import ModuleFiles
from emrsec.terraform_expressions import Encoded, Template, TerraformError, as_text, evaluate_template
from emrsec.values import Invalid, Unresolved

_MARK_OPEN, _MARK_CLOSE = "\ue010", "\ue011"


def path_marker(name: str) -> str:
    """path.module / path.root / path.cwd: resolved to folders only when a file function reads the path."""
    return f"{_MARK_OPEN}{name}{_MARK_CLOSE}"


def _unknown(*values: Any) -> bool:
    return any(isinstance(v, (Unresolved, Template)) for v in values)


def _guard(function: Callable[..., Any], name: str) -> Callable[..., Any]:
    """Unknown arguments give an unknown result; a Python error in a literal-only function is 'cannot evaluate'."""
    def call(*arguments: Any) -> Any:
        if _unknown(*arguments) and name not in ("try", "coalesce", "merge", "jsonencode", "tostring"):
            return Unresolved(f"{name}() of a value unknown before deploy")
        try:
            return function(*arguments)
        except TerraformError:
            raise
        except Exception:
            return Unresolved(f"{name}(...)")
    return call


def _merge(*maps: Any) -> Any:
    result: dict[str, Any] = {}
    for item in maps:
        if item is None:
            continue
        if not isinstance(item, dict):
            return Unresolved("merge() of a value unknown before deploy")
        result.update(item)
    return result


def _coalesce(*values: Any) -> Any:
    for value in values:
        if _unknown(value):
            return Unresolved("coalesce() of a value unknown before deploy")
        if value is not None and value != "":
            return value
    raise TerraformError("coalesce() has no non-null, non-empty argument")


def _try(*values: Any) -> Any:
    for value in values:
        if not _unknown(value):
            return value
    return Unresolved("try() of values unknown before deploy")


def _to_bool(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if value in ("true", "false"):
        return value == "true"
    raise TerraformError(f"tobool() cannot convert {json.dumps(value)}")


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if isinstance(mapping, dict) and key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise TerraformError(f"lookup() found no key {json.dumps(key)}")


def _jsondecode(text: Any) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError) as error:
        raise TerraformError(f"jsondecode() of text that is not JSON ({error})") from None


def _read(path: Any, files: ModuleFiles, function: str) -> str | Unresolved:
    """path.module-relative, or (path.root, path.cwd, bare) relative to the root module, as Terraform reads it."""
    if not isinstance(path, str):
        return Unresolved(f"{function}() of a path unknown before deploy")
    base = "root"
    for name in ("module", "root", "cwd"):
        if path.startswith(path_marker(name)):
            base, path = ("module" if name == "module" else "root"), path[len(path_marker(name)):].lstrip("/")
    if _MARK_OPEN in path:
        return Unresolved(f"{function}() of a path unknown before deploy")
    text = files.read(path, base)
    if isinstance(text, Invalid):
        raise TerraformError(text.reason)
    return text


def table(files: ModuleFiles) -> dict[str, Callable[..., Any]]:
    def file(path: Any) -> Any:
        return _read(path, files, "file")

    def templatefile(path: Any, variables: Any = None) -> Any:
        text = _read(path, files, "templatefile")
        if not isinstance(text, str):
            return text
        if variables is not None and not isinstance(variables, dict):
            return Unresolved("templatefile() variables unknown before deploy")
        bound = variables or {}

        def resolve(root: str, attributes: list[Any]) -> Any:
            value = bound.get(root, Unresolved(root))
            for attribute in attributes:
                value = value.get(attribute, Unresolved(root)) if isinstance(value, dict) else Unresolved(root)
            return value

        return evaluate_template(text, resolve, functions)

    functions: dict[str, Callable[..., Any]] = {name: _guard(function, name) for name, function in {
        "jsonencode": Encoded,
        "jsondecode": _jsondecode,
        "merge": _merge,
        "lookup": _lookup,
        "contains": lambda items, value: value in items,
        "upper": lambda text: text.upper(),
        "lower": lambda text: text.lower(),
        "trimspace": lambda text: text.strip(),
        "tostring": lambda value: value if value is None or _unknown(value) else as_text(value),
        "tobool": _to_bool,
        "tonumber": lambda value: value if isinstance(value, (int, float)) else json.loads(value),
        "coalesce": _coalesce,
        "length": lambda value: len(value),
        "concat": lambda *lists: [item for items in lists for item in items],
        "try": _try,
        "tomap": lambda value: value,
        "tolist": lambda value: value,
        "toset": lambda value: value,
        "join": lambda separator, items: separator.join(as_text(item) for item in items),
        "replace": lambda text, old, new: text.replace(old, new),
        "format": lambda spec, *values: spec.replace("%%", "\0").replace("%s", "{}").format(*values).replace("\0", "%"),
        "file": file,
        "templatefile": templatefile,
    }.items()}
    functions["can"] = lambda value: Unresolved("can()") if _unknown(value) else True
    return functions
