"""Terraform expressions the evaluator computes, each against the result Terraform's documentation gives
(https://developer.hashicorp.com/terraform/language/functions), and what stays unknown or may be empty."""
from __future__ import annotations

from typing import Any, Union

import pytest

from emrsec.sources import ModuleFiles
from emrsec.terraform_expressions import TerraformError, evaluate_expression, is_absent
from emrsec.terraform_functions import table
from emrsec.values import Ref, Unresolved

VARIABLES = {"empty": "", "none": None, "key": "arn:aws:kms:eu-west-1:111122223333:key/abc", "on": True,
             "keys": [], "unknown": Unresolved("var.unknown"),
             "arn": Unresolved("aws_kms_key.k.arn", maybe_absent=False),
             "created": Ref("aws_emr_security_configuration.this[0].name", address="aws_emr_security_configuration.this",
                            attribute="name"),
             "maybe": Ref("aws_emr_security_configuration.maybe[0].name", address="aws_emr_security_configuration.maybe",
                          attribute="name", uncertain=True)}


def _resolve(root: str, path: list[Union[str, int]]) -> Any:
    if root == "var":
        return VARIABLES[str(path[0])]
    return Unresolved(".".join([root, *map(str, path)]))


def evaluate(text: str) -> Any:
    return evaluate_expression(text, _resolve, table(ModuleFiles("/nonexistent", "/nonexistent")))


@pytest.mark.parametrize(("expression", "expected"), [
    # replace: a /regex/ search is a regular expression, $n / ${name} its captures
    ('replace("hello world", "/w.*d/", "everybody")', "hello everybody"),
    ('replace(var.key, "/key\\\\/(\\\\w+)/", "alias/$1")', "arn:aws:kms:eu-west-1:111122223333:alias/abc"),
    ('replace("1 + 2 + 3", "+", "-")', "1 - 2 - 3"),
    ('replace("a-b", "/(?P<x>-)/", "[$${x}]")', "a[-]b"),
    # format verbs
    ('format("Hello, %s!", "Ander")', "Hello, Ander!"),
    ('format("%t", true)', "true"),
    ('format("%q", "x")', '"x"'),
    ('format("There are %d lights", 4)', "There are 4 lights"),
    # trimming and splitting
    ('trimsuffix("helloworld", "world")', "hello"),
    ('trimprefix("helloworld", "hello")', "world"),
    ('trimsuffix(var.empty, "x")', ""),
    ('split(",", "foo,bar,baz")', ["foo", "bar", "baz"]),
    ('split(",", "")', [""]),
    ('compact(["a", "", "b", null, "c"])', ["a", "b", "c"]),
    # splats: a list as it is, null as [], a value as a one-element list
    ("var.none[*]", []),
    ('"a"[*]', ["a"]),
    ('join("", var.keys[*])', ""),
    ("one(var.keys)", None),
    # a conditional whose untaken branch would be an error
    ('false ? var.keys[0] : "b"', "b"),
    ('true ? "a" : var.keys[0].arn', "a"),
    ('try(var.keys[0].arn, "fallback")', "fallback"),
    ('{ a = true ? "x" : var.keys[0].z\n b = 1 }', {"a": "x", "b": 1}),
    # coalesce: the first non-null, non-empty argument
    ('coalesce(var.empty, var.none, "b")', "b"),
    ("coalesce(var.none, var.arn)", Unresolved("aws_kms_key.k.arn", maybe_absent=False)),
])
def test_terraform_result(expression: str, expected: Any) -> None:
    assert evaluate(expression) == expected


@pytest.mark.parametrize(("expression", "may_be_empty"), [
    ("var.arn", False),  # a resource attribute exists once deployed
    ('"arn:${var.unknown}"', False),  # text around an unknown part
    ("var.unknown", True),
    ("var.keys[*]", False),
    ('join("", var.unknown[*])', True),  # a splat over what may be an empty list
    ('one(var.unknown)', True),
    ("unknownfunction(var.key)", True),
    ('var.on ? var.arn : null', False),
    ('var.unknown ? var.arn : null', True),
    ('try(var.unknown.x, "")', True),
    ("coalesce(var.unknown, var.arn)", False),
    ("coalesce(var.unknown, var.none)", True),
])
def test_present_or_possibly_empty(expression: str, may_be_empty: bool) -> None:
    assert is_absent(evaluate(expression)) is may_be_empty


def test_an_error_in_the_branch_taken_is_terraform_s_error() -> None:
    with pytest.raises(TerraformError):
        evaluate('true ? var.keys[0] : "b"')


def test_try_of_a_created_resource_is_that_resource() -> None:
    """terraform-aws-modules' outputs: try(aws_x.this[0].name, null) where count made instance 0, which cannot fail."""
    assert evaluate("try(var.created, null)") == VARIABLES["created"]
    assert is_absent(evaluate("try(var.maybe, null)"))  # an instance of a resource whose count is unknown
    assert is_absent(evaluate("try(var.unknown, null)"))
