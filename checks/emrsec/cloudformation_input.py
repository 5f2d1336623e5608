"""CloudFormation (YAML/JSON, SAM, CDK output) resource properties reduced to the normalized model."""
from __future__ import annotations

import itertools
from typing import Any

from emrsec.jsontext import MAX_DEPTH, Segment, parse_json, parse_with_holes, split_interpolations
from emrsec.values import Invalid, Unresolved, Variant

MAX_VARIANTS = 64  # Fn::If combinations evaluated; beyond that the configuration is undecidable
_INJECTED_KEYS = frozenset({"__file__", "__startline__", "__endline__"})
_NO_VALUE = object()  # !Ref AWS::NoValue: the property is removed
Branches = list[tuple[tuple[str, ...], Any]]


class _TooManyVariants(Exception):
    pass


def _branches(node: Any, depth: int = 0) -> Branches:
    """Every way Fn::If can resolve inside `node`: [(conditions taken, node without Fn::If)]."""
    if depth > MAX_DEPTH:
        return [((), node)]
    if isinstance(node, dict):
        node = {k: v for k, v in node.items() if k not in _INJECTED_KEYS}
        if_args = node.get("Fn::If") if len(node) == 1 else None
        if isinstance(if_args, list) and len(if_args) == 3 and isinstance(if_args[0], str):
            condition = if_args[0]
            taken = [((f"{condition} is true",) + c, v) for c, v in _branches(if_args[1], depth + 1)]
            taken += [((f"{condition} is false",) + c, v) for c, v in _branches(if_args[2], depth + 1)]
            return _bounded(taken)
        keys = list(node)
        return _combine([_branches(node[k], depth + 1) for k in keys], lambda values: dict(zip(keys, values)))
    if isinstance(node, list):
        return _combine([_branches(item, depth + 1) for item in node], list)
    return [((), node)]


def _bounded(branches: Branches) -> Branches:
    if len(branches) > MAX_VARIANTS:
        raise _TooManyVariants()
    return branches


def _combine(children: list[Branches], build: Any) -> Branches:
    if all(len(child) == 1 for child in children):
        return [(tuple(itertools.chain.from_iterable(c[0][0] for c in children)), build([c[0][1] for c in children]))]
    product = 1
    for child in children:
        product *= len(child)
        if product > MAX_VARIANTS:
            raise _TooManyVariants()
    return [(tuple(itertools.chain.from_iterable(c for c, _ in combo)), build([v for _, v in combo]))
            for combo in itertools.product(*children)]


def _sub_segments(arguments: Any, defaults: dict[str, str]) -> list[Segment] | Unresolved:
    """Fn::Sub as text with holes: literal `${!x}`, variables from its map, everything else unresolved."""
    if isinstance(arguments, list) and len(arguments) == 2 and isinstance(arguments[1], dict):
        template, variables = arguments
    else:
        template, variables = arguments, {}
    if not isinstance(template, str):
        return Unresolved("!Sub with a template that is not a string")
    segments: list[Segment] = []
    for is_interpolation, part in split_interpolations(template):
        if not is_interpolation:
            segments.append(part)
        elif part.startswith("!"):
            segments.append("${" + part[1:] + "}")
        else:
            value = (_resolve(variables.get(part), 1, defaults) if part in variables
                     else defaults.get(part, Unresolved("${" + part + "}")))
            segments.append(value if isinstance(value, (str, Unresolved)) else Unresolved("${" + part + "}"))
    return segments


def _join_segments(arguments: Any, defaults: dict[str, str]) -> list[Segment] | Unresolved:
    if not (isinstance(arguments, list) and len(arguments) == 2 and isinstance(arguments[0], str)
            and isinstance(arguments[1], list)):
        return Unresolved("!Join over a list that cannot be resolved")
    segments: list[Segment] = []
    for index, item in enumerate(arguments[1]):
        if index:
            segments.append(arguments[0])
        pieces = _text_segments(item, defaults)
        if pieces is None:
            value = _resolve(item, 1, defaults)
            pieces = [value if isinstance(value, (str, Unresolved)) else Unresolved("a !Join item")]
        segments.extend(pieces) if isinstance(pieces, list) else segments.append(pieces)
    return segments


