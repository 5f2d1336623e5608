"""Properties of the policy and the adapters over generated input (hypothesis): never raise, never a false pass."""
from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emrsec import cloudformation_input, terraform_input
from emrsec.policy import KNOWN_KEYS, Outcome, evaluate
from emrsec.values import Variant
from test_policy import AT_REST, DISK, ENC, S3, TLS, good

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])
json_leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20)
json_values = st.recursive(json_leaves, lambda inner: st.lists(inner, max_size=4) |
                           st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=30)
# Trees shaped like security configurations, so that generation reaches deep into the policy's reads.
KEYS = st.sampled_from(sorted(KNOWN_KEYS) + ["x", "enableAtRestEncryption", "EncryptionMode "])
shaped = st.recursive(json_leaves | st.sampled_from(["SSE-KMS", "sse-s3", "AwsKms", "PEM", "EMR", "true", "TRUE"]),
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=5),
                      max_leaves=40)

# A required field, and the checks that must fail when it is removed, emptied or nulled.
REQUIRED = {
    f"{ENC}.EnableAtRestEncryption": {1, 3, 4, 5, 6},
    f"{ENC}.EnableInTransitEncryption": {2},
    f"{ENC}.AtRestEncryptionConfiguration": {1, 3, 4, 5, 6},
    f"{ENC}.InTransitEncryptionConfiguration": {2},
    f"{S3}.EncryptionMode": {3, 6},
    f"{S3}.AwsKmsKey": {3, 6},
    f"{DISK}.EncryptionKeyProviderType": {4, 5},
    f"{DISK}.AwsKmsKey": {4, 5},
    f"{DISK}.EnableEbsEncryption": {5},
    f"{TLS}.CertificateProviderType": {2},
    f"{TLS}.S3Object": {2},
    ENC: {1, 2, 3, 4, 5, 6},
}
FLAGS = [f"{ENC}.EnableAtRestEncryption", f"{ENC}.EnableInTransitEncryption", f"{DISK}.EnableEbsEncryption"]
REMOVE = object()


def outcomes(config: Any) -> dict[int, Outcome]:
    return {n: v.outcome for n, v in evaluate([Variant("", config)]).items()}


def _set(config: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `config` with the value at a dotted path replaced (REMOVE deletes it)."""
    config = copy.deepcopy(config)
    *parents, last = path.split(".")
    node = config
    for key in parents:
        node = node[key]
    if value is REMOVE:
        del node[last]
    else:
        node[last] = value
    return config


def mutated(path: str, value: Any) -> dict[str, Any]:
    return _set(good(), path, value)


@settings(max_examples=3000, **SETTINGS)
@given(json_values)
def test_policy_never_raises_on_any_json_value(value: Any) -> None:
    result = outcomes(value)
    assert set(result) == set(range(1, 8))


@settings(max_examples=3000, **SETTINGS)
@given(shaped)
def test_policy_never_raises_and_never_passes_without_the_flag(value: Any) -> None:
    result = outcomes({ENC: value} if isinstance(value, dict) else value)
    encryption = value if isinstance(value, dict) else {}
    at_rest = encryption.get("EnableAtRestEncryption")
    if not (at_rest is True or (isinstance(at_rest, str) and at_rest.lower() == "true")):
        assert all(result[n] is not Outcome.PASSED for n in (1, 3, 4, 5, 6))


@settings(max_examples=1500, **SETTINGS)
@given(st.text(max_size=300) | json_values.map(json.dumps))
def test_any_string_as_a_configuration_never_raises(text: str) -> None:
    for variants in (cloudformation_input.security_configuration({"SecurityConfiguration": text}, {}),
                     terraform_input.security_configuration({"configuration": [text]}, None, "aws_x.y")):
        assert set(outcomes(variants[0].value) if len(variants) == 1 else range(1, 8)) == set(range(1, 8))


@settings(max_examples=1000, **SETTINGS)
@given(st.sampled_from(sorted(REQUIRED)), st.sampled_from([REMOVE, "", None, [], 0, {}]))
def test_removing_or_emptying_a_required_field_fails_its_checks(path: str, value: Any) -> None:
    result = outcomes(mutated(path, value))
    for number in REQUIRED[path]:
        assert result[number] is Outcome.FAILED, (path, value, number)
    for number in set(range(1, 7)) - REQUIRED[path] - ({1} if path.startswith(S3) or path.startswith(DISK) else set()):
        assert result[number] is Outcome.PASSED, (path, value, number)
    assert result[7] is Outcome.PASSED


@settings(max_examples=500, **SETTINGS)
@given(st.sampled_from(FLAGS), st.sampled_from([False, "false", "False", REMOVE, 0, 1, "yes", None, "on", "true "]))
def test_a_flag_that_is_not_true_fails(path: str, value: Any) -> None:
    result = outcomes(mutated(path, value))
    assert any(outcome is Outcome.FAILED for outcome in result.values())
    assert Outcome.UNKNOWN not in result.values()


@settings(max_examples=500, **SETTINGS)
@given(st.lists(st.tuples(st.sampled_from("tT"), st.sampled_from("rR"), st.sampled_from("uU"), st.sampled_from("eE")),
                min_size=3, max_size=3))
def test_true_spelled_in_any_case_passes(spellings: list[tuple[str, ...]]) -> None:
    config = good()
    for path, letters in zip(FLAGS, spellings):
        config = _set(config, path, "".join(letters))
    assert set(outcomes(config).values()) == {Outcome.PASSED}



@settings(max_examples=1000, **SETTINGS)
@given(st.dictionaries(st.text(min_size=1, max_size=20).filter(lambda k: k not in KNOWN_KEYS), json_values,
                       min_size=1, max_size=4))
def test_unrelated_sections_change_nothing(extra: dict[str, Any]) -> None:
    for base in (good(), mutated(f"{S3}.EncryptionMode", "SSE-S3"), mutated(AT_REST, REMOVE)):
        assert outcomes({**extra, **base}) == outcomes(base)
