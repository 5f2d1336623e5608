"""The Terraform functions the evaluator knows: the ones EMR configurations are built with, literal-only."""
from __future__ import annotations

import json
import re
from typing import Any, Callable

import yaml

from emrsec.sources import ModuleFiles
from emrsec.terraform_expressions import (MAX_EXPRESSION, Encoded, TerraformError, as_bool, as_text, deep_unknown,
                                          evaluate_template, is_absent, is_unknown)
from emrsec.values import Invalid, Unresolved

_MARK_OPEN, _MARK_CLOSE = "\ue010", "\ue011"


def path_marker(folder: str) -> str:
    """path.module / path.root as a marked folder, resolved only when a file function reads the path."""
    return f"{_MARK_OPEN}{folder}{_MARK_CLOSE}"


# Functions that pass unknown values inside their arguments through (the rest give an unknown result).
_PASS_THROUGH = frozenset({"jsonencode", "merge", "lookup", "concat", "tomap", "tolist", "toset", "coalesce",
                           "sensitive", "nonsensitive", "element", "one", "values", "templatefile", "file"})


def _unknown(*values: Any) -> bool:
    return any(is_unknown(v) for v in values)


def _guard(function: Callable[..., Any], name: str) -> Callable[..., Any]:
    """Unknown arguments give an unknown result; a Python error in a literal-only function is 'cannot evaluate'."""
    def call(*arguments: Any) -> Any:
        if name not in _PASS_THROUGH and any(deep_unknown(a) for a in arguments):
            return Unresolved(f"{name}() of a value unknown before deploy")
        try:
            result = function(*arguments)
        except TerraformError:
            raise
        except Exception:
            return Unresolved(f"{name}(...)")
        if isinstance(result, (str, list)) and len(result) > MAX_EXPRESSION:  # a value doubled over and over
            return Unresolved(f"{name}() of a value too large to evaluate")
        return result
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
    """The first argument that is not null or empty; unknown ones that may be empty leave the choice open."""
    undecided = []
    for value in values:
        if _unknown(value) and is_absent(value):
            undecided.append(value)
        elif value is not None and value != "":
            if not undecided:
                return value
            return Unresolved(f"coalesce() of {', '.join(_shown(v) for v in undecided)}", maybe_absent=False)
    if undecided:
        return Unresolved(f"coalesce() of {', '.join(_shown(v) for v in undecided)}, which may all be empty")
    raise TerraformError("coalesce() has no non-null, non-empty argument")


def _shown(value: Any) -> str:
    return value.source if isinstance(value, Unresolved) else value.text


def _to_bool(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if value in ("true", "false"):
        return value == "true"
    raise TerraformError(f"tobool() cannot convert {json.dumps(value)}")


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if _unknown(mapping):  # any key may be missing from a map unknown before deploy
        return Unresolved("lookup() in a map unknown before deploy")
    if _unknown(key):  # any of the values, or the default, may be the one
        options = list(mapping.values()) if isinstance(mapping, dict) else []
        return Unresolved(f"lookup() by {key.source if isinstance(key, Unresolved) else 'a template'}",
                          maybe_absent=any(is_absent(v) or isinstance(v, (dict, list)) for v in options + list(default)))
    if isinstance(mapping, dict) and key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise TerraformError(f"lookup() found no key {json.dumps(key)}")


def _format(spec: str, *values: Any) -> str:
    """format() for the verbs configurations use: %s, %d, %v, %t, %q, %%."""
    parts, values_left = re.split(r"(%%|%[sdvtq])", spec), list(values)

    def verb(part: str) -> str:
        if part == "%%":
            return "%"
        value = values_left.pop(0)
        if part == "%t" and not isinstance(value, bool):
            raise TerraformError(f"format() %t of {json.dumps(value, default=str)}, which is not a bool")
        if part == "%d" and not (isinstance(value, int) and not isinstance(value, bool)):
            raise TerraformError(f"format() %d of {json.dumps(value, default=str)}, which is not a whole number")
        return json.dumps(as_text(value)) if part == "%q" else as_text(value)
    return "".join(verb(part) if index % 2 else part for index, part in enumerate(parts))


_GO_GROUP = re.compile(r"\$(?:\$|\{(\w+)\}|(\w+))")


def _replace(text: str, search: str, replacement: str) -> str:
    """replace(): a search wrapped in slashes is a regular expression, `$1` / `${name}` its captures (Go syntax)."""
    if len(search) < 2 or not (search.startswith("/") and search.endswith("/")):
        return text.replace(search, replacement)
    pattern = re.compile(search[1:-1])

    def expand(match: re.Match[str]) -> str:
        def group(name: re.Match[str]) -> str:
            if name.group(0) == "$$":
                return "$"
            key = name.group(1) or name.group(2)
            try:
                return match.group(int(key) if key.isdigit() else key) or ""
            except IndexError:
                return ""  # Go expands an unknown group to nothing
        return _GO_GROUP.sub(group, replacement)
    return pattern.sub(expand, text)



def _yamldecode(text: Any) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise TerraformError(f"yamldecode() of text that is not YAML ({error})") from None


def _jsondecode(text: Any) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError) as error:
        raise TerraformError(f"jsondecode() of text that is not JSON ({error})") from None


