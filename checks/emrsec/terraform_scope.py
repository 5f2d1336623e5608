"""Terraform variables and locals, resolved from the source as Terraform would, where Checkov's rendering leaves them.

Checkov renders `var.*` / `local.*` unreliably (a `false` default or a module input is often left as the text
`var.x`), so the pack resolves such leaves itself: root-module variables from tfvars files and defaults, module
variables from the arguments of the `module` blocks that call the module, locals from `locals` blocks. Only
literal values are followed; anything else stays `Unresolved`.
"""
from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from typing import Any

import hcl2

from emrsec.jsontext import split_interpolations
from emrsec.values import Unresolved

MAX_HOPS = 16  # var -> module argument -> var ... chains longer than this are left unresolved
_SKIPPED_DIRS = {".terraform", "node_modules", ".git", ".serverless"}
_SIMPLE_REFERENCE = re.compile(r"^(var|local)\.([A-Za-z_][A-Za-z0-9_\-]*)$")
_MODULE_SEGMENT = re.compile(r"module\.([A-Za-z_][A-Za-z0-9_\-]*)(?:\[[^\]]*\])?")
_MISSING = object()


@dataclass(frozen=True)
class ModuleSource:
    """What a module folder declares: variable defaults (or _MISSING), locals, and tfvars values."""

    defaults: dict[str, Any]
    locals: dict[str, Any]
    tfvars: dict[str, Any]


def _unwrap(value: Any) -> Any:
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


@functools.lru_cache(maxsize=512)
def load_document(path: str) -> dict[str, Any]:
    """A .tf / .tf.json / .tfvars file as hcl2 (or json) reads it; {} for a file Terraform would reject."""
    try:
        text = _read_text(path)
        document = json.loads(text) if path.endswith(".json") else hcl2.loads(text)
        return document if isinstance(document, dict) else {}
    except Exception:  # a broken file contributes nothing; Checkov reports it on its own
        return {}


def _blocks(document: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    blocks = document.get(kind, [])
    return [b for b in (blocks if isinstance(blocks, list) else [blocks]) if isinstance(b, dict)]


@functools.lru_cache(maxsize=256)
def module_source(module_dir: str) -> ModuleSource:
    defaults: dict[str, Any] = {}
    local_values: dict[str, Any] = {}
    tfvars: dict[str, Any] = {}
    try:
        names = sorted(os.listdir(module_dir))
    except OSError:
        names = []
    for name in names:
        path = os.path.join(module_dir, name)
        if name.endswith((".tf", ".tf.json")):
            document = load_document(path)
            for block in _blocks(document, "variable"):
                for variable, body in block.items():
                    body = _unwrap(body) if isinstance(body, list) else body
                    if isinstance(body, dict):
                        defaults[variable] = _unwrap(body["default"]) if "default" in body else _MISSING
            for block in _blocks(document, "locals"):
                local_values.update({k: _unwrap(v) for k, v in block.items() if not k.startswith("__")})
        elif name in ("terraform.tfvars", "terraform.tfvars.json") or name.endswith((".auto.tfvars", ".auto.tfvars.json")):
            tfvars.update({k: _unwrap(v) for k, v in load_document(path).items()})
    return ModuleSource(defaults, local_values, tfvars)


@functools.lru_cache(maxsize=16)
def module_calls(root: str) -> dict[tuple[str, str], list[tuple[str, dict[str, Any]]]]:
    """(module name, called folder) -> [(calling folder, arguments)] for every local module call under root."""
    calls: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith(".")]
        for name in names:
            if not name.endswith((".tf", ".tf.json")):
                continue
            path = os.path.join(folder, name)
            if "module" not in _read_text(path):
                continue
            for block in _blocks(load_document(path), "module"):
                for module_name, body in block.items():
                    body = _unwrap(body) if isinstance(body, list) else body
                    source = _unwrap(body.get("source")) if isinstance(body, dict) else None
                    if isinstance(source, str) and source.startswith(("./", "../")):
                        called = os.path.normpath(os.path.join(folder, source))
                        arguments = {k: _unwrap(v) for k, v in body.items() if not k.startswith("__")}
                        calls.setdefault((module_name, called), []).append((folder, arguments))
    return calls


