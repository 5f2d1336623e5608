"""Where a Terraform resource's references resolve: variables, locals, count/each, module callers, files.

The pack reads the source itself (see `terraform_expressions`): root-module variables from `-var-file`s,
`*.auto.tfvars`, `terraform.tfvars` and defaults, in Terraform's order, converted to their declared type;
module variables from the arguments of the `module` block that calls the module (each chain of callers is
a separate binding); locals from `locals` blocks; `override.tf` files merged last, as Terraform does.
"""
from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

import hcl2

from emrsec import terraform_functions, unread
from emrsec.sources import ModuleFiles, inside, project_root, var_files
from emrsec.terraform_expressions import (Template, TerraformError, as_bool, element, evaluate_template,
                                         evaluate_value, unescape)
from emrsec.values import ALWAYS_SET, Ref, Unresolved

MAX_BINDINGS = 64  # caller chains evaluated for one module resource
MAX_MODULE_FOLDERS = 1_000  # module folders outside the scanned folder followed for calls
MAX_INSTANCES = 1_000  # count / for_each instances a reference to a counted resource is expanded to
MAX_MODULE_DEPTH = 32  # module calls followed into one module's outputs
MAX_RESOLUTIONS = 50_000  # variable / local look-ups for one binding: a bound on adversarial input
_SKIPPED_DIRS = {".terraform", "node_modules", ".git", ".serverless"}
_MODULE_SEGMENT = re.compile(r"module\.([A-Za-z_][A-Za-z0-9_\-]*)(\[(?:\d+|\"(?:[^\"\\]|\\.)*\")\])?\.")
_INSTANCE_KEY = re.compile(r"\[(?:(\d+)|\"((?:[^\"\\]|\\.)*)\")\]$")
_OVERRIDE = re.compile(r"(^|_)override\.tf(\.json)?$")
# A local module source as written (HCL or JSON): only files holding one are parsed for callers. (No `\b`
# before `source`: Python's regex then scans for the literal, 20 times faster; `data_source = "./x"` only
# costs a parse.)
_LOCAL_MODULE_SOURCE = re.compile(r'''source["']?\s*[=:]\s*"(\.\.?/[^"]*)"''')
# A source the text search cannot read: an expression Terraform evaluates without variables (`("../m")`,
# `"../${"m"}"`), escapes (`"\u002e/m"`), a comment around `=`. A folder with one, or with a .tf.json file (JSON
# escapes), is parsed to find what it calls.
_EXPRESSION_SOURCE = re.compile(r'''source\s*(?:/\*|=\s*(?:\(|/\*|"[^"\n]*(?:\$\{|%\{|\\)))''')
_OTHER_ROOTS = {"var", "local", "each", "count", "path", "self", "terraform", "module"}
_FORWARDED = re.compile(r"\$\{((?:var|local)\.[A-Za-z_][\w-]*)\}")  # an argument that passes a value on
_WHERE = "__where__"  # added to a module call's arguments: (file, line) of the call, for messages
_MISSING = object()
_IN_PROGRESS = object()


def _expression_source(text: str) -> bool:
    """Whether a `source` argument (not `resource = "arn:...${x}"`) is written as an expression."""
    return any(match.start() == 0 or not (text[match.start() - 1].isalnum() or text[match.start() - 1] in "_-")
               for match in _EXPRESSION_SOURCE.finditer(text))


def _read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:  # Terraform skips a byte-order mark
            return handle.read()
    except OSError:
        return ""


def _is_quoted_with_escapes(text: str) -> bool:
    """hcl2 keeps a quoted string's escapes but not a heredoc's: a quoted one holds `\\"` and no bare `"`."""
    escaped = seen_escaped_quote = False
    for char in text:
        if escaped:
            seen_escaped_quote |= char == '"'
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            return False
    return seen_escaped_quote


