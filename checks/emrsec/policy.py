"""What is encrypted: the one place that decides, over the normalized model of `values`.

Pure functions, no Checkov: `evaluate(variants)` returns a `Verdict` per check id. Three-valued logic
throughout: a definite failure wins over an unknown, an unknown wins over a pass.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Iterable, Mapping

from emrsec.model import ABSENT, NOWHERE, KmsKey, Launch, Project
from emrsec.values import Invalid, Ref, Unresolved, Variant, describe, type_name


class Outcome(Enum):
    PASSED = "PASSED"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    path: str = ""  # the JSON path that is wrong, missing or unresolved ("" when passed)
    reason: str = ""  # what is wrong there

    @property
    def message(self) -> str:
        return f"{self.path} {self.reason}" if self.path else self.reason


PASS = Verdict(Outcome.PASSED)
NOT_CREATED = "is not created"  # count = 0: nothing is deployed, nothing to report
ROOT = "configuration"
ENC = "EncryptionConfiguration"
AT_REST_KEYS = ("EnableAtRestEncryption", "EnableInTransitEncryption", "AtRestEncryptionConfiguration",
                "InTransitEncryptionConfiguration")
S3_MODES = ("SSE-S3", "SSE-KMS", "CSE-KMS", "CSE-Custom")
KMS_MODES = ("SSE-KMS", "CSE-KMS")
LOCAL_DISK_PROVIDERS = ("AwsKms", "Custom")
CERTIFICATE_PROVIDERS = ("PEM", "Custom", "EMR")
KNOWN_KEYS = frozenset({
    ENC, *AT_REST_KEYS, "S3EncryptionConfiguration", "LocalDiskEncryptionConfiguration", "TLSCertificateConfiguration",
    "EncryptionMode", "AwsKmsKey", "S3Object", "EncryptionKeyProviderClass", "Overrides", "BucketName",
    "EncryptionKeyProviderType", "EnableEbsEncryption", "CertificateProviderType", "CertificateProviderClass",
    "EMRWALEncryptionConfiguration", "AuthenticationConfiguration", "AuthorizationConfiguration",
    "InstanceMetadataServiceConfiguration"})


class _Stop(Exception):
    """Carries a non-passing verdict out of a chain of reads; never leaves this module."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict.message)
        self.verdict = verdict


def _fail(path: str, reason: str) -> _Stop:
    return _Stop(Verdict(Outcome.FAILED, path, reason))


def _unknown(path: str, value: Unresolved) -> _Stop:
    return _Stop(Verdict(Outcome.UNKNOWN, path, f"is {value.source}, which cannot be resolved before deploy"))


def _join(parent: str, key: str) -> str:
    return key if parent == ROOT else f"{parent}.{key}"


def _missing_reason(node: Mapping[str, Any], key: str, parent: str) -> str:
    """'is missing', naming the key the author probably meant to write (the EMR API rejects unknown keys)."""
    keys = [k for k in node if isinstance(k, str)]
    same_case = [k for k in keys if k.lower() == key.lower()]
    if same_case:
        return f'is missing (found "{same_case[0]}": key names are case-sensitive)'
    if parent == ROOT and key == ENC and any(k in node for k in AT_REST_KEYS):
        return f"is missing (the encryption keys are at the top level: they belong inside {ENC})"
    close = difflib.get_close_matches(key, [k for k in keys if k not in KNOWN_KEYS], n=1, cutoff=0.8)
    if close:
        return f'is missing (found "{close[0]}": did you mean "{key}"?)'
    return "is missing"


def _lookup(node: Mapping[str, Any], key: str, parent: str) -> Any:
    path = _join(parent, key)
    if key not in node:
        raise _fail(path, _missing_reason(node, key, parent))
    value = node[key]
    if isinstance(value, Unresolved):
        raise _unknown(path, value)
    return value


def _object(node: Mapping[str, Any], key: str, parent: str) -> dict[str, Any]:
    value = _lookup(node, key, parent)
    if not isinstance(value, dict):
        raise _fail(_join(parent, key), f"must be an object, found {type_name(value)}")
    return value


def _flag(node: Mapping[str, Any], key: str, parent: str) -> None:
    """On only for JSON true or the string "true" (any case); missing means off (the AWS default)."""
    path = _join(parent, key)
    if key not in node:
        raise _fail(path, _missing_reason(node, key, parent) + " (AWS assumes false): set it to true")
    value = _lookup(node, key, parent)
    if value is True or (isinstance(value, str) and value.isascii() and value.lower() == "true"):
        return
    raise _fail(path, f"is {describe(value)}: set it to true")


