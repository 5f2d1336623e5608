"""A small, literal-only evaluator of Terraform expressions as hcl2 hands them over (`${...}` strings).

Checkov's own rendering of Terraform values is unreliable for what decides these checks (a `false` default
or a module input may stay the text `var.x`, `null` becomes the string "None", broken JSON is repaired), so
the pack evaluates the source itself: literals, references to variables / locals / count / each, the
operators, conditionals, templates, and the functions real configurations use. Nothing is executed; what
cannot be known statically becomes `Unresolved`, and `maybe_absent` marks values that may turn out null.
"""
from __future__ import annotations

import contextlib
import contextvars
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

from emrsec.jsontext import Segment, split_interpolations
from emrsec.values import ALWAYS_SET, Ref, Unresolved, unresolved_text

MAX_EXPRESSION = 200_000  # characters; longer expressions are not evaluated
MAX_NESTING = 100


class TerraformError(Exception):
    """Terraform itself would reject the expression (e.g. null interpolated into a string)."""


_SKIP = object()  # a for-expression element filtered out by its `if`
_DIRECTIVE = re.compile(r"(?<!%)%\{")


@dataclass(frozen=True)
class _Failed:
    """A Terraform error held back: only a branch taken (or a try() with no better argument) raises it."""

    error: TerraformError




@dataclass(frozen=True)
class Encoded:
    """The result of jsonencode(value): JSON text in Terraform, kept as the value it encodes."""

    value: Any


@dataclass(frozen=True)
class Template:
    """A string template with holes that could not be resolved."""

    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        return "".join(s if isinstance(s, str) else "${" + s.source + "}" for s in self.segments)

    def unresolved(self, quoted: bool = False) -> Unresolved:
        return unresolved_text(f'"{self.text}"' if quoted else self.text, self.segments)


Resolver = Callable[[str, list[Union[str, int]]], Any]  # (root name, attribute path) -> value


@dataclass
class Trace:
    """Which variable or local each object key's value was read from, for messages: `found` maps the key path
    ("EncryptionConfiguration.EnableInTransitEncryption") to the first `var.x` / `local.y` read under it."""

    found: dict[str, str] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)


_TRACE: contextvars.ContextVar[Optional[Trace]] = contextvars.ContextVar("trace", default=None)


@contextlib.contextmanager
def tracing() -> Any:
    """Records, while evaluating, where the values under each object key come from."""
    trace = Trace()
    token = _TRACE.set(trace)
    try:
        yield trace
    finally:
        _TRACE.reset(token)

_TOKEN = re.compile(r"""
    (?P<space>\s+|\#[^\n]*|//[^\n]*|/\*.*?\*/)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<ident>[A-Za-z_][A-Za-z0-9_\-]*)
  | (?P<op>\.\.\.|==|!=|<=|>=|&&|\|\||=>|[?:!<>+\-*/%().\[\]{},=])
""", re.X | re.S)
_PY_ESCAPES = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"', "'": "'", "0": "\0"}