def _text_segments(node: Any, defaults: dict[str, str]) -> list[Segment] | Unresolved | None:
    """Fn::Sub / Fn::Join as text segments; None for anything else."""
    if isinstance(node, dict) and len(node) == 1:
        if "Fn::Sub" in node:
            return _sub_segments(node["Fn::Sub"], defaults)
        if "Fn::Join" in node:
            return _join_segments(node["Fn::Join"], defaults)
    return None


def _describe_intrinsic(name: str, argument: Any) -> str:
    if name == "Ref":
        return f"!Ref {argument}"
    if name == "Fn::GetAtt":
        return "!GetAtt " + (".".join(map(str, argument)) if isinstance(argument, list) else str(argument))
    return f"{name} ({str(argument)[:60]})"


def _resolve(node: Any, depth: int, defaults: dict[str, str]) -> Any:
    """Intrinsics to values or `Unresolved`; `!Ref AWS::NoValue` removes the property."""
    if depth > MAX_DEPTH:
        return node
    if isinstance(node, dict):
        node = {k: v for k, v in node.items() if k not in _INJECTED_KEYS}
        if len(node) == 1:
            (name, argument), = node.items()
            if name == "Ref" and argument == "AWS::NoValue":
                return _NO_VALUE
            segments = _text_segments(node, defaults)
            if segments is not None:
                if isinstance(segments, Unresolved):
                    return segments
                if all(isinstance(s, str) for s in segments):
                    return "".join(segments)  # type: ignore[arg-type]
                return Unresolved("!Sub/!Join of " + "".join(s if isinstance(s, str) else "${" + s.source + "}"
                                                              for s in segments))
            if name == "Ref" or name.startswith("Fn::") or name == "Condition":
                return Unresolved(_describe_intrinsic(name, argument))
        resolved = {k: _resolve(v, depth + 1, defaults) for k, v in node.items()}
        return {k: v for k, v in resolved.items() if v is not _NO_VALUE}
    if isinstance(node, list):
        return [v for v in (_resolve(item, depth + 1, defaults) for item in node) if v is not _NO_VALUE]
    return node


def _document(node: Any, defaults: dict[str, str]) -> Any:
    """The SecurityConfiguration property: an object, a JSON string, or JSON text built by Fn::Sub / Fn::Join."""
    segments = _text_segments(node, defaults)
    if isinstance(segments, list):
        return _resolve(parse_with_holes(segments), 0, defaults)
    resolved = _resolve(node, 0, defaults)
    if resolved is _NO_VALUE:
        return Invalid("is removed by !Ref AWS::NoValue")
    if isinstance(resolved, str):
        return parse_json(resolved)
    return resolved


def _variants(properties: Any, key: str) -> list[Variant]:
    if not isinstance(properties, dict):
        return [Variant("", Invalid("cannot be read: Properties is not an object"))]
    try:
        branches = _branches(properties.get(key)) if key in properties else [((), _NO_VALUE)]
    except (_TooManyVariants, RecursionError):
        return [Variant("", Unresolved(f"more than {MAX_VARIANTS} Fn::If combinations"))]
    return [Variant(" and ".join(conditions), value) for conditions, value in branches]


def security_configuration(properties: Any, parameter_defaults: dict[str, str]) -> list[Variant]:
    """`parameter_defaults`: the template's parameters that have a Default, for `${Name}` inside Fn::Sub."""
    return [Variant(v.condition, Invalid("is missing: set the SecurityConfiguration property")
                    if v.value is _NO_VALUE else _document(v.value, parameter_defaults))
            for v in _variants(properties, "SecurityConfiguration")]


def cluster(properties: Any) -> list[Variant]:
    variants = []
    for v in _variants(properties, "SecurityConfiguration"):
        value = _resolve(v.value, 0, {}) if v.value is not _NO_VALUE else _NO_VALUE
        variants.append(Variant(v.condition, {} if value is _NO_VALUE else {"SecurityConfiguration": value}))
    return variants