def _read(path: Any, files: ModuleFiles, function: str) -> str | Unresolved:
    """A path relative to the folder path.module / path.root marks, or bare (from the root module, as Terraform)."""
    if not isinstance(path, str):
        return Unresolved(f"{function}() of a path unknown before deploy")
    folder = ""
    if path.startswith(_MARK_OPEN) and _MARK_CLOSE in path:
        folder, path = path[1:path.index(_MARK_CLOSE)], path[path.index(_MARK_CLOSE) + 1:].lstrip("/")
    if _MARK_OPEN in path:
        return Unresolved(f"{function}() of a path unknown before deploy")
    text = files.read(path, folder)
    if isinstance(text, Invalid):
        raise TerraformError(text.reason)
    return text


def render(text: str, variables: Any, functions: dict[str, Callable[..., Any]]) -> Any:
    """A template's text with `${name}` bound to `variables`, as `templatefile()` and the `template_file` data
    source render it."""
    if variables is not None and not isinstance(variables, dict):
        return Unresolved("template variables unknown before deploy")
    bound = variables or {}

    def resolve(root: str, attributes: list[Any]) -> Any:
        value = bound.get(root, Unresolved(root))
        for attribute in attributes:
            value = value.get(attribute, Unresolved(root)) if isinstance(value, dict) else Unresolved(root)
        return value

    return evaluate_template(text, resolve, functions)


def table(files: ModuleFiles) -> dict[str, Callable[..., Any]]:
    def file(path: Any) -> Any:
        return _read(path, files, "file")

    def templatefile(path: Any, variables: Any = None) -> Any:
        text = _read(path, files, "templatefile")
        return render(text, variables, functions) if isinstance(text, str) else text

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
        "keys": lambda mapping: sorted(mapping),
        "values": lambda mapping: [mapping[k] for k in sorted(mapping)],
        "element": lambda items, index: items[index % len(items)],
        "one": lambda items: None if not items else items[0] if len(items) == 1 else Unresolved("one() of many"),
        "alltrue": lambda items: all(as_bool(i) is True for i in items),
        "anytrue": lambda items: any(as_bool(i) is True for i in items),
        "startswith": lambda text, prefix: text.startswith(prefix),
        "endswith": lambda text, suffix: text.endswith(suffix),
        "yamldecode": _yamldecode,
        "sensitive": lambda value: value,
        "nonsensitive": lambda value: value,
        "length": lambda value: len(value),
        "concat": lambda *lists: [item for items in lists for item in items],
        "tomap": lambda value: value,
        "tolist": lambda value: value,
        "toset": lambda value: value,
        "join": lambda separator, items: separator.join(as_text(item) for item in items),
        "replace": _replace,
        "trimprefix": lambda text, prefix: text[len(prefix):] if prefix and text.startswith(prefix) else text,
        "trimsuffix": lambda text, suffix: text[:-len(suffix)] if suffix and text.endswith(suffix) else text,
        "split": lambda separator, text: text.split(separator) if separator else list(text),
        "compact": lambda items: [item for item in items if item is not None and item != ""],
        "format": _format,
        "file": file,
        "templatefile": templatefile,
    }.items()}
    return functions
