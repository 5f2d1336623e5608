"""JSON text to the normalized model, including text with holes (template parts that cannot be resolved)."""
from __future__ import annotations

import json
import re
from typing import Any, Callable, Union

from emrsec.values import Invalid, Unresolved

Segment = Union[str, Unresolved]
MAX_DEPTH = 64  # far deeper than any EMR configuration; below it the policy reads nothing
_HOLE = re.compile("\ue000(\\d+)\ue001")


def parse_json(text: str) -> Any:
    """Parsed JSON, or `Invalid` quoting the parse error with its line and column."""
    if not text.strip():
        return Invalid("is empty: write the security configuration as a JSON object")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        return Invalid(f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}")
    except RecursionError:
        return Invalid("is nested too deeply to parse: it cannot be a security configuration")


def _after(text: str, in_string: bool, escaped: bool) -> tuple[bool, bool]:
    """Whether the JSON text continues inside a string after `text`."""
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and in_string:
            escaped = True
        elif char == '"':
            in_string = not in_string
    return in_string, escaped


def parse_with_holes(segments: list[Segment]) -> Any:
    """Parses JSON text whose unresolved parts stand as holes: a hole becomes an `Unresolved` leaf.

    A hole inside a JSON string makes that whole string unresolved (still 'present'); a hole where a
    JSON value stands (`"Flag": ${Param}`) becomes an unresolved value instead of a syntax error.
    """
    holes = [s for s in segments if isinstance(s, Unresolved)]
    if not holes:
        return parse_json("".join(segments))  # type: ignore[arg-type]
    parts: list[str] = []
    in_string, escaped, index = False, False, 0
    for segment in segments:
        if isinstance(segment, str):
            parts.append(segment)
            in_string, escaped = _after(segment, in_string, escaped)
        else:
            token = f"\ue000{index}\ue001"
            parts.append(token if in_string else f'"{token}"')
            index += 1
    parsed = parse_json("".join(parts))
    if isinstance(parsed, Invalid):
        return parsed

    def fill(text: str) -> Any:
        if "\ue000" not in text:
            return text
        whole = _HOLE.fullmatch(text)
        if whole:
            return holes[int(whole.group(1))]
        return Unresolved('"' + _HOLE.sub(lambda m: "${" + holes[int(m.group(1))].source + "}", text) + '"')

    return map_leaves(parsed, lambda leaf: fill(leaf) if isinstance(leaf, str) else leaf)


def map_leaves(tree: Any, leaf: Callable[[Any], Any], drop_key: Callable[[str], bool] = lambda key: False,
               depth: int = 0) -> Any:
    """Applies `leaf` to every leaf down to MAX_DEPTH (deeper parts stay as they are: nothing reads them)."""
    if depth > MAX_DEPTH:
        return tree
    if isinstance(tree, dict):
        return {k: map_leaves(v, leaf, drop_key, depth + 1) for k, v in tree.items()
                if not (isinstance(k, str) and drop_key(k))}
    if isinstance(tree, list):
        return [map_leaves(v, leaf, drop_key, depth + 1) for v in tree]
    return leaf(tree)


def split_interpolations(text: str, opener: str = "${") -> list[tuple[bool, str]]:
    """Splits text at `${...}` (balanced braces): [(is_interpolation, inner_or_literal), ...]."""
    pieces: list[tuple[bool, str]] = []
    start = 0
    while True:
        begin = text.find(opener, start)
        if begin < 0:
            break
        depth, end = 0, begin + len(opener) - 1
        while end < len(text):
            if text[end] == "{":
                depth += 1
            elif text[end] == "}":
                depth -= 1
                if depth == 0:
                    break
            end += 1
        if end >= len(text):
            break  # unbalanced: the rest is literal
        if begin > start:
            pieces.append((False, text[start:begin]))
        pieces.append((True, text[begin + len(opener):end]))
        start = end + 1
    if start < len(text):
        pieces.append((False, text[start:]))
    return pieces
