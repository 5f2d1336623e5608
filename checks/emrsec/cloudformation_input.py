"""CloudFormation (YAML/JSON, SAM, CDK output) resource properties reduced to the normalized model.

The pack reads the template as written (Checkov's own substitution of parameter defaults is incomplete:
it skips Fn::Sub and renders YAML booleans as Python's `True`), resolving Ref to parameter defaults,
Fn::Sub, Fn::Join, Fn::FindInMap, Fn::Select, Fn::ToJsonString and `!Ref AWS::NoValue`. Fn::If is
evaluated for every assignment of truth values to the conditions it uses, one value per condition name.
"""
from __future__ import annotations

import itertools
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Optional, Union

from emrsec import state_machines
from emrsec.jsontext import MAX_DEPTH, Segment, map_leaves, parse_json, parse_with_holes, split_interpolations
from emrsec.model import ABSENT, Launch
from emrsec.values import Invalid, Ref, Unresolved, Variant, unresolved_text

MAX_CONDITIONS = 6  # conditions one property's Fn::Ifs may use: 2**6 assignments are evaluated
_INJECTED_KEYS = frozenset({"__file__", "__startline__", "__endline__"})
_NO_VALUE = object()  # !Ref AWS::NoValue: the property is removed
_TOO_DEEP = "a property nested too deeply to read"
MAX_DEFINITION_BYTES = 1024 * 1024  # a state machine definition file SAM uploads


class _TooDeep(Exception):
    """A property nests past MAX_DEPTH: it is judged unknown as a whole (never 'present')."""


ParameterValue = Union[str, list, Unresolved]


@dataclass(frozen=True)
class Template:
    """What a template declares that properties refer to: its parameters' values, its mappings, its resources
    (a `Ref` / `Fn::GetAtt` to one is a `values.Ref` in this template) and its file."""

    parameters: dict[str, ParameterValue] = field(default_factory=dict)
    mappings: dict[str, Any] = field(default_factory=dict)
    resources: dict[str, Any] = field(default_factory=dict)
    path: str = ""
    sources: dict[str, str] = field(default_factory=dict)  # parameter -> where its value comes from, for messages

    @staticmethod
    def from_document(document: Any, passed: Optional[list[dict[str, ParameterValue]]] = None,
                      parent_known: bool = True, path: str = "") -> Template:
        """Parameters take their defaults; in a nested stack (`passed`: what each nesting resource passes) what the
        parent passes, the default where it passes nothing. A parent the scan does not see passes unknown values."""
        if not isinstance(document, dict):
            return Template()
        declared = document.get("Parameters") if isinstance(document.get("Parameters"), dict) else {}
        values: dict[str, ParameterValue] = {}
        sources: dict[str, str] = {}
        for name, body in declared.items():
            body = body if isinstance(body, dict) else {}
            if not parent_known:
                values[name] = Unresolved(f"!Ref {name}, passed by a parent stack the scan does not see")
                continue
            given = [p[name] for p in passed or [] if name in p]
            if passed and given and (len(given) < len(passed) or any(g != given[0] for g in given)):
                values[name] = Unresolved(f"!Ref {name}, which the stacks that nest this template pass differently")
            elif given:
                values[name] = _typed(given[0], body)
                sources[name] = "passed by the stack that nests this template"
            elif _default(body) is not None:
                values[name] = _typed(_default(body), body)  # type: ignore[arg-type]
                line = body.get("__startline__")
                sources[name] = f"default in {os.path.basename(path) or 'the template'}" + (
                    f":{line}" if isinstance(line, int) else "")
        mappings = document.get("Mappings") if isinstance(document.get("Mappings"), dict) else {}
        resources = document.get("Resources") if isinstance(document.get("Resources"), dict) else {}
        return Template(values, mappings, resources, path, sources)


