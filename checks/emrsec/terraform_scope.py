"""Where a Terraform resource's references resolve: variables, locals, count/each, module callers, files.

The pack reads the source itself (see `terraform_expressions`): root-module variables from `-var-file`s,
`*.auto.tfvars`, `terraform.tfvars` and defaults, in Terraform's order; module variables from the arguments
of the `module` block that calls the module (each caller is a separate binding); locals from `locals` blocks.
"""
from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

import hcl2

from emrsec import terraform_functions
from emrsec.sources import ModuleFiles, var_files
from emrsec.terraform_expressions import evaluate_value, unescape
from emrsec.values import Unresolved

MAX_HOPS = 32  # references followed for one value; deeper chains (or cycles) stay unresolved
MAX_BINDINGS = 16  # caller chains evaluated for one module resource
_SKIPPED_DIRS = {".terraform", "node_modules", ".git", ".serverless"}
_MODULE_SEGMENT = re.compile(r"module\.([A-Za-z_][A-Za-z0-9_\-]*)(?:\[[^\]]*\])?\.")
_INSTANCE_KEY = re.compile(r"\[(?:(\d+)|\"((?:[^\"\\]|\\.)*)\")\]$")
_MISSING = object()


def _read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


_ESCAPED_QUOTED = re.compile(r'^(?:[^"\\]|\\.)*\\"(?:[^"\\]|\\.)*$', re.S)