def _quoted_strings_unescaped(value: Any, depth: int = 0) -> Any:
    if depth > 64:
        return value
    if isinstance(value, str):
        return unescape(value) if "\\" in value and _is_quoted_with_escapes(value) else value
    if isinstance(value, dict):
        return {k: _quoted_strings_unescaped(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_quoted_strings_unescaped(v, depth + 1) for v in value]
    return value


@functools.lru_cache(maxsize=512)
def parse_hcl(text: str) -> dict[str, Any]:
    """hcl2's reading of a text, parsed once per run; not to be changed (checkov-emr hands Checkov's parser copies)."""
    return hcl2.loads(text)


@functools.lru_cache(maxsize=512)
def load_document(path: str) -> dict[str, Any]:
    """A .tf / .tf.json / .tfvars file as hcl2 (or json) reads it; {} for a file Terraform would reject."""
    text = _read_text(path)
    try:
        document = json.loads(text) if path.endswith(".json") else _quoted_strings_unescaped(parse_hcl(text))
        return document if isinstance(document, dict) else {}
    except Exception as error:  # a broken file contributes nothing; CKV_EMRSEC_9 names it if it holds EMR resources
        unread.report_terraform_syntax(path, str(error), text)
        return {}


def _place(path: str, block: dict[str, Any]) -> tuple[str, int]:
    """(file, first line) of a block, for messages."""
    line = block.get("__start_line__") if isinstance(block, dict) else None
    return path, line if isinstance(line, int) else 1


@functools.lru_cache(maxsize=1024)
def _line_of(path: str, name: str, after: int = 1) -> int:
    """The line where `name = ...` is set in a file, from line `after` on (hcl2 keeps no line for attributes);
    `after` itself when it is not found."""
    text = _read_text(path)
    start = sum(len(line) for line in text.splitlines(keepends=True)[:max(after - 1, 0)])
    match = re.compile(rf'^[ \t]*"?{re.escape(name)}"?[ \t]*[=:]', re.M).search(text, start)
    return text.count("\n", 0, match.start()) + 1 if match else after


def unwrap(value: Any) -> Any:
    """hcl2 wraps attribute values in one-element lists."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _blocks(document: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    blocks = document.get(kind, [])
    return [b for b in (blocks if isinstance(blocks, list) else [blocks]) if isinstance(b, dict)]


def _named(block: Any) -> list[tuple[str, dict[str, Any]]]:
    named = []
    for name, body in (block.items() if isinstance(block, dict) else []):
        body = unwrap(body) if isinstance(body, list) else body
        if isinstance(body, dict):
            named.append((name, body))
    return named


def _tfvars_order(name: str) -> tuple[int, str]:
    """Terraform loads terraform.tfvars, then terraform.tfvars.json, then *.auto.tfvars(.json) by name."""
    return ({"terraform.tfvars": 0, "terraform.tfvars.json": 1}.get(name, 2), name)


@dataclass
class Variable:
    default: Any = _MISSING
    type: Any = None  # the raw type expression
    nullable: bool = True


@dataclass
class ModuleSource:
    """What a module folder declares: variables, locals, tfvars values and resource bodies (overrides merged)."""

    variables: dict[str, Variable] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    tfvars: dict[str, Any] = field(default_factory=dict)
    resources: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)  # `template_file` data sources by name
    outputs: dict[str, Any] = field(default_factory=dict)
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)  # module name -> its call's arguments
    declared_at: dict[str, tuple[str, int]] = field(default_factory=dict)  # "var.x" -> (file, block line)
    tfvars_at: dict[str, str] = field(default_factory=dict)  # variable -> the tfvars file that sets it last
    unreadable: list[str] = field(default_factory=list)  # its .tf / .tfvars files the pack could not parse

    def add(self, document: dict[str, Any], override: bool, path: str = "") -> None:
        for block in _blocks(document, "variable"):
            for variable_name, body in _named(block):
                variable = self.variables.setdefault(variable_name, Variable())
                if "default" in body:
                    variable.default = unwrap(body["default"])
                    self.declared_at[f"var.{variable_name}"] = _place(path, body)
                variable.type = unwrap(body.get("type", variable.type))
                variable.nullable = unwrap(body.get("nullable", variable.nullable)) is not False
        for block in _blocks(document, "locals"):
            self.locals.update({k: unwrap(v) for k, v in block.items() if not k.startswith("__")})
            self.declared_at.update({f"local.{k}": _place(path, block) for k in block if not k.startswith("__")})
        for block in _blocks(document, "data"):
            self.templates.update(_named(block.get("template_file")))
        for block in _blocks(document, "output"):
            self.outputs.update({name: unwrap(body["value"]) for name, body in _named(block) if "value" in body})
        for block in _blocks(document, "module"):
            for name, body in _named(block):
                self.modules.setdefault(name, {}).update(
                    {k: unwrap(v) for k, v in body.items() if not k.startswith("__")})
        for block in _blocks(document, "resource"):
            for resource_type, instances in block.items():
                for name, body in _named(instances):
                    existing = self.resources.get((resource_type, name))
                    if override and existing is not None:
                        existing.update({k: v for k, v in body.items() if not k.startswith("__")})
                    else:
                        self.resources.setdefault((resource_type, name), dict(body))


@functools.lru_cache(maxsize=256)
def module_source(module_dir: str) -> ModuleSource:
    source = ModuleSource()
    try:
        names = sorted(os.listdir(module_dir))
    except OSError:
        names = []
    configuration = [n for n in names if n.endswith((".tf", ".tf.json"))]
    for name in sorted(configuration, key=lambda n: bool(_OVERRIDE.search(n))):  # override files last
        path = os.path.join(module_dir, name)
        source.add(load_document(path), bool(_OVERRIDE.search(name)), path)
        if unread.reported(path):
            source.unreadable.append(name)
    for name in sorted((n for n in names if n in ("terraform.tfvars", "terraform.tfvars.json")
                        or n.endswith((".auto.tfvars", ".auto.tfvars.json"))), key=_tfvars_order):
        values = load_document(os.path.join(module_dir, name))
        if unread.reported(os.path.join(module_dir, name)):
            source.unreadable.append(name)
        source.tfvars.update({k: unwrap(v) for k, v in values.items()})
        source.tfvars_at.update({k: os.path.join(module_dir, name) for k in values})
    return source


def _named_sources(folder: str, names: list[str], project: str, callers: dict[str, dict[str, None]]) -> list[str]:
    """Adds `folder` as a caller of each local module folder its Terraform files name as a source (a text search:
    Terraform takes a module source as a literal string only); returns those folders. Folders are real paths, as
    the scanned files' are."""
    folder = os.path.realpath(folder)
    texts = {name: text for name in names if name.endswith((".tf", ".tf.json"))
             for text in [_read_text(os.path.join(folder, name))] if "source" in text}  # the regexes are slower
    if any(name.endswith(".json") or _expression_source(text) for name, text in texts.items()):
        found = [called for _, called, _ in local_calls(folder, project)]
    else:
        found = [os.path.realpath(os.path.join(folder, source))
                 for text in texts.values() for source in _LOCAL_MODULE_SOURCE.findall(text)]
    called_folders = [called for called in found if inside(project, called)]  # the pack stays in the project
    for called in called_folders:
        callers.setdefault(called, {})[folder] = None
    return called_folders


@functools.lru_cache(maxsize=16)
def _callers(root: str) -> dict[str, tuple[str, ...]]:
    """Module folder -> the folders whose files name it as a local module source, under root and in the module
    folders those calls lead to outside root (inside its project root), transitively. Only the files of the
    callers of a module some resource is read in are parsed (`calls_to`).

    Callers outside root are not searched for: the folders of the scan that nothing calls are its roots.
    """
    callers: dict[str, dict[str, None]] = {}
    project = project_root(root)
    pending: list[str] = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
        pending += _named_sources(folder, names, project, callers)
    followed: set[str] = set()
    while pending and len(followed) < MAX_MODULE_FOLDERS:
        folder = pending.pop()
        if folder in followed or inside(root, folder):  # folders under root were walked above
            continue
        followed.add(folder)
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        pending += _named_sources(folder, names, project, callers)
    return {called: tuple(folders) for called, folders in callers.items()}


@functools.lru_cache(maxsize=4096)
def mentions(module_dir: str, word: str) -> bool:
    """Whether a configuration file of the module folder holds the word: a folder whose files do not name a
    resource type declares no such resource, and is not parsed to find one."""
    try:
        names = os.listdir(module_dir)
    except OSError:
        return False
    return any(word in _read_text(os.path.join(module_dir, name)) for name in names
               if name.endswith((".tf", ".tf.json")))


@functools.lru_cache(maxsize=4096)
def local_calls(folder: str, project: str) -> tuple[tuple[str, str, dict[str, Any]], ...]:
    """(module name, called folder, arguments) of the local module calls the folder's files make, override files
    merged into the calls they override (their `source` too), as Terraform does."""
    try:
        names = sorted(os.listdir(folder), key=lambda n: (bool(_OVERRIDE.search(n)), n))
    except OSError:
        return ()
    overridden = any(_OVERRIDE.search(name) for name in names)  # then every call may become a local one
    made: dict[str, dict[str, Any]] = {}  # module name -> its arguments, `source` included
    for name in names:
        if not name.endswith((".tf", ".tf.json")):
            continue
        path = os.path.join(folder, name)
        if not (overridden or name.endswith(".json")):
            text = _read_text(path)
            if not (_LOCAL_MODULE_SOURCE.search(text) or _expression_source(text)):
                continue
        override = bool(_OVERRIDE.search(name))
        for block in _blocks(load_document(path), "module"):
            for module_name, body in _named(block):
                arguments = {k: unwrap(v) for k, v in body.items() if not k.startswith("__")}
                if override and module_name in made:
                    made[module_name].update(arguments)
                elif not override:
                    made[module_name] = {**arguments, _WHERE: _place(path, body)}
    calls = []
    for module_name, arguments in made.items():
        source = arguments.get("source")
        if isinstance(source, str) and "\\" in source:  # hcl2 keeps a string's escapes (`\u002e`)
            source = unescape(source)
        if isinstance(source, str) and "${" in source:  # evaluated as Terraform does: without variables
            source = evaluate_template(source, lambda root, path: Unresolved(root), {})
        if isinstance(source, str) and source.startswith(("./", "../")):
            called = os.path.realpath(os.path.join(folder, source))
            if inside(project, called):
                calls.append((module_name, called, arguments))
    return tuple(calls)


def calls_to(module_dir: str, root: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(module name, calling folder, arguments) of every local module call of `module_dir` under root and in the
    module folders reached from there; grouped by module name, in the order the names are first met."""
    project = project_root(root)
    found = [(name, caller, arguments) for caller in _callers(root).get(module_dir, ())
             for name, called, arguments in local_calls(caller, project) if called == module_dir]
    first = {name: index for index, (name, _, _) in reversed(list(enumerate(found)))}
    return sorted(found, key=lambda call: first[call[0]])


# --- declared types ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Type:
    kind: str  # bool, string, number, any, object, map, list, tuple, optional
    of: Any = None
    default: Any = None


def _type_functions() -> dict[str, Callable[..., Any]]:
    return {"object": lambda attributes: _Type("object", attributes), "map": lambda of: _Type("map", of),
            "list": lambda of: _Type("list", of), "set": lambda of: _Type("list", of),
            "tuple": lambda items: _Type("tuple", items),
            "optional": lambda of, default=None: _Type("optional", of, default)}


@functools.lru_cache(maxsize=256)
def _parse_type(expression: str) -> Any:
    return evaluate_template(expression, lambda root, path: _Type(root) if not path else None, _type_functions())


def _converted(value: Any, declared: Any, depth: int = 0) -> Any:
    """A value converted to its declared type as Terraform does (optional() defaults included)."""
    if not isinstance(declared, _Type) or isinstance(value, Unresolved) or value is None or depth > 32:
        return value
    kind = declared.kind
    if kind == "bool" and isinstance(value, str) and value in ("true", "false"):
        return as_bool(value)
    if kind == "string" and isinstance(value, (bool, int, float)):
        return ("true" if value else "false") if isinstance(value, bool) else format(value, "g")
    if kind == "number" and isinstance(value, str):
        try:
            return int(value) if value.lstrip("-").isdigit() else float(value)
        except ValueError:
            return value
    if kind == "object" and isinstance(value, dict) and isinstance(declared.of, dict):
        result = {k: v for k, v in value.items() if k in declared.of}  # Terraform drops undeclared attributes
        for attribute, attribute_type in declared.of.items():
            if isinstance(attribute_type, _Type) and attribute_type.kind == "optional":
                if result.get(attribute) is None:
                    result[attribute] = attribute_type.default
                result[attribute] = _converted(result[attribute], attribute_type.of, depth + 1)
            elif attribute in result:
                result[attribute] = _converted(result[attribute], attribute_type, depth + 1)
        return result
    if kind == "map" and isinstance(value, dict):
        return {k: _converted(v, declared.of, depth + 1) for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [_converted(v, declared.of, depth + 1) for v in value]
    return value


# --- scopes ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Call:
    """One module call on the way from a root module down to a resource, and which instance of it."""

    name: str
    caller_dir: str
    arguments: dict[str, Any] = field(hash=False)
    instance: tuple[Optional[int], Optional[str]] = (None, None)


def _instance(key: Optional[str]) -> tuple[Optional[int], Optional[str]]:
    match = _INSTANCE_KEY.search(key or "")
    if not match:
        return None, None
    return (int(match.group(1)), None) if match.group(1) else (None, json.loads(f'"{match.group(2)}"'))


@dataclass
class Scope:
    """One binding of a resource's references: its module folder, the chain of calls that reaches it, its instance.

    `memo` is shared by the scopes of one binding (and the module outputs it reads), keyed by `chain`: each
    variable, local and output is evaluated once per module instance, and a reference
    cycle is detected instead of followed.
    """

    module_dir: str
    root: str
    calls: tuple[Call, ...] = ()
    instance: tuple[Optional[int], Optional[str]] = (None, None)  # count.index, each.key
    for_each: Any = None
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def chain(self) -> tuple[Any, ...]:
        """Which module instance this scope is: the calls that reach it and its folder."""
        return (*((c.name, c.caller_dir, c.instance) for c in self.calls), self.module_dir)

    @property
    def root_module_dir(self) -> str:
        return self.calls[0].caller_dir if self.calls and self.calls[0].caller_dir else self.module_dir

    @property
    def origin(self) -> str:
        """The chain of module folders from the root module to this one, for messages ('' for a root module)."""
        if not self.calls or not self.calls[0].caller_dir:
            return ""
        project = project_root(self.root)
        folders = [call.caller_dir for call in self.calls] + [self.module_dir]
        return "called from " + " -> ".join(_shown_folder(folder, project) for folder in folders)

    def files(self) -> ModuleFiles:
        return ModuleFiles(self.module_dir, self.root, self.root_module_dir)

    def caller(self) -> Scope:
        call = self.calls[-1]
        return Scope(call.caller_dir, self.root, self.calls[:-1], call.instance,
                     unwrap(call.arguments.get("for_each")), self.memo)

    def _functions(self) -> dict[str, Callable[..., Any]]:
        functions = self.memo.get((self.chain, "functions"))
        if functions is None:
            functions = self.memo[(self.chain, "functions")] = terraform_functions.table(self.files())
        return functions

    def evaluate(self, value: Any) -> Any:
        """A raw value (as hcl2 reads it) with its expressions evaluated in this scope."""
        return evaluate_value(value, self._resolve, self._functions())

    def _rendered(self, name: str) -> Any:
        """`data.template_file.<name>.rendered`: its template rendered with its vars, as the provider does."""
        body = module_source(self.module_dir).templates.get(name)
        shown = f"data.template_file.{name}.rendered"
        if body is None or "template" not in body:
            return Unresolved(shown)
        text = self.evaluate(unwrap(body["template"]))
        variables = self.evaluate(unwrap(body["vars"])) if "vars" in body else None
        if isinstance(text, Template):  # an inline template's `${name}` reads as a reference: the vars bind it
            text = "".join(s if isinstance(s, str) else "${" + s.source + "}" for s in text.segments)
        if not isinstance(text, str):
            return Unresolved(f"{shown}, whose template is unknown before deploy")
        return terraform_functions.render(text, variables, self._functions())

    def created(self, resource: dict[str, Any]) -> bool:
        """False where count / for_each certainly create no instance of the resource or of a module on the way
        (True where one of them is Terraform's error: the resource is judged as written)."""
        try:
            return self._created(resource)
        except TerraformError:
            return True

    def _created(self, resource: dict[str, Any]) -> bool:
        scopes: list[tuple[Scope, dict[str, Any], tuple[Optional[int], Optional[str]]]] = [
            (self, resource, self.instance)]
        scope = self
        while scope.calls and scope.calls[-1].caller_dir:
            call = scope.calls[-1]
            scope = scope.caller()
            scopes.append((scope, call.arguments, call.instance))
        for evaluating, body, (index, key) in scopes:
            if "count" in body:
                count = evaluating.evaluate(unwrap(body["count"]))
                if isinstance(count, int) and not isinstance(count, bool) and (
                        count == 0 or (index is not None and index >= count)):
                    return False
            if "for_each" in body:
                collection = evaluating.evaluate(unwrap(body["for_each"]))
                if isinstance(collection, (dict, list)) and (
                        not collection or (key is not None and key not in collection)):
                    return False
        return True

    def _resolve(self, root: str, path: list[Union[str, int]]) -> Any:
        name = path[0] if path else ""
        if root in ("var", "local") and isinstance(name, str):
            return self._memoized((self.chain, root, name), f"{root}.{name}",
                                  lambda: self._variable(name) if root == "var" else self._local(name))
        if root == "count" and name == "index" and self.instance[0] is not None:
            return self.instance[0]
        if root == "each" and name in ("key", "value") and self.instance[1] is not None:
            if name == "key":
                return self.instance[1]
            collection = self.evaluate(self.for_each) if self.for_each is not None else None
            if isinstance(collection, dict) and self.instance[1] in collection:
                return collection[self.instance[1]]
            if isinstance(collection, list) and self.instance[1] in collection:
                return self.instance[1]
            return Unresolved("each.value")
        if root == "path" and name in ("module", "root", "cwd"):
            return terraform_functions.path_marker(self.module_dir if name == "module" else self.root_module_dir)
        if root == "module" and isinstance(name, str):
            return self._module_output(name, path[1:])
        if root == "data" and path[:1] == ["template_file"] and len(path) >= 3 and path[2] == "rendered":
            return self._memoized((self.chain, "template_file", path[1]), f"data.template_file.{path[1]}",
                                  lambda: self._rendered(str(path[1])))
        # A resource (its type has a provider prefix) or data-source attribute exists once deployed; the other
        # roots left here may be null or empty.
        present = root == "data" or (root not in _OTHER_ROOTS and "_" in root)
        if present and root != "data" and isinstance(name, str):
            if len(path) == 1:
                instances = self._instances(root, name)
                if instances is not None:
                    return instances
            body = module_source(self.module_dir).resources.get((root, name))
            return self.reference(".".join([root, *map(str, path)]), f"{root}.{name}", ".".join(map(str, path[1:2])),
                                  uncertain=body is not None and bool({"count", "for_each"} & body.keys()))
        return Unresolved(".".join([root, *map(str, path)]), maybe_absent=not present)

    def reference(self, shown: str, address: str, attribute: str, uncertain: bool = False) -> Ref:
        """A resource of this module instance, as a value the project can resolve."""
        return Ref(shown, address=address, attribute=attribute, unit=self.chain, context=self, uncertain=uncertain,
                   maybe_absent=attribute not in ALWAYS_SET)

    def _memoized(self, key: tuple[Any, ...], shown: str, compute: Callable[[], Any]) -> Any:
        """`compute()` once per key in this binding; a reference back to a key being computed is a cycle (the
        value is then unknown), and the look-ups of one binding are bounded (adversarial input)."""
        cached = self.memo.get(key, _MISSING)
        if cached is _IN_PROGRESS:
            self.memo.setdefault("cycles", set()).add(key)
            return Unresolved(f"{shown}, which refers to itself")
        if cached is not _MISSING:
            return cached
        count = self.memo["resolutions"] = self.memo.get("resolutions", 0) + 1
        if count > MAX_RESOLUTIONS:
            return Unresolved("references too many to follow")
        self.memo[key] = _IN_PROGRESS
        try:
            value = compute()
        finally:
            self.memo.pop(key, None)
        if key in self.memo.get("cycles", ()):
            value = Unresolved(f"{shown}, which refers to itself")
        self.memo[key] = value
        return value

    def _instances(self, resource_type: str, name: str) -> Any:
        """A counted resource as the list of its instances (a for_each one as a map), where count / for_each
        evaluate: a splat or index over it then means what it means in Terraform (none when count is 0)."""
        body = module_source(self.module_dir).resources.get((resource_type, name))
        key = (self.chain, "instances", resource_type, name)
        if body is None or self.memo.get(key) is _IN_PROGRESS or not ({"count", "for_each"} & body.keys()):
            return None
        self.memo[key] = _IN_PROGRESS
        try:
            collection = self.evaluate(unwrap(body.get("count", body.get("for_each"))))
        except TerraformError:
            return None
        finally:
            self.memo.pop(key, None)
        shown = f"{resource_type}.{name}"
        if "count" in body:
            if isinstance(collection, int) and not isinstance(collection, bool) and 0 <= collection <= MAX_INSTANCES:
                return [self._instance_reference(shown, (index, None), None) for index in range(collection)]
            return None
        if isinstance(collection, list) and all(isinstance(k, str) for k in collection):
            collection = dict.fromkeys(collection)
        if isinstance(collection, dict) and len(collection) <= MAX_INSTANCES:
            for_each = unwrap(body.get("for_each"))
            return {k: self._instance_reference(shown, (None, k), for_each) for k in collection}
        return None

    def _instance_reference(self, address: str, instance: tuple[Optional[int], Optional[str]], for_each: Any) -> Ref:
        """One instance of a counted resource of this module, read with its own count.index / each.key."""
        index, key = instance
        shown = f"{address}[{index if key is None else json.dumps(key)}]"
        context = Scope(self.module_dir, self.root, self.calls, instance, for_each, self.memo)
        return Ref(shown, address=address, attribute="", unit=(self.chain, instance), context=context)

    def _module_output(self, name: str, path: list[Union[str, int]]) -> Any:
        """A local module's output, evaluated in a binding of that module called from here."""
        shown = ".".join(["module", name, *map(str, path)])
        arguments = module_source(self.module_dir).modules.get(name)
        source = unwrap(arguments.get("source")) if arguments else None
        if not (isinstance(source, str) and source.startswith(("./", "../"))):
            return Unresolved(f"{shown}, an output of a module the pack does not read")
        if not path or not isinstance(path[0], str):
            return Unresolved(f"{shown}, an output of one instance of a module")
        if {"count", "for_each"} & arguments.keys():  # Terraform: module.x is then a list or map of instances
            raise TerraformError(f"reads {shown}, but module.{name} has count or for_each: its outputs are read "
                                 f"per instance (module.{name}[0].{path[0]})")
        called = os.path.normpath(os.path.join(self.module_dir, source))
        if len(self.calls) >= MAX_MODULE_DEPTH or not inside(project_root(self.root), called):
            return Unresolved(f"{shown}, an output of a module outside the project or nested too deeply")
        output = module_source(called).outputs.get(path[0], _MISSING)
        if output is _MISSING:
            return Unresolved(f"{shown}, an output that {os.path.relpath(called, self.root)} does not declare")
        scope = Scope(called, self.root, self.calls + (Call(name, self.module_dir, arguments),), memo=self.memo)
        value = self._memoized((scope.chain, "output", path[0]), shown, lambda: scope.evaluate(output))
        for key in path[1:]:
            if isinstance(value, Ref):  # a resource the output holds, read further as any reference is
                value = element(value, key)
                continue
            if isinstance(value, Unresolved):
                return Unresolved(f"{shown}, read from {value.source}", maybe_absent=True)
            value = value.get(key, _MISSING) if isinstance(value, dict) else _MISSING
            if value is _MISSING:
                return Unresolved(f"{shown}, which the module's output does not hold")
        return value

    def provenance(self, reference: str) -> str:
        """Where `var.x` / `local.y` gets its value in this binding, for messages: 'var.x, default in variables.tf:3'."""
        root, _, name = reference.partition(".")
        source = module_source(self.module_dir)
        project = project_root(self.root)

        def at(path: str, attribute: str, after: int = 1) -> str:
            shown = os.path.relpath(path, project)
            return f"{os.path.basename(path) if shown.startswith('..') else shown}:{_line_of(path, attribute, after)}"
        declared = source.declared_at.get(reference)
        if root == "local":
            return f"{reference} ({at(declared[0], name, declared[1])})" if declared else reference
        if self.calls:
            call = self.calls[-1]
            if call.caller_dir and name in call.arguments:
                where = call.arguments.get(_WHERE)
                passed = f"{reference}, passed by {at(where[0], name, where[1]) if where else call.caller_dir}"
                argument = call.arguments[name]
                forwarded = _FORWARDED.fullmatch(argument) if isinstance(argument, str) else None
                return passed + (f" from {self.caller().provenance(forwarded.group(1))}" if forwarded else "")
            if not call.caller_dir:
                return f"{reference}, set by a caller the scan does not see"
        else:
            for path in reversed(var_files()):
                if name in load_document(path):
                    return f"{reference}, set in {at(path, name)}"
            if name in source.tfvars:
                return f"{reference}, set in {at(source.tfvars_at[name], name)}"
        return f"{reference}, default in {at(declared[0], 'default', declared[1])}" if declared else reference

    def _local(self, name: str) -> Any:
        source = module_source(self.module_dir)
        if name not in source.locals:
            return Unresolved(f"local.{name}, which is not declared in {self.module_dir}")
        return self.evaluate(source.locals[name])

    def _variable(self, name: str) -> Any:
        source = module_source(self.module_dir)
        declared = source.variables.get(name)
        if declared is None:  # Terraform rejects an undeclared variable; here its declaration may be unreadable
            return Unresolved(f"var.{name}, whose declaration the pack does not find"
                              + (f" (it could not parse {', '.join(source.unreadable)})" if source.unreadable else ""))
        value = self._given(name)
        if value is None and not declared.nullable:
            value = _MISSING
        if value is _MISSING:
            if declared.default is _MISSING:
                return Unresolved(f"var.{name} (a variable without a default)", maybe_absent=False)
            value = self.evaluate(declared.default)
        declared_type = _parse_type(declared.type) if isinstance(declared.type, str) else None
        return _converted(value, declared_type)

    def _given(self, name: str) -> Any:
        """The value a caller, a -var-file or a tfvars file gives the variable (_MISSING if none)."""
        if self.calls:
            call = self.calls[-1]
            if not call.caller_dir:
                return Unresolved(f"var.{name}, set by a caller of the module that the scan does not see (callers "
                                  "outside the scanned folder are not searched for, and the pack stays in the project)")
            return self.caller().evaluate(call.arguments[name]) if name in call.arguments else _MISSING
        for path in reversed(var_files()):
            values = load_document(path)
            if name in values:
                return self.evaluate(unwrap(values[name]))
        source = module_source(self.module_dir)
        if name in source.tfvars:
            return self.evaluate(source.tfvars[name])
        unread_values = [n for n in source.unreadable if ".tfvars" in n] + [
            os.path.basename(p) for p in var_files() if unread.reported(p)]
        if unread_values:  # a values file that may set it could not be parsed: its value is not known
            return Unresolved(f"var.{name}, which {', '.join(unread_values)} may set (the pack could not parse it)")
        return _MISSING


def _shown_folder(folder: str, project: str) -> str:
    relative = os.path.relpath(folder, project)
    return "./" if relative == "." else relative


def _call_chains(module_dir: str, calls: tuple[tuple[str, Optional[str]], ...], root: str) -> list[tuple[Call, ...]]:
    """Every chain of module calls from a root module to `module_dir`, as named in the resource address."""
    if not calls:
        return [()]
    (name, key), chains = calls[-1], []
    for called_as, caller_dir, arguments in calls_to(module_dir, root):
        if called_as != name:
            continue
        for chain in _call_chains(caller_dir, calls[:-1], root):
            chains.append(chain + (Call(name, caller_dir, arguments, _instance(key)),))
            if len(chains) > MAX_BINDINGS:
                return chains
    return chains


def bindings(module_dir: str, root: str, address: str, resource: Optional[dict[str, Any]]) -> list[Scope]:
    """The scopes a resource is evaluated in: one per chain of module calls that reaches it.

    The address carries the module path where Checkov followed the calls (`-d` over HCL). Where it does not
    (.tf.json, `-f` on a module's file), a folder that a module block under the root calls is that module.
    More than MAX_BINDINGS chains: the list ends with one more scope, which callers the caller may use to say so.
    """
    module_dir, root = os.path.realpath(module_dir), os.path.normpath(root)
    named_calls = tuple(_MODULE_SEGMENT.findall(address))
    instance = _instance(_MODULE_SEGMENT.sub("", address))
    for_each = unwrap(resource.get("for_each")) if resource else None
    if named_calls:
        chains = _call_chains(module_dir, named_calls, root) or [(Call(named_calls[-1][0], "", {}),)]
    else:
        chains = _chains_to(module_dir, root, frozenset()) or [()]
    return [Scope(module_dir, root, chain, instance, for_each) for chain in chains[:MAX_BINDINGS + 1]]


def _chains_to(module_dir: str, root: str, seen: frozenset[str]) -> list[tuple[Call, ...]]:
    """Every chain of module calls from a root module (a folder no call reaches) to `module_dir`, where the
    address does not name the calls (.tf.json, `-f` on a module's file)."""
    chains: list[tuple[Call, ...]] = []
    for name, caller_dir, arguments in calls_to(module_dir, root):
        if caller_dir in seen or caller_dir == module_dir:  # a cycle: Terraform cannot load it either
            continue
        for chain in _chains_to(caller_dir, root, seen | {module_dir}) or [()]:
            chains.append(chain + (Call(name, caller_dir, arguments),))
            if len(chains) > MAX_BINDINGS:
                return chains
    return chains


def resource_body(module_dir: str, resource_type: str, address: str) -> Optional[dict[str, Any]]:
    name = re.sub(r"\[[^\]]*\]$", "", address).rsplit(".", 1)[-1]
    return module_source(os.path.normpath(module_dir)).resources.get((resource_type, name))