def _default(body: dict[str, Any]) -> Optional[str]:
    """A parameter's default as text; None without one, or for an SSM parameter (its value is known at deploy)."""
    if "Default" not in body or isinstance(body["Default"], dict):
        return None
    if str(body.get("Type", "")).startswith("AWS::SSM::Parameter::Value"):
        return None
    default = body["Default"]
    return ("" if default is None else ",".join(map(str, default)) if isinstance(default, list) else
            str(default).lower() if isinstance(default, bool) else str(default))


def _typed(value: ParameterValue, body: dict[str, Any]) -> ParameterValue:
    """A list parameter's value (`CommaDelimitedList`, `List<...>`) is the list `Ref` gives."""
    kind = str(body.get("Type", ""))
    if isinstance(value, str) and (kind == "CommaDelimitedList" or kind.startswith("List<")):
        return value.split(",")
    return value


def resolve_parameter(node: Any, context: Template) -> Optional[ParameterValue]:
    """A value a parent passes to a nested stack's parameter, resolved in the parent's context; None when it
    passes `!Ref AWS::NoValue` (the parameter takes its default)."""
    value = _Resolver(context).value(node)
    if value is _NO_VALUE:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    return value if isinstance(value, Unresolved) else Unresolved(f"a parameter value {json.dumps(node, default=str)[:60]}")


def _strip(node: Any) -> Any:
    return {k: v for k, v in node.items() if k not in _INJECTED_KEYS} if isinstance(node, dict) else node


def _conditions(node: Any, found: dict[str, None], depth: int = 0) -> None:
    """The condition names the Fn::Ifs inside `node` use, in order of appearance."""
    if depth > MAX_DEPTH or len(found) > MAX_CONDITIONS:
        return
    node = _strip(node)
    if isinstance(node, dict):
        arguments = node.get("Fn::If") if len(node) == 1 else None
        if isinstance(arguments, list) and arguments and isinstance(arguments[0], str):
            found.setdefault(arguments[0])
        for value in node.values():
            _conditions(value, found, depth + 1)
    elif isinstance(node, list):
        for item in node:
            _conditions(item, found, depth + 1)