def _enum(node: Mapping[str, Any], key: str, parent: str, allowed: tuple[str, ...]) -> str:
    value = _lookup(node, key, parent)
    if isinstance(value, str) and value.isascii():  # non-ASCII letters can lower-case to ASCII ones (K -> k)
        for option in allowed:
            if value.lower() == option.lower():
                return option
    raise _fail(_join(parent, key), f"is {describe(value)}: use one of {', '.join(allowed)}")


def _present(node: Mapping[str, Any], key: str, parent: str) -> None:
    """Non-empty; a value the scanner cannot resolve (a reference) counts as present."""
    path = _join(parent, key)
    if key not in node:
        raise _fail(path, _missing_reason(node, key, parent))
    value = node[key]
    if isinstance(value, Unresolved):
        if value.maybe_absent:
            raise _unknown(path, value)
        return
    if not isinstance(value, str):
        raise _fail(path, f"must be a string, found {type_name(value)}")
    if not value.strip():
        raise _fail(path, "is empty")


def _root(config: Any) -> dict[str, Any]:
    if isinstance(config, Invalid):
        raise _fail(ROOT, config.reason)
    if isinstance(config, Unresolved):
        raise _unknown(ROOT, config)
    if not isinstance(config, dict):
        raise _fail(ROOT, f"must be a JSON object, found {type_name(config)}")
    return config


def _encryption(config: Any) -> dict[str, Any]:
    return _object(_root(config), ENC, ROOT)


def _at_rest_on(config: Any) -> None:
    _flag(_encryption(config), "EnableAtRestEncryption", ENC)


def _at_rest_section(config: Any, key: str) -> tuple[dict[str, Any], str]:
    parent = _join(ENC, "AtRestEncryptionConfiguration")
    section = _object(_object(_encryption(config), "AtRestEncryptionConfiguration", ENC), key, parent)
    return section, _join(parent, key)


def _s3_mode(node: Mapping[str, Any], path: str) -> str:
    """Validates one S3 encryption setting (the main one or an override) and returns its mode."""
    mode = _enum(node, "EncryptionMode", path, S3_MODES)
    if mode in KMS_MODES:
        _present(node, "AwsKmsKey", path)
    elif mode == "CSE-Custom":
        _present(node, "S3Object", path)
        _present(node, "EncryptionKeyProviderClass", path)
    return mode


def _s3_modes(config: Any) -> list[tuple[str, str]]:
    """(path, mode) of the S3 setting and of every Overrides entry, each validated."""
    s3, path = _at_rest_section(config, "S3EncryptionConfiguration")
    modes = [(path, _s3_mode(s3, path))]
    if "Overrides" not in s3:
        return modes
    overrides = _lookup(s3, "Overrides", path)
    if not isinstance(overrides, list):
        raise _fail(_join(path, "Overrides"), f"must be a list, found {type_name(overrides)}")
    for index, entry in enumerate(overrides):
        entry_path = f"{path}.Overrides[{index}]"
        if isinstance(entry, Unresolved):
            raise _unknown(entry_path, entry)
        if not isinstance(entry, dict):
            raise _fail(entry_path, f"must be an object, found {type_name(entry)}")
        _present(entry, "BucketName", entry_path)
        modes.append((entry_path, _s3_mode(entry, entry_path)))
    return modes


def _local_disk_provider(config: Any) -> tuple[str, dict[str, Any], str]:
    disk, path = _at_rest_section(config, "LocalDiskEncryptionConfiguration")
    provider = _enum(disk, "EncryptionKeyProviderType", path, LOCAL_DISK_PROVIDERS)
    if provider == "AwsKms":
        _present(disk, "AwsKmsKey", path)
    else:
        _present(disk, "S3Object", path)
        _present(disk, "EncryptionKeyProviderClass", path)
    return provider, disk, path


def _decide(rule: Callable[[Any], None], config: Any) -> Verdict:
    try:
        rule(config)
    except _Stop as stop:
        return stop.verdict
    return PASS


def all_of(verdicts: Iterable[Verdict]) -> Verdict:
    """Kleene AND: the first failure, else the first unknown, else a pass."""
    verdicts = list(verdicts)
    for outcome in (Outcome.FAILED, Outcome.UNKNOWN):
        for verdict in verdicts:
            if verdict.outcome is outcome:
                return verdict
    return PASS