def unescape(body: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "xuU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _SIMPLE_ESCAPES.get(code, "\\" + code)
    return _PY_ESCAPES.sub(one, body)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            raise ValueError(f"unexpected {text[position]!r}")
        position = match.end()
        if match.lastgroup != "space":
            tokens.append((match.lastgroup or "", match.group()))
    return tokens


def is_absent(value: Any) -> bool:
    """Null, empty, or unknown and possibly null or empty."""
    if isinstance(value, Template):
        return value.unresolved().maybe_absent
    return value is None or value == "" or (isinstance(value, Unresolved) and value.maybe_absent)


def is_unknown(value: Any) -> bool:
    return isinstance(value, (Unresolved, Template))


class _Parser:
    """Recursive descent over the tokens, evaluating as it goes (short-circuit where Terraform does)."""

    def __init__(self, text: str, resolve: Resolver, functions: dict[str, Callable[..., Any]]) -> None:
        self.text, self.tokens, self.index = text, _tokens(text), 0
        self.resolve, self.functions, self.depth = resolve, functions, 0

    def peek(self, offset: int = 0) -> tuple[str, str]:
        index = self.index + offset
        return self.tokens[index] if index < len(self.tokens) else ("end", "")

    def take(self, expected: Optional[str] = None) -> tuple[str, str]:
        token = self.peek()
        if expected is not None and token[1] != expected:
            raise ValueError(f"expected {expected!r}, found {token[1]!r}")
        self.index += 1
        return token

    def parse(self) -> Any:
        value = self.expression()
        if self.peek()[0] != "end":
            raise ValueError(f"unexpected {self.peek()[1]!r}")
        return value

    def expression(self) -> Any:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ValueError("expression nests too deeply")
        try:
            condition = self.binary(0)
            if self.peek()[1] != "?":
                return condition
            self.take("?")
            when_true, true_from = self.traced_branch()
            self.take(":")
            when_false, false_from = self.traced_branch()
            condition = as_bool(condition)
            if condition is True or condition is False:
                chosen = when_true if condition else when_false
                if isinstance(chosen, _Failed):
                    raise chosen.error
                trace, chosen_from = _TRACE.get(), true_from if condition else false_from
                if trace is not None and chosen_from:  # the value comes from the branch taken, not the condition
                    trace.found[".".join(trace.keys)] = chosen_from
                return chosen
            if not isinstance(when_true, _Failed) and when_true == when_false and not is_unknown(when_true):
                return when_true
            # an object or list branch may hold empty members: what is read from the result may be empty
            absent = any(isinstance(b, (_Failed, dict, list)) or is_absent(b) for b in (when_true, when_false))
            return Unresolved(f"a conditional on {_describe(condition)}", maybe_absent=absent)
        finally:
            self.depth -= 1

    def traced_branch(self) -> tuple[Any, str]:
        """A conditional's branch, and the variable or local it reads first ('' if none or not tracing)."""
        trace = _TRACE.get()
        if trace is None:
            return self.guarded(), ""
        here = ".".join(trace.keys)
        before = trace.found.pop(here, None)
        value = self.guarded()
        found = trace.found.pop(here, "")
        if before is not None:
            trace.found[here] = before
        return value, found

    def guarded(self) -> Any:
        """An expression whose Terraform error is held back (`_Failed`) for the caller to decide on."""
        try:
            return self.expression()
        except TerraformError as error:
            self.skip_expression()
            return _Failed(error)

    def skip_expression(self) -> None:
        """Moves past the rest of an expression whose evaluation stopped at an error: to the token that ends it
        (a closing bracket, a comma, the `:` of an enclosing conditional, the next object attribute, the end)."""
        depth = conditionals = 0
        while True:
            kind, token = self.peek()
            if kind == "end":
                return
            if depth == 0:
                if token in (")", "]", "}", ",", "=>", "...") or (token == ":" and not conditionals):
                    return
                if kind == "ident" and self.peek(1)[1] in ("=", ":") and self.peek(-1)[1] not in (".", "?", ":"):
                    return  # the next attribute of an object written without commas
            depth += token in ("(", "[", "{")
            depth -= token in (")", "]", "}")
            conditionals += (token == "?") - (token == ":" and depth == 0)
            self.index += 1

    _LEVELS = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%"))

    def binary(self, level: int) -> Any:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek()[0] == "op" and self.peek()[1] in self._LEVELS[level]:
            operator = self.take()[1]
            right = self.binary(level + 1)
            left = _apply(operator, left, right)
        return left

    def unary(self) -> Any:
        if self.peek()[1] in ("!", "-"):
            operator = self.take()[1]
            operand = self.unary()
            if is_unknown(operand):
                return Unresolved(f"{operator}{_describe(operand)}")
            if operator == "!":
                operand = as_bool(operand)
                return (not operand) if isinstance(operand, bool) else operand
            return -operand if isinstance(operand, (int, float)) and not isinstance(operand, bool) else Unresolved("-")
        return self.postfix(self.primary())

    def postfix(self, value: Any) -> Any:
        """Attribute, index and splat accesses; after a splat they apply to each element."""
        splat = False
        while True:
            token = self.peek()[1]
            if token == "." and self.peek(1)[0] in ("ident", "number"):
                self.take()
                value = _each(value, self.take()[1], splat)
            elif token == "[" :
                self.take()
                if self.peek()[1] == "*":
                    self.take()
                    self.take("]")
                    value, splat = _splat(value), True
                else:
                    key = self.expression()
                    self.take("]")
                    value = _each(value, key, splat)
            elif token == "." and self.peek(1)[1] == "*":
                self.take(), self.take()
                value, splat = _splat(value), True
            else:
                return value

    def primary(self) -> Any:
        kind, token = self.take()
        if kind == "number":
            return float(token) if any(c in token for c in ".eE") else int(token)
        if kind == "string":
            return self.template(unescape(token[1:-1]))
        if token == "(":
            value = self.expression()
            self.take(")")
            return value
        if token == "[":
            return self.sequence()
        if token == "{":
            return self.mapping()
        if kind != "ident":
            raise ValueError(f"unexpected {token!r}")
        if token in ("true", "True"):
            return True
        if token in ("false", "False"):
            return False
        if token in ("null", "None"):
            return None
        if self.peek()[1] == "(":
            return self.call(token)
        return self.reference(token)

    def reference(self, root: str) -> Any:
        """A reference root and its static attribute path, resolved as far as it goes."""
        path: list[Union[str, int]] = []
        while self.peek()[1] == "." and self.peek(1)[0] in ("ident", "number"):
            self.take()
            part = self.take()[1]
            path.append(int(part) if part.isdigit() else part)
            if root in ("var", "local", "count", "each", "path") and path:
                break
        trace = _TRACE.get()
        if trace is not None and root in ("var", "local") and path:
            trace.found.setdefault(".".join(trace.keys), f"{root}.{path[0]}")
        return self.resolve(root, path)

    def call(self, name: str) -> Any:
        self.take("(")
        arguments = []
        while self.peek()[1] != ")":
            arguments.append(self.guarded() if name in ("try", "can") else self.expression())
            if self.peek()[1] == "...":
                self.take()
            if self.peek()[1] == ",":
                self.take()
            elif self.peek()[1] != ")":
                raise ValueError(f"expected ',' in {name}()")
        self.take(")")
        if name == "try":
            return _try(arguments)
        if name == "can":
            return _can(arguments)
        function = self.functions.get(name)
        if function is None:
            return Unresolved(f"{name}(...)")
        return function(*arguments)

    def for_expression(self, closing: str) -> Any:
        """`[for v in c : body if cond]` / `{for k, v in c : key => value}`, evaluated per element."""
        self.take()  # for
        names = [self.take()[1]]
        if self.peek()[1] == ",":
            self.take()
            names.append(self.take()[1])
        self.take("in")
        collection = self.expression()
        self.take(":")
        start, depth = self.index, 0
        while self.peek()[0] != "end" and not (depth == 0 and self.peek()[1] == closing):
            token = self.take()[1]
            depth += token in ("(", "[", "{")
            depth -= token in (")", "]", "}")
        body = self.tokens[start:self.index]
        self.take(closing)
        if is_unknown(collection) or not isinstance(collection, (list, dict)):
            return Unresolved(f"a for expression over {_describe(collection)}")
        pairs = list(collection.items()) if isinstance(collection, dict) else list(enumerate(collection))
        results: list[Any] = []
        for key, value in pairs:
            bound = {names[0]: key, names[1]: value} if len(names) == 2 else {names[0]: value}
            item = self._body(body, bound, closing == "}")
            if isinstance(item, Unresolved):
                return item
            if item is not _SKIP:
                results.append(item)
        return dict(results) if closing == "}" else results

    def _body(self, tokens: list[tuple[str, str]], bound: dict[str, Any], as_object: bool) -> Any:
        def resolve(root: str, path: list[Union[str, int]]) -> Any:
            if root not in bound:
                return self.resolve(root, path)
            value = bound[root]
            for part in path:
                value = element(value, part)
            return value
        parser = _Parser("", resolve, self.functions)
        parser.tokens, parser.depth = tokens, self.depth
        key = parser.expression() if as_object else None
        if as_object:
            parser.take("=>")
        value = parser.expression()
        if parser.peek()[1] == "...":
            return Unresolved("a for expression grouping results (...)")
        if parser.peek() == ("ident", "if"):
            parser.take()
            condition = parser.expression()
            if is_unknown(condition):
                return Unresolved(f"a for expression filtered by {_describe(condition)}")
            if condition is not True:
                return _SKIP
        if parser.peek()[0] != "end":
            raise ValueError("unexpected tokens in a for expression")
        if as_object:
            return Unresolved("a for expression with a computed key") if not isinstance(key, str) else (key, value)
        return value

    def sequence(self) -> Any:
        if self.peek() == ("ident", "for"):
            return self.for_expression("]")
        items = []
        while self.peek()[1] != "]":
            items.append(self.expression())
            if self.peek()[1] == ",":
                self.take()
        self.take("]")
        return items

    def mapping(self) -> Any:
        if self.peek() == ("ident", "for"):
            return self.for_expression("}")
        result: dict[str, Any] = {}
        unresolved_key = False
        while self.peek()[1] != "}":
            kind, token = self.peek()
            if kind == "ident" and self.peek(1)[1] in ("=", ":"):
                self.take()
                key: Any = token
            else:
                key = self.expression()
            self.take()  # '=' or ':'
            trace = _TRACE.get()
            if trace is not None and isinstance(key, str):
                trace.keys.append(key)
            try:
                value = self.expression()
            finally:
                if trace is not None and isinstance(key, str):
                    trace.keys.pop()
            if isinstance(key, str):
                result[key] = value
            else:
                unresolved_key = True
            if self.peek()[1] == ",":
                self.take()
        self.take("}")
        return Unresolved("an object with a computed key") if unresolved_key else result

    def template(self, text: str) -> Any:
        return evaluate_template(text, self.resolve, self.functions)


def deep_unknown(value: Any, depth: int = 0) -> bool:
    """Whether anything inside a value is unknown (bounded: past the bound, assume it is)."""
    if depth > MAX_NESTING:
        return True
    if is_unknown(value):
        return True
    if isinstance(value, dict):
        return any(deep_unknown(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(deep_unknown(v, depth + 1) for v in value)
    return False


def _try(arguments: list[Any]) -> Any:
    """try(): the first argument without an error; an unknown one may or may not fail, so the result is unknown.
    A reference to a resource that is created (`try(aws_x.this[0].name, null)` where count is 1) does not fail;
    one to an instance of a resource whose count is unknown may."""
    for index, argument in enumerate(arguments):
        if isinstance(argument, _Failed):
            continue
        if is_unknown(argument) and not (isinstance(argument, Ref) and not argument.uncertain):
            fallbacks = [a for a in arguments[index + 1:] if not isinstance(a, _Failed)]
            return Unresolved(f"try() of {_describe(argument)}",
                              maybe_absent=is_absent(argument) or any(is_absent(a) for a in fallbacks))
        return argument
    raise TerraformError("try() has no argument without an error")


def _can(arguments: list[Any]) -> Any:
    if len(arguments) != 1:
        raise TerraformError("can() takes one argument")
    if isinstance(arguments[0], _Failed):
        return False
    return Unresolved("can() of a value unknown before deploy") if deep_unknown(arguments[0]) else True


def _describe(value: Any) -> str:
    if isinstance(value, Unresolved):
        return value.source
    if isinstance(value, Template):
        return f'"{value.text}"'
    return json.dumps(value, default=str)


def element(value: Any, key: Any) -> Any:
    """`value[key]` or `value.key`, as Terraform reads it (an error Terraform would stop at raises TerraformError)."""
    if isinstance(value, Ref) and value.attribute:  # an attribute of a resource, read further
        if value.attribute in ALWAYS_SET:  # a string: Terraform's error, which try() catches
            raise TerraformError(f"{value.source} is a string: it has no element {json.dumps(key, default=str)}")
        return Unresolved(f"{value.source}[{json.dumps(key, default=str)}]", maybe_absent=True)
    if isinstance(value, Ref) and isinstance(key, str) and not key.isdigit():
        return value.read(key)
    if is_unknown(value):
        return value if isinstance(value, Unresolved) else value.unresolved()
    if is_unknown(key):
        return Unresolved(f"an index by {_describe(key)}")
    if isinstance(value, dict) and isinstance(key, str) and key in value:
        return value[key]
    if isinstance(value, list) and isinstance(key, (int, str)) and str(key).isdigit() and int(key) < len(value):
        return value[int(key)]
    raise TerraformError(f"has no element {json.dumps(key, default=str)}")


def _splat(value: Any) -> Any:
    """`value[*]`: a list as it is, null as [], any other known value as a one-element list."""
    if isinstance(value, list):
        return value
    if is_unknown(value):
        return Unresolved("a splat expression")  # it may be an empty list
    return [] if value is None else [value]


def _each(value: Any, key: Any, splat: bool) -> Any:
    if splat and isinstance(value, list):
        return [element(item, key) for item in value]
    return element(value, key)


def as_bool(value: Any) -> Any:
    """Terraform's conversion to bool: true/false, or the strings "true"/"false"; unknown stays unknown."""
    if isinstance(value, bool) or is_unknown(value):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise TerraformError(f"uses {_describe(value)} where a bool is required")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _equal(left: Any, right: Any) -> bool:
    if _number(left) and _number(right):
        return float(left) == float(right)
    return type(left) is type(right) and left == right


def _apply(operator: str, left: Any, right: Any) -> Any:
    if operator in ("&&", "||"):
        left, right = as_bool(left), as_bool(right)
        for side in (left, right):  # a definite false / true decides even if the other side is unknown
            if side is (operator == "||"):
                return side
        if is_unknown(left) or is_unknown(right):
            return Unresolved(f"{_describe(left)} {operator} {_describe(right)}")
        return (left and right) if operator == "&&" else (left or right)
    if deep_unknown(left) or deep_unknown(right):
        return Unresolved(f"{_describe(left)} {operator} {_describe(right)}")
    if operator == "==":
        return _equal(left, right)
    if operator == "!=":
        return not _equal(left, right)
    try:
        return {"<": lambda: left < right, ">": lambda: left > right, "<=": lambda: left <= right,
                ">=": lambda: left >= right, "+": lambda: left + right, "-": lambda: left - right,
                "*": lambda: left * right, "/": lambda: left / right, "%": lambda: left % right}[operator]()
    except Exception:
        return Unresolved(f"{_describe(left)} {operator} {_describe(right)}")


def as_text(value: Any) -> Union[str, Unresolved]:
    """A value interpolated into a string, as Terraform converts it."""
    if value is None:
        raise TerraformError("interpolates a null value into a string")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    if isinstance(value, Encoded):
        encoded = encode(value.value)
        return encoded if isinstance(encoded, str) else encoded
    if isinstance(value, Template):
        return value.unresolved()
    if isinstance(value, Unresolved):
        return value
    raise TerraformError("interpolates a list or object into a string")


def encode(value: Any) -> Union[str, Unresolved]:
    """jsonencode() to text, or Unresolved if anything inside is unknown."""
    def plain(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: plain(v) for k, v in node.items()}
        if isinstance(node, list):
            return [plain(v) for v in node]
        if isinstance(node, Encoded):
            return encode(node.value)
        if is_unknown(node):
            raise _Unknowable()
        return node
    try:
        return json.dumps(plain(value))
    except _Unknowable:
        return Unresolved("jsonencode() of values unknown before deploy")


class _Unknowable(Exception):
    pass


def evaluate_template(text: str, resolve: Resolver, functions: dict[str, Callable[..., Any]]) -> Any:
    """A string template: a lone `${expr}` keeps its value's type; otherwise text, or a Template with holes."""
    if "${" not in text and "%{" not in text:
        return text
    if _DIRECTIVE.search(text):
        return Unresolved("a template with directives (%{...})")
    pieces = split_interpolations(text, escapes=True)
    if len(pieces) == 1 and pieces[0][0]:
        return evaluate_expression(pieces[0][1], resolve, functions)
    segments: list[Segment] = []
    untraced = _TRACE.set(None)  # text with holes (a JSON heredoc): which key a hole fills is not known here
    try:
        for is_interpolation, part in pieces:
            segments.append(as_text(evaluate_expression(part, resolve, functions)) if is_interpolation else part)
    finally:
        _TRACE.reset(untraced)
    if sum(len(s) for s in segments if isinstance(s, str)) > MAX_EXPRESSION:
        return Unresolved("a string too long to evaluate")  # e.g. locals that each double the one before
    if all(isinstance(s, str) for s in segments):
        return "".join(segments)  # type: ignore[arg-type]
    merged: list[Segment] = []
    for segment in segments:
        if isinstance(segment, str) and merged and isinstance(merged[-1], str):
            merged[-1] += segment
        else:
            merged.append(segment)
    return Template(tuple(merged))


def evaluate_expression(text: str, resolve: Resolver, functions: dict[str, Callable[..., Any]]) -> Any:
    if len(text) > MAX_EXPRESSION:
        return Unresolved("an expression too long to evaluate")
    try:
        return _Parser(text, resolve, functions).parse()
    except TerraformError:
        raise
    except (ValueError, RecursionError, IndexError, KeyError, TypeError):
        shown = text.strip() if len(text) < 60 else text.strip()[:57] + "..."
        return Unresolved(shown)


def evaluate_value(value: Any, resolve: Resolver, functions: dict[str, Callable[..., Any]], depth: int = 0) -> Any:
    """A value as hcl2 reads it: containers of literals whose strings are templates."""
    if depth > MAX_NESTING:
        return Unresolved("a value nested too deeply")
    if isinstance(value, str):
        return evaluate_template(value, resolve, functions)
    if isinstance(value, dict):
        return {k: evaluate_value(v, resolve, functions, depth + 1) for k, v in value.items()
                if not (isinstance(k, str) and k.startswith("__") and k.endswith("__"))}
    if isinstance(value, list):
        return [evaluate_value(v, resolve, functions, depth + 1) for v in value]
    return value
