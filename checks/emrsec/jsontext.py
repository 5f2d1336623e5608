"""JSON text to the normalized model, including text with holes (template parts that cannot be resolved)."""
from __future__ import annotations

import json
import re
from typing import Any, Callable, Union

from emrsec.values import Invalid, Unresolved, unresolved_text

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
        parts = [holes[int(part)] if index % 2 else part for index, part in enumerate(_HOLE.split(text))]
        return unresolved_text('"' + _HOLE.sub(lambda m: "${" + holes[int(m.group(1))].source + "}", text) + '"', parts)

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


def _closing_brace(text: str, start: int) -> int:
    """Index of the `}` that closes the interpolation opened before `start`, skipping quoted strings; -1 if none."""
    depth, index, quote = 1, start, ""
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


_OPENERS = {False: re.compile(r"\$\{"), True: re.compile(r"\$\$\{|%%\{|\$\{")}


def split_interpolations(text: str, escapes: bool = False) -> list[tuple[bool, str]]:
    """Splits text at `${...}` (braces balanced, quoted strings skipped): [(is_interpolation, inner_or_literal)].

    `escapes`: Terraform's `$${` and `%%{` stand for literal `${` and `%{`.
    """
    pieces: list[tuple[bool, str]] = []
    literal: list[str] = []
    index, opener = 0, _OPENERS[escapes]
    while (match := opener.search(text, index)) is not None:
        literal.append(text[index:match.start()])
        token = match.group()
        end = _closing_brace(text, match.end()) if token == "${" else -1
        if end < 0:
            literal.append(token[1:] if token != "${" else token)
            index = match.end()
            continue
        if any(literal):
            pieces.append((False, "".join(literal)))
        literal = []
        pieces.append((True, text[match.end():end]))
        index = end + 1
    literal.append(text[index:])
    if any(literal):
        pieces.append((False, "".join(literal)))
    return pieces