def any_of(verdicts: Iterable[Verdict]) -> Verdict:
    """Kleene OR: a pass, else the first unknown, else a failure naming what each alternative lacks."""
    verdicts = list(verdicts)
    if any(v.outcome is Outcome.PASSED for v in verdicts):
        return PASS
    for verdict in verdicts:
        if verdict.outcome is Outcome.UNKNOWN:
            return verdict
    others = list(dict.fromkeys(v.message for v in verdicts[1:] if v.message != verdicts[0].message))
    return Verdict(Outcome.FAILED, verdicts[0].path, "; ".join([verdicts[0].reason, *others]))


def _s3_valid(config: Any) -> None:
    _s3_modes(config)


def _local_disk_valid(config: Any) -> None:
    _local_disk_provider(config)


def _ebs_encrypted(config: Any) -> None:
    provider, disk, path = _local_disk_provider(config)
    if provider != "AwsKms":
        raise _fail(_join(path, "EncryptionKeyProviderType"),
                    "is Custom: EBS encryption needs the AwsKms provider")
    _flag(disk, "EnableEbsEncryption", path)


def _s3_uses_kms(config: Any) -> None:
    for path, mode in _s3_modes(config):
        if mode not in KMS_MODES:
            raise _fail(_join(path, "EncryptionMode"), f"is {mode}: use SSE-KMS or CSE-KMS with AwsKmsKey")


def _in_transit(config: Any) -> None:
    encryption = _encryption(config)
    _flag(encryption, "EnableInTransitEncryption", ENC)
    parent = _join(ENC, "InTransitEncryptionConfiguration")
    tls_path = _join(parent, "TLSCertificateConfiguration")
    tls = _object(_object(encryption, "InTransitEncryptionConfiguration", ENC), "TLSCertificateConfiguration", parent)
    provider = _enum(tls, "CertificateProviderType", tls_path, CERTIFICATE_PROVIDERS)
    if provider in ("PEM", "Custom"):
        _present(tls, "S3Object", tls_path)
    if provider == "Custom":
        _present(tls, "CertificateProviderClass", tls_path)


def _with_at_rest(config: Any, rule: Callable[[Any], None]) -> Verdict:
    return all_of([_decide(_at_rest_on, config), _decide(rule, config)])


def _evaluate_one(config: Any) -> dict[int, Verdict]:
    return {
        1: all_of([_decide(_at_rest_on, config),
                   any_of([_decide(_s3_valid, config), _decide(_local_disk_valid, config)])]),
        2: _decide(_in_transit, config),
        3: _with_at_rest(config, _s3_valid),
        4: _with_at_rest(config, _local_disk_valid),
        5: _with_at_rest(config, _ebs_encrypted),
        6: _with_at_rest(config, _s3_uses_kms),
    }


def _in_variant(verdict: Verdict, variant: Variant) -> Verdict:
    """The verdict saying where its value came from and when (which branch or module chain), if it did not pass."""
    if verdict.outcome is Outcome.PASSED:
        return verdict
    origin = variant.origin(verdict.path)
    reason = verdict.reason + (f" (from {origin})" if origin else "")
    return Verdict(verdict.outcome, verdict.path, reason + (f" (when {variant.condition})" if variant.condition else ""))


def _across_variants(verdicts: list[Verdict]) -> Verdict:
    """all_of over the ways a resource can turn out, naming every failing one (each root chain, each branch)."""
    combined = all_of(verdicts)
    if combined.outcome is not Outcome.FAILED:
        return combined
    others = [v.message for v in verdicts if v.outcome is Outcome.FAILED and v.message != combined.message]
    return Verdict(Outcome.FAILED, combined.path, "; ".join(dict.fromkeys([combined.reason, *others])))


def evaluate(variants: list[Variant]) -> dict[int, Verdict]:
    """Verdicts of checks 1-7 over every variant: PASSED only if all pass, FAILED if any fails.

    CKV_EMRSEC_7 fails exactly where one of 1-6 is UNKNOWN. No variant means the resource is not created
    (count = 0): nothing to report, not even check 7.
    """
    if not variants:
        return {n: Verdict(Outcome.UNKNOWN, ROOT, NOT_CREATED) for n in range(1, 8)}
    per_variant = [(v, _evaluate_one(v.value)) for v in variants]
    verdicts = {number: _across_variants([_in_variant(results[number], variant) for variant, results in per_variant])
                for number in range(1, 7)}
    undecided = [(number, v) for number, v in verdicts.items() if v.outcome is Outcome.UNKNOWN]
    verdicts[7] = PASS if not undecided else Verdict(
        Outcome.FAILED, undecided[0][1].path,
        f"{undecided[0][1].reason}, so CKV_EMRSEC_{','.join(str(n) for n, _ in undecided)} cannot be decided")
    return verdicts