def _quoted_strings_unescaped(value: Any, depth: int = 0) -> Any:
    """hcl2 keeps the escapes of quoted strings ("{\\"A\\": 1}") but not of heredocs: undo them.

    A quoted string holds no bare double quote, a heredoc of JSON always does.
    """
    if depth > 64:
        return value
    if isinstance(value, str):
        return unescape(value) if _ESCAPED_QUOTED.match(value) else value
    if isinstance(value, dict):
        return {k: _quoted_strings_unescaped(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_quoted_strings_unescaped(v, depth + 1) for v in value]
    return value


@functools.lru_cache(maxsize=512)
def load_document(path: str) -> dict[str, Any]:
    """A .tf / .tf.json / .tfvars file as hcl2 (or json) reads it; {} for a file Terraform would reject."""
    try:
        text = _read_text(path)
        document = json.loads(text) if path.endswith(".json") else _quoted_strings_unescaped(hcl2.loads(text))
        return document if isinstance(document, dict) else {}
    except Exception:  # a broken file contributes nothing; Checkov reports it on its own
        return {}


def _unwrap(value: Any) -> Any:
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _blocks(document: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    blocks = document.get(kind, [])
    return [b for b in (blocks if isinstance(blocks, list) else [blocks]) if isinstance(b, dict)]


def _named(block: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    named = []
    for name, body in block.items():
        body = _unwrap(body) if isinstance(body, list) else body
        if isinstance(body, dict):
            named.append((name, body))
    return named


def _tfvars_order(name: str) -> tuple[int, str]:
    """Terraform loads terraform.tfvars, then terraform.tfvars.json, then *.auto.tfvars(.json) by name."""
    return ({"terraform.tfvars": 0, "terraform.tfvars.json": 1}.get(name, 2), name)


@dataclass(frozen=True)
class ModuleSource:
    """What a module folder declares: variable defaults (or _MISSING), locals, tfvars values, resources."""

    defaults: dict[str, Any]
    locals: dict[str, Any]
    tfvars: dict[str, Any]
    resources: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


@functools.lru_cache(maxsize=256)
def module_source(module_dir: str) -> ModuleSource:
    source = ModuleSource({}, {}, {}, {})
    try:
        names = sorted(os.listdir(module_dir))
    except OSError:
        names = []
    for name in names:
        path = os.path.join(module_dir, name)
        if not name.endswith((".tf", ".tf.json")):
            continue
        document = load_document(path)
        for block in _blocks(document, "variable"):
            for variable, body in _named(block):
                source.defaults[variable] = _unwrap(body["default"]) if "default" in body else _MISSING
        for block in _blocks(document, "locals"):
            source.locals.update({k: _unwrap(v) for k, v in block.items() if not k.startswith("__")})
        for block in _blocks(document, "resource"):
            for resource_type, instances in block.items():
                for resource_name, body in _named(instances) if isinstance(instances, dict) else []:
                    source.resources[(resource_type, resource_name)] = body
    for name in sorted((n for n in names if n in ("terraform.tfvars", "terraform.tfvars.json")
                        or n.endswith((".auto.tfvars", ".auto.tfvars.json"))), key=_tfvars_order):
        source.tfvars.update({k: _unwrap(v) for k, v in load_document(os.path.join(module_dir, name)).items()})
    return source


@functools.lru_cache(maxsize=16)
def module_calls(root: str) -> dict[tuple[str, str], list[tuple[str, dict[str, Any]]]]:
    """(module name, called folder) -> [(calling folder, arguments)] for every local module call under root."""
    calls: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
        for name in sorted(names):
            path = os.path.join(folder, name)
            if not name.endswith((".tf", ".tf.json")) or "module" not in _read_text(path):
                continue
            for block in _blocks(load_document(path), "module"):
                for module_name, body in _named(block):
                    source = _unwrap(body.get("source"))
                    if isinstance(source, str) and source.startswith(("./", "../")):
                        called = os.path.normpath(os.path.join(folder, source))
                        arguments = {k: _unwrap(v) for k, v in body.items() if not k.startswith("__")}
                        calls.setdefault((module_name, called), []).append((folder, arguments))
    return calls


@dataclass(frozen=True)
class Call:
    """One module call on the way from a root module down to a resource."""

    name: str
    caller_dir: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class Scope:
    """One binding of a resource's references: its module folder, the chain of calls that reaches it, its instance."""

    module_dir: str
    root: str
    calls: tuple[Call, ...] = ()
    instance: tuple[Optional[int], Optional[str]] = (None, None)  # count.index, each.key
    for_each: Any = None

    @property
    def root_module_dir(self) -> str:
        return self.calls[0].caller_dir if self.calls and self.calls[0].caller_dir else self.module_dir

    @property
    def origin(self) -> str:
        """Which caller this binding follows, for messages ('' for a root module)."""
        if not self.calls or not self.calls[-1].caller_dir:
            return ""
        return "called from " + os.path.relpath(self.calls[-1].caller_dir, self.root)

    def files(self) -> ModuleFiles:
        return ModuleFiles(self.module_dir, self.root, self.root_module_dir)

    def functions(self) -> dict[str, Callable[..., Any]]:
        return terraform_functions.table(self.files())

    def evaluate(self, value: Any, hops: int = 0) -> Any:
        """A raw value (as hcl2 reads it) with its expressions evaluated in this scope."""
        if hops > MAX_HOPS:
            return Unresolved("a reference chain too long to follow")
        return evaluate_value(value, lambda root, path: self._resolve(root, path, hops + 1), self.functions())

    def _resolve(self, root: str, path: list[Union[str, int]], hops: int) -> Any:
        name = path[0] if path else ""
        if root == "var" and isinstance(name, str):
            return self._variable(name, hops)
        if root == "local" and isinstance(name, str):
            source = module_source(self.module_dir)
            if name not in source.locals:
                return Unresolved(f"local.{name}, which is not declared in {self.module_dir}")
            return self.evaluate(source.locals[name], hops)
        if root == "count" and name == "index" and self.instance[0] is not None:
            return self.instance[0]
        if root == "each" and name in ("key", "value") and self.instance[1] is not None:
            if name == "key":
                return self.instance[1]
            collection = self.evaluate(self.for_each, hops) if self.for_each is not None else None
            if isinstance(collection, dict) and self.instance[1] in collection:
                return collection[self.instance[1]]
            if isinstance(collection, list) and self.instance[1] in collection:
                return self.instance[1]
            return Unresolved("each.value")
        if root == "path" and name in ("module", "root", "cwd"):
            return terraform_functions.path_marker(str(name))
        return Unresolved(".".join([root, *map(str, path)]))

    def _variable(self, name: str, hops: int) -> Any:
        source = module_source(self.module_dir)
        if self.calls:
            call = self.calls[-1]
            if not call.caller_dir:
                return Unresolved(f"var.{name}, set by the module's caller, which is not in the scanned folder")
            if name in call.arguments:
                caller = Scope(call.caller_dir, self.root, self.calls[:-1])
                return caller.evaluate(call.arguments[name], hops)
        else:
            for path in reversed(var_files()):
                values = load_document(path)
                if name in values:
                    return self.evaluate(_unwrap(values[name]), hops)
            if name in source.tfvars:
                return self.evaluate(source.tfvars[name], hops)
        default = source.defaults.get(name, _MISSING)
        if default is _MISSING:
            return Unresolved(f"var.{name} (a variable without a default)")
        return self.evaluate(default, hops)


def _call_chains(module_dir: str, names: tuple[str, ...], root: str) -> list[tuple[Call, ...]]:
    """Every chain of module calls from a root module to `module_dir` named as in the resource address."""
    if not names:
        return [()]
    chains = []
    for caller_dir, arguments in module_calls(root).get((names[-1], module_dir), []):
        for chain in _call_chains(caller_dir, names[:-1], root):
            chains.append(chain + (Call(names[-1], caller_dir, arguments),))
            if len(chains) >= MAX_BINDINGS:
                return chains
    return chains


def bindings(module_dir: str, root: str, address: str, resource: Optional[dict[str, Any]]) -> list[Scope]:
    """The scopes a resource is evaluated in: one per chain of module calls that reaches it.

    The address carries the module path where Checkov followed the calls (`-d` over HCL). Where it does not
    (.tf.json, `-f` on a module's file), a folder that a module block under the root calls is that module.
    """
    module_dir, root = os.path.normpath(module_dir), os.path.normpath(root)
    names = tuple(_MODULE_SEGMENT.findall(address))
    key = _INSTANCE_KEY.search(address)
    instance = (int(key.group(1)) if key and key.group(1) else None,
                json.loads(f'"{key.group(2)}"') if key and key.group(2) is not None else None)
    for_each = _unwrap(resource.get("for_each")) if resource else None
    if names:
        chains = _call_chains(module_dir, names, root) or [(Call(names[-1], "", {}),)]
    else:
        chains = [chain for (name, called) in module_calls(root) if called == module_dir
                  for chain in _call_chains(module_dir, (name,), root)][:MAX_BINDINGS] or [()]
    return [Scope(module_dir, root, chain, instance, for_each) for chain in chains]


def resource_body(module_dir: str, resource_type: str, address: str) -> Optional[dict[str, Any]]:
    name = re.sub(r"\[[^\]]*\]$", "", address).rsplit(".", 1)[-1]
    return module_source(os.path.normpath(module_dir)).resources.get((resource_type, name))