def module_path(address: str) -> tuple[str, ...]:
    """The module names in a resource address: module.a["k"].module.b.aws_x.y -> ("a", "b")."""
    return tuple(_MODULE_SEGMENT.findall(address))


@dataclass(frozen=True)
class Scope:
    """Where `var.*` and `local.*` of one resource resolve: its module folder, its module address, the scan root."""

    module_dir: str
    modules: tuple[str, ...]
    root: str

    def reference(self, kind: str, name: str, hops: int = 0) -> Any:
        if hops > MAX_HOPS:
            return Unresolved(f"{kind}.{name} (a reference chain too long to follow)")
        source = module_source(self.module_dir)
        if kind == "local":
            if name not in source.locals:
                return Unresolved(f"local.{name} (not found in {self.module_dir})")
            return self.evaluate(source.locals[name], hops + 1)
        if not self.modules:
            if name in source.tfvars:
                return self.evaluate(source.tfvars[name], hops + 1)
            return self._default(source, name, hops)
        values = []
        for caller_dir, arguments in module_calls(self.root).get((self.modules[-1], self.module_dir), []):
            caller = Scope(caller_dir, self.modules[:-1], self.root)
            values.append(caller.evaluate(arguments[name], hops + 1) if name in arguments
                          else self._default(source, name, hops))
        if not values:
            return Unresolved(f"var.{name} (the module's caller was not found in the scanned folder)")
        if any(value != values[0] for value in values[1:]):
            return Unresolved(f"var.{name} (its callers pass different values)")
        return values[0]

    def _default(self, source: ModuleSource, name: str, hops: int) -> Any:
        default = source.defaults.get(name, _MISSING)
        if default is _MISSING:
            return Unresolved(f"var.{name} (a variable without a default)")
        return self.evaluate(default, hops + 1)

    def evaluate(self, value: Any, hops: int = 0) -> Any:
        """A raw HCL value (as hcl2 reads it) with its `${var.x}` / `${local.x}` parts resolved where possible."""
        if isinstance(value, dict):
            return {k: self.evaluate(v, hops) for k, v in value.items()}
        if isinstance(value, list):
            return [self.evaluate(v, hops) for v in value]
        if not isinstance(value, str) or "${" not in value and not _SIMPLE_REFERENCE.match(value):
            return value
        pieces = split_interpolations(value)
        if len(pieces) == 1 and (pieces[0][0] or _SIMPLE_REFERENCE.match(value)):
            expression = pieces[0][1].strip() if pieces[0][0] else value
            match = _SIMPLE_REFERENCE.match(expression)
            return self.reference(match.group(1), match.group(2), hops) if match else Unresolved(value)
        text = []
        for is_interpolation, part in pieces:
            resolved = self.evaluate("${" + part + "}", hops) if is_interpolation else part
            if isinstance(resolved, bool):
                resolved = "true" if resolved else "false"
            if not isinstance(resolved, (str, int, float)) or isinstance(resolved, Unresolved):
                return Unresolved(value)
            text.append(str(resolved))
        return "".join(text)


def scope_for(module_dir: str, root: str, address: str) -> Scope:
    return Scope(os.path.normpath(module_dir), module_path(address), os.path.normpath(root))


def raw_attribute(path: str, resource_type: str, address: str, attribute: str) -> tuple[str, Any]:
    """An attribute of a resource as written in its .tf file, and how: "heredoc", "quoted" or "expression".

    Checkov repairs broken JSON in strings (it drops trailing commas, accepts Python syntax), so the pack
    reads string literals itself to judge them as the EMR API would.
    """
    name = re.sub(r"\[[^\]]*\]$", "", address).rsplit(".", 1)[-1]
    for block in _blocks(load_document(path), "resource"):
        body = block.get(resource_type, {}).get(name) if isinstance(block.get(resource_type), dict) else None
        if not isinstance(body, dict) or attribute not in body:
            continue
        lines = _read_text(path).splitlines()[body.get("__start_line__", 1) - 1:body.get("__end_line__", 0)]
        written = next((line.split("=", 1)[1].lstrip() for line in lines
                        if re.match(rf"\s*{attribute}\s*=", line)), "")
        kind = "heredoc" if written.startswith("<<") else "quoted" if written.startswith('"') else "expression"
        return kind, _unwrap(body[attribute])
    return "expression", None