def used_by(verdict: Verdict, users: list[str]) -> Verdict:
    """A failing configuration's verdict naming the clusters that use it: they must be re-created after the fix."""
    if verdict.outcome is not Outcome.FAILED or not users:
        return verdict
    return Verdict(verdict.outcome, verdict.path, f"{verdict.reason}; used by {', '.join(users)}: a cluster cannot "
                                                  "switch configuration, re-create it after the fix")


def _project(variant: Variant) -> Project:
    return variant.project if isinstance(variant.project, Project) else NOWHERE


def _named(launch: Launch) -> Verdict:
    """CKV_EMRSEC_8 for one launch: its security configuration is set and non-empty."""
    if isinstance(launch.value, Invalid):
        return Verdict(Outcome.FAILED, launch.path, launch.value.reason)
    return _decide(lambda node: _present(node, launch.path, ROOT), {} if launch.value is ABSENT else {launch.path: launch.value})


def _encrypting(launch: Launch, project: Project) -> Verdict:
    """CKV_EMRSEC_10 for one launch: the configuration it names is in the project and passes checks 1 and 2."""
    named = _named(launch)
    if named.outcome is not Outcome.PASSED:
        return named
    value = launch.value
    if isinstance(value, Unresolved) and not isinstance(value, Ref):
        return Verdict(Outcome.UNKNOWN, launch.path, f"is {value.source}, which cannot be resolved before deploy")
    configuration = project.configuration(value)
    if configuration is None:
        return Verdict(Outcome.UNKNOWN, launch.path,
                       f"names {describe(value)}, a security configuration not defined in the project")
    verdicts = evaluate(list(configuration.variants))
    pair = (1, 2)
    failed = [n for n in pair if verdicts[n].outcome is Outcome.FAILED]
    if failed:
        reasons = "; ".join(f"CKV_EMRSEC_{n} ({verdicts[n].message})" for n in failed)
        return Verdict(Outcome.FAILED, launch.path, f"names {configuration.address}, which fails {reasons}: fix the "
                                                    "configuration (or name one that passes), then re-create the cluster")
    unknown = [n for n in pair if verdicts[n].outcome is Outcome.UNKNOWN]
    if unknown:
        return Verdict(Outcome.UNKNOWN, launch.path, f"names {configuration.address}, for which CKV_EMRSEC_{unknown[0]} "
                                                     f"cannot be decided ({verdicts[unknown[0]].message})")
    return PASS


def evaluate_launches(variants: list[Variant]) -> dict[int, Verdict]:
    """CKV_EMRSEC_8 and 10 over the cluster launches of a resource (each variant's value: a list of `Launch`).
    A resource that launches no cluster (a state machine without createCluster) gets no verdict."""
    named: list[Verdict] = []
    encrypting: list[Verdict] = []
    for variant in variants:
        for launch in variant.value:
            named.append(_in_variant(_named(launch), variant))
            encrypting.append(_in_variant(_encrypting(launch, _project(variant)), variant))
    if not named:
        return {n: Verdict(Outcome.UNKNOWN, ROOT, NOT_CREATED) for n in (8, 10)}
    return {8: _across_variants(named), 10: _across_variants(encrypting)}


# A KMS key identifier as EMR takes one: key ID, key ARN, alias name, alias ARN (multi-Region keys included).
_KEY_ID = r"(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})"
_ALIAS = r"alias/[A-Za-z0-9/_-]+"
KMS_IDENTIFIER = re.compile(rf"(?:{_KEY_ID}|{_ALIAS}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{{12}}:(?:key/{_KEY_ID}|{_ALIAS}))")
SYMMETRIC, ENCRYPT_DECRYPT = "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"