def _choose(node: Any, truth: dict[str, bool], depth: int = 0) -> Any:
    """`node` with every Fn::If replaced by the branch `truth` selects."""
    if depth > MAX_DEPTH:
        raise _TooDeep()
    node = _strip(node)
    if isinstance(node, dict):
        arguments = node.get("Fn::If") if len(node) == 1 else None
        if isinstance(arguments, list) and len(arguments) == 3 and arguments[0] in truth:
            return _choose(arguments[1] if truth[arguments[0]] else arguments[2], truth, depth + 1)
        if arguments is not None:
            return Unresolved("a malformed Fn::If", maybe_absent=True)
        return {k: _choose(v, truth, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [_choose(item, truth, depth + 1) for item in node]
    return node


def _branches(node: Any) -> list[tuple[str, Any]]:
    """(condition assignment, node without Fn::If) for every assignment; one per distinct result."""
    found: dict[str, None] = {}
    _conditions(node, found)
    if len(found) > MAX_CONDITIONS:
        return [("", Unresolved(f"Fn::If over more than {MAX_CONDITIONS} conditions ({', '.join(list(found)[:4])}, "
                                "...): split the property or use fewer conditions", maybe_absent=True))]
    results: list[tuple[str, Any]] = []
    for values in itertools.product((True, False), repeat=len(found)):
        truth = dict(zip(found, values))
        try:
            chosen = _choose(node, truth)
        except _TooDeep:
            return [("", Unresolved(_TOO_DEEP, maybe_absent=True))]
        if all(chosen != existing for _, existing in results):
            results.append((" and ".join(f"{name} is {str(value).lower()}" for name, value in truth.items()), chosen))
    return results if len(results) > 1 else [("", results[0][1])]


class _Resolver:
    """Intrinsic functions to values, in the context of one template."""

    def __init__(self, template: Template) -> None:
        self.template = template

    def sub_segments(self, arguments: Any) -> list[Segment] | Unresolved:
        """Fn::Sub as text with holes: `${!x}` literal, its variables map, parameter defaults; the rest unresolved."""
        if isinstance(arguments, list) and len(arguments) == 2 and isinstance(arguments[1], dict):
            text, variables = arguments
        else:
            text, variables = arguments, {}
        if not isinstance(text, str):
            return Unresolved("!Sub with a template that is not a string")
        segments: list[Segment] = []
        for is_interpolation, part in split_interpolations(text):
            if not is_interpolation:
                segments.append(part)
            elif part.startswith("!"):
                segments.append("${" + part[1:] + "}")
            else:
                # ${Name} / ${Name.Attribute} outside the variables map is a Ref / GetAtt: never empty
                value = (self.resolve(variables[part], 1) if part in variables
                         else self.template.parameters[part] if part in self.template.parameters
                         else self.reference("${" + part + "}", *part.partition(".")[::2]))
                segments.append(value if isinstance(value, (str, Unresolved)) else Unresolved("${" + part + "}"))
        return segments

    def reference(self, shown: str, logical_id: str, attribute: str) -> Unresolved:
        """A Ref / GetAtt: a `values.Ref` when it names a resource of the template (never empty either way)."""
        if logical_id in self.template.resources:
            return Ref(shown, address=logical_id, attribute=attribute, unit=self.template.path, context=self.template)
        return Unresolved(shown, maybe_absent=False)

    def join_segments(self, arguments: Any) -> list[Segment] | Unresolved:
        if not (isinstance(arguments, list) and len(arguments) == 2 and isinstance(arguments[0], str)):
            return Unresolved("!Join that cannot be resolved")
        items = self.resolve(arguments[1], 1) if isinstance(arguments[1], dict) else arguments[1]
        if not isinstance(items, list):
            return Unresolved("!Join over a list that cannot be resolved")
        segments: list[Segment] = []
        for index, item in enumerate(items):
            if index:
                segments.append(arguments[0])
            pieces = self.text_segments(item)
            if pieces is None:
                value = self.resolve(item, 1)
                pieces = [value if isinstance(value, (str, Unresolved)) else Unresolved("a !Join item")]
            segments.extend(pieces if isinstance(pieces, list) else [pieces])
        return segments

    def text_segments(self, node: Any) -> list[Segment] | Unresolved | None:
        """Fn::Sub / Fn::Join as text segments; None for anything else."""
        node = _strip(node)
        if isinstance(node, dict) and len(node) == 1:
            if "Fn::Sub" in node:
                return self.sub_segments(node["Fn::Sub"])
            if "Fn::Join" in node:
                return self.join_segments(node["Fn::Join"])
        return None

    def _intrinsic(self, name: str, argument: Any, depth: int) -> Any:
        if name == "Ref":
            if argument == "AWS::NoValue":
                return _NO_VALUE
            if isinstance(argument, str) and argument in self.template.parameters:
                return self.template.parameters[argument]
            # a resource, or a parameter without a default: deploy fails rather than pass an empty value
            if not isinstance(argument, str):
                return Unresolved(f"!Ref {argument}")
            return self.reference(f"!Ref {argument}", argument, "")
        if name == "Fn::FindInMap" and isinstance(argument, list) and len(argument) >= 3:
            keys = [self.resolve(key, depth + 1) for key in argument[:3]]
            value: Any = self.template.mappings
            for key in keys:
                value = value.get(key) if isinstance(value, dict) and isinstance(key, str) else None
            if value is not None:
                return self.resolve(value, depth + 1)
            options = _strip(argument[3]) if len(argument) > 3 else None
            if all(isinstance(k, str) for k in keys) and isinstance(options, dict) and "DefaultValue" in options:
                return self.resolve(options["DefaultValue"], depth + 1)  # AWS::LanguageExtensions
        if name == "Fn::Split" and isinstance(argument, list) and len(argument) == 2:
            separator, text = argument[0], self.resolve(argument[1], depth + 1)
            if isinstance(separator, str) and separator and isinstance(text, str):
                return text.split(separator)
        if name == "Fn::Select" and isinstance(argument, list) and len(argument) == 2:
            index, items = self.resolve(argument[0], depth + 1), self.resolve(argument[1], depth + 1)
            if isinstance(items, list) and str(index).isdigit() and int(index) < len(items):
                return items[int(index)]
        if name == "Fn::ToJsonString":
            return _ToJson(self.resolve(argument, depth + 1))
        if name == "Fn::GetAtt":
            shown = ".".join(map(str, argument)) if isinstance(argument, list) else str(argument)
            logical_id, _, attribute = shown.partition(".")
            return self.reference(f"!GetAtt {shown}", logical_id, attribute)
        return Unresolved(f"{name} ({str(argument)[:60]})")

    def resolve(self, node: Any, depth: int) -> Any:
        """Intrinsics to values or `Unresolved`; `!Ref AWS::NoValue` removes the property."""
        if depth > MAX_DEPTH:
            raise _TooDeep()
        node = _strip(node)
        if isinstance(node, dict):
            if len(node) == 1:
                (name, argument), = node.items()
                segments = self.text_segments(node)
                if isinstance(segments, Unresolved):
                    return segments
                if segments is not None:
                    if len(segments) == 1 and isinstance(segments[0], Unresolved):
                        return segments[0]  # `!Sub "${Key.Arn}"`, CDK's Fn::Join around one Ref: the reference itself
                    if all(isinstance(s, str) for s in segments):
                        return "".join(segments)  # type: ignore[arg-type]
                    return unresolved_text("!Sub/!Join of " + "".join(
                        s if isinstance(s, str) else "${" + s.source + "}" for s in segments), segments)
                if name == "Ref" or name.startswith("Fn::") or name == "Condition":
                    return self._intrinsic(name, argument, depth)
            resolved = {k: self.resolve(v, depth + 1) for k, v in node.items()}
            return {k: v for k, v in resolved.items() if v is not _NO_VALUE}
        if isinstance(node, list):
            return [v for v in (self.resolve(item, depth + 1) for item in node) if v is not _NO_VALUE]
        return node

    def document(self, node: Any) -> Any:
        """The SecurityConfiguration property: an object, a JSON string, or JSON text built by Sub / Join."""
        try:
            return self._document(node)
        except _TooDeep:
            return Unresolved(_TOO_DEEP, maybe_absent=True)

    def value(self, node: Any) -> Any:
        """A property's value, with its intrinsics resolved."""
        try:
            return self.resolve(node, 0)
        except _TooDeep:
            return Unresolved(_TOO_DEEP, maybe_absent=True)

    def _document(self, node: Any) -> Any:
        segments = self.text_segments(node)
        if isinstance(segments, list):
            return self.resolve(parse_with_holes(segments), 0)
        resolved = self.resolve(node, 0)
        if isinstance(resolved, _ToJson):
            resolved = resolved.value
        if resolved is _NO_VALUE:
            return Invalid("is removed by !Ref AWS::NoValue")
        if isinstance(resolved, str):
            return parse_json(resolved)
        return resolved


@dataclass(frozen=True)
class _ToJson:
    """Fn::ToJsonString(value): JSON text in CloudFormation, kept as the value it encodes."""

    value: Any


# A Serverless Framework variable Checkov could not resolve (`${env:KEY}`, `${ssm:/x}`, `${opt:stage, 'dev'}`).
_SERVERLESS_VARIABLE = re.compile(r"\$\{(?!AWS::)[A-Za-z][\w-]*[:(]")  # ${env:X}, ${file(x)}; not Fn::Sub's
_SERVERLESS_EXTERNAL = re.compile(r"\$\{(?!AWS::|self:)[A-Za-z][\w-]*[:(]")  # from outside the file


def _outside_variables(text: str) -> str:
    """The literal text of a value, its `${...}` variables (nested ones included) left out."""
    return "".join(part for is_variable, part in split_interpolations(text) if not is_variable)


_SELF_REFERENCE = re.compile(r"\$\{self:([\w.\-]+)")


def _from_outside(written: Any, document: Any, depth: int = 0) -> bool:
    """Whether a value as written comes from outside the file: a variable other than `${self:...}`, or a
    `${self:...}` leading to one."""
    if depth > 16:
        return True  # a chain of self-references this long is not followed: unknown
    if isinstance(written, dict):
        return any(_from_outside(v, document, depth + 1) for v in written.values())
    if isinstance(written, list):
        return any(_from_outside(v, document, depth + 1) for v in written)
    if not isinstance(written, str):
        return False
    if _SERVERLESS_EXTERNAL.search(written):
        return True
    for path in _SELF_REFERENCE.findall(written):
        target = document
        for key in path.split("."):
            target = target.get(key) if isinstance(target, dict) else None
        if _from_outside(target, document, depth + 1):
            return True
    return False


def serverless_variables(tree: Any, written: Any, document: Any, depth: int = 0) -> Any:
    """Checkov's serverless properties, with every value that comes from a variable Checkov could not resolve, or
    from outside the file (`${env:X, true}`: Checkov substitutes the fallback), unknown: it may be empty.
    `written` is the same properties as the file (`document`) writes them."""
    if depth > MAX_DEPTH:
        return tree
    if isinstance(written, str) and _from_outside(written, document):
        return unresolved_text(written, [_outside_variables(written)])
    if isinstance(tree, dict):
        return {k: serverless_variables(v, written.get(k) if isinstance(written, dict) else None, document, depth + 1)
                for k, v in tree.items()}
    if isinstance(tree, list):
        return [serverless_variables(v, written[i] if isinstance(written, list) and i < len(written) else None,
                                     document, depth + 1) for i, v in enumerate(tree)]
    if isinstance(tree, str) and _SERVERLESS_VARIABLE.search(tree):
        return unresolved_text(tree, [_outside_variables(tree)])
    return tree


def _property_branches(properties: Any, key: str) -> list[tuple[str, Any]]:
    if not isinstance(properties, dict):
        return [("", Invalid(f"cannot be read: the resource's Properties is {type(properties).__name__}"))]
    return _branches(properties[key]) if key in properties else [("", _NO_VALUE)]


def _origins(node: Any, template: Template, path: str = "", depth: int = 0) -> dict[str, str]:
    """Where the values under each JSON path of a property come from when they are not literals: a parameter (its
    default or its parent stack), a mapping."""
    node = _strip(node)
    if depth > MAX_DEPTH:
        return {}
    if isinstance(node, dict) and len(node) == 1:
        (name, argument), = node.items()
        if name == "Ref" and isinstance(argument, str) and argument in template.sources:
            return {path: f"parameter {argument}, {template.sources[argument]}"}
        if name == "Fn::FindInMap" and isinstance(argument, list) and argument and isinstance(argument[0], str):
            return {path: f"mapping {argument[0]}"}
        if name == "Fn::Sub":
            text = argument[0] if isinstance(argument, list) and argument else argument
            used = [p for p in template.sources if isinstance(text, str) and "${" + p + "}" in text]
            if used:
                return {path: ", ".join(f"parameter {p}, {template.sources[p]}" for p in used)}
    found: dict[str, str] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            found.update(_origins(value, template, f"{path}.{key}" if path else str(key), depth + 1))
    elif isinstance(node, list):
        for value in node:
            found.update(_origins(value, template, path, depth + 1))
    return found


def security_configuration(properties: Any, template: Optional[Template] = None) -> list[Variant]:
    template = template or Template()
    resolver = _Resolver(template)
    variants = []
    for condition, value in _property_branches(properties, "SecurityConfiguration"):
        origins = _origins(value, template)
        if value is _NO_VALUE:
            value = Invalid("is missing: set the SecurityConfiguration property")
        elif not isinstance(value, (Invalid, Unresolved)):
            value = resolver.document(value)
        variants.append(Variant(condition, value, origins, root="SecurityConfiguration"))
    return variants


def resolved(node: Any, template: Template) -> Any:
    """A property's value with its intrinsics resolved; ABSENT for `!Ref AWS::NoValue`."""
    value = _Resolver(template).value(node)
    return ABSENT if value is _NO_VALUE else value


def cluster(properties: Any, template: Optional[Template] = None) -> list[Variant]:
    """An AWS::EMR::Cluster's launch (each variant's value: one `Launch`)."""
    resolver = _Resolver(template or Template())
    variants = []
    for condition, value in _property_branches(properties, "SecurityConfiguration"):
        if isinstance(value, Invalid):
            variants.append(Variant(condition, [Launch("SecurityConfiguration", value)]))
            continue
        resolved_value = value if value is _NO_VALUE or isinstance(value, Unresolved) else resolver.value(value)
        if isinstance(resolved_value, _ToJson):
            resolved_value = json.dumps(resolved_value.value, default=str)
        variants.append(Variant(condition, [Launch("SecurityConfiguration",
                                                   ABSENT if resolved_value is _NO_VALUE else resolved_value)]))
    return variants


_SUBSTITUTION = re.compile(r"\$\{([^}!][^}]*)\}")


def _substituted(definition: Any, substitutions: Any) -> Any:
    """`DefinitionSubstitutions` applied: `${Name}` in the definition's strings takes the (resolved) value."""
    if not isinstance(substitutions, dict) or not substitutions:
        return definition

    def leaf(value: Any) -> Any:
        if not isinstance(value, str) or "${" not in value:
            return value
        whole = _SUBSTITUTION.fullmatch(value)
        if whole and whole.group(1) in substitutions:
            return substitutions[whole.group(1)]
        parts = [substitutions.get(part, "${" + part + "}") if index % 2 else part
                 for index, part in enumerate(_SUBSTITUTION.split(value))]
        if all(isinstance(part, (str, int, float, bool)) for part in parts):
            return "".join(str(part).lower() if isinstance(part, bool) else str(part) for part in parts)
        return unresolved_text(value, parts)
    return map_leaves(definition, leaf)


def _definition_file(uri: str, template: Template) -> tuple[Any, str]:
    """SAM's `DefinitionUri` naming a local file (as `sam build` / `sam package` read it): (definition, its text)."""
    path = os.path.normpath(os.path.join(os.path.dirname(template.path), uri))
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read(MAX_DEFINITION_BYTES + 1)
    except (OSError, UnicodeDecodeError) as error:
        return Unresolved(f"DefinitionUri {uri}, which the pack cannot read ({error})"), uri
    if len(text) > MAX_DEFINITION_BYTES:
        return Unresolved(f"DefinitionUri {uri}, larger than the pack reads"), text
    try:
        return state_machines.parse(path, text), text
    except ValueError as error:
        return Invalid(f"is not valid JSON or YAML: {error}"), text


def state_machine(properties: Any, template: Optional[Template] = None) -> list[Variant]:
    """An AWS::StepFunctions::StateMachine's (or SAM AWS::Serverless::StateMachine's) createCluster states (each
    variant's value: their `Launch`es)."""
    template = template or Template()
    resolver = _Resolver(template)
    key = "DefinitionString" if isinstance(properties, dict) and "DefinitionString" in properties else "Definition"
    substitutions = resolver.value(properties.get("DefinitionSubstitutions")) if isinstance(properties, dict) else None
    uri = properties.get("DefinitionUri") if isinstance(properties, dict) else None
    if key not in properties and isinstance(uri, str) and not uri.startswith("s3://") and template.path:
        definition, text = _definition_file(uri, template)
        return [Variant("", state_machines.launches(_substituted(definition, substitutions), text))]
    variants = []
    for condition, value in _property_branches(properties, key):
        if value is _NO_VALUE:
            continue
        definition = value if isinstance(value, (Invalid, Unresolved)) else resolver.document(value)
        definition = _substituted(definition, substitutions)
        written = json.dumps(value, default=str)
        variants.append(Variant(condition, state_machines.launches(definition, written)))
    return variants