def _key_values(config: Any) -> list[tuple[str, Any]]:
    """(path, value) of every AwsKmsKey the configuration names; a section that cannot be resolved may hold one."""
    def section(node: Any, key: str, path: str) -> Any:
        value = node.get(key) if isinstance(node, dict) else None
        if isinstance(value, Unresolved):
            raise _unknown(_join(path, key), value)
        return value

    root = _root(config)
    at_rest_path = _join(ENC, "AtRestEncryptionConfiguration")
    encryption = section(root, ENC, ROOT)
    at_rest = section(encryption, "AtRestEncryptionConfiguration", ENC)
    s3_path = _join(at_rest_path, "S3EncryptionConfiguration")
    s3 = section(at_rest, "S3EncryptionConfiguration", at_rest_path)
    holders = [(s3_path, s3),
               (_join(at_rest_path, "LocalDiskEncryptionConfiguration"),
                section(at_rest, "LocalDiskEncryptionConfiguration", at_rest_path)),
               (_join(ENC, "EMRWALEncryptionConfiguration"), section(encryption, "EMRWALEncryptionConfiguration", ENC))]
    overrides = section(s3, "Overrides", s3_path)
    if isinstance(overrides, list):
        for index, entry in enumerate(overrides):
            if isinstance(entry, Unresolved):
                raise _unknown(f"{s3_path}.Overrides[{index}]", entry)
            holders.insert(1 + index, (f"{s3_path}.Overrides[{index}]", entry))
    return [(_join(path, "AwsKmsKey"), node["AwsKmsKey"]) for path, node in holders
            if isinstance(node, dict) and "AwsKmsKey" in node]


def _usable(path: str, value: Any, key: KmsKey) -> Verdict:
    """A key EMR can encrypt with: symmetric (or default spec), for encryption (or default usage), not disabled."""
    shown = f"is {describe(value)}, {key.address}{f' (through {key.via})' if key.via else ''}"
    problems, unknown = [], []
    for setting, wanted in ((key.spec, SYMMETRIC), (key.usage, ENCRYPT_DECRYPT)):
        if isinstance(setting.value, Unresolved):
            unknown.append(f"its {setting.name} is {setting.value.source}")
        elif setting.value is not ABSENT and not (isinstance(setting.value, str) and setting.value.upper() == wanted):
            problems.append(f"its {setting.name} is {describe(setting.value)}")
    enabled = key.enabled.value
    if isinstance(enabled, Unresolved):
        unknown.append(f"its {key.enabled.name} is {enabled.source}")
    elif enabled is False or (isinstance(enabled, str) and enabled.lower() == "false"):
        problems.append(f"it is disabled ({key.enabled.name} is {describe(enabled)})")
    if problems:
        return Verdict(Outcome.FAILED, path, f"{shown}, which EMR cannot encrypt with: {' and '.join(problems)}; use an "
                                             f"enabled {SYMMETRIC} key with usage {ENCRYPT_DECRYPT}")
    if unknown:
        return Verdict(Outcome.UNKNOWN, path, f"{shown}: {' and '.join(unknown)}, which cannot be resolved before deploy")
    return PASS


def _key_verdict(path: str, value: Any, project: Project) -> Verdict:
    if isinstance(value, Unresolved):
        key = project.key(value) if isinstance(value, Ref) else None
        if key is None:
            return Verdict(Outcome.UNKNOWN, path, f"is {value.source}, a key the pack cannot find in the project")
        return _usable(path, value, key)
    if not isinstance(value, str) or not KMS_IDENTIFIER.fullmatch(value.strip()):
        return Verdict(Outcome.FAILED, path, f"is {describe(value)}, which is no KMS key identifier: use the key ARN, "
                                             "key ID, alias name (alias/...) or alias ARN of a symmetric encryption key")
    key = project.key(value.strip())
    if key is None:
        return Verdict(Outcome.UNKNOWN, path, f"is {describe(value)}, a key defined outside the project")
    return _usable(path, value, key)


def evaluate_keys(variants: list[Variant]) -> Verdict:
    """CKV_EMRSEC_11 over every variant: each AwsKmsKey that leads to a key of the project is usable by EMR; a
    literal that is no KMS key identifier fails. PASSED when the configuration names no key."""
    if not variants:
        return Verdict(Outcome.UNKNOWN, ROOT, NOT_CREATED)
    verdicts = []
    for variant in variants:
        try:
            found = _key_values(variant.value)
        except _Stop as stop:  # a configuration that is not JSON fails, one that cannot be resolved is unknown
            verdicts.append(_in_variant(stop.verdict, variant))
            continue
        verdicts += [_in_variant(_key_verdict(path, value, _project(variant)), variant) for path, value in found]
    return _across_variants(verdicts)
