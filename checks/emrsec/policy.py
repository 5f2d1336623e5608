"""What is encrypted: the one place that decides, over the normalized model of `values`.

Pure functions, no Checkov: `evaluate(variants)` returns a `Verdict` per check id. Three-valued logic
throughout: a definite failure wins over an unknown, an unknown wins over a pass. A rule reads on past a defect
wherever there is more to read, so a verdict lists every defect the check sees, each with its own fix.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, Callable, Iterable, Mapping, Optional

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
    fix: str = ""  # what to do about it ("" when the check's general fix says it)
    also: tuple[Verdict, ...] = ()  # the other defects of the same outcome, each with its path, reason and fix

    @property
    def defects(self) -> tuple[Verdict, ...]:
        return (self, *self.also) if self.outcome is not Outcome.PASSED else ()

    @property
    def message(self) -> str:
        return "; ".join(dict.fromkeys(f"{d.path} {d.reason}" if d.path else d.reason for d in (self, *self.also)))

    @property
    def fixes(self) -> str:
        """Every defect's own fix, once each; '' when a defect has none (the check's general fix applies)."""
        fixes = [d.fix for d in (self, *self.also)]
        text = "; ".join(dict.fromkeys(fixes)) if all(fixes) else ""
        return text[:1].upper() + text[1:]


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
# What to write where a value is missing or wrong, by key.
_VALUES = {
    "AwsKmsKey": "the ARN of a symmetric KMS key",
    "S3Object": "the s3:// path of the provider's JAR or the certificates' zip",
    "EncryptionKeyProviderClass": "the key provider's Java class name",
    "CertificateProviderClass": "the certificate provider's Java class name",
    "BucketName": "the bucket the override applies to",
    "EncryptionMode": '"SSE-KMS" (with AwsKmsKey)',
    "EncryptionKeyProviderType": '"AwsKms" (with AwsKmsKey)',
    "CertificateProviderType": '"PEM" (with S3Object)',
    "S3EncryptionConfiguration": '{"EncryptionMode": "SSE-KMS", "AwsKmsKey": "<key ARN>"}',
    "LocalDiskEncryptionConfiguration": '{"EncryptionKeyProviderType": "AwsKms", "AwsKmsKey": "<key ARN>", '
                                        '"EnableEbsEncryption": true}',
    "TLSCertificateConfiguration": '{"CertificateProviderType": "PEM", "S3Object": "s3://<bucket>/<certs>.zip"}',
    "InTransitEncryptionConfiguration": '{"TLSCertificateConfiguration": {"CertificateProviderType": "PEM", '
                                        '"S3Object": "s3://<bucket>/<certs>.zip"}}',
    "AtRestEncryptionConfiguration": '{"S3EncryptionConfiguration": {...}, "LocalDiskEncryptionConfiguration": {...}}',
    ENC: "an object holding the encryption settings",
}


class _Found:
    """The defects one rule finds, in the order it reads."""

    def __init__(self) -> None:
        self.failed: list[Verdict] = []
        self.unknown: list[Verdict] = []

    def fail(self, path: str, reason: str, fix: str) -> None:
        self.failed.append(Verdict(Outcome.FAILED, path, reason, fix))

    def undecided(self, path: str, value: Unresolved) -> None:
        self.unknown.append(_undecided(path, value))

    def verdict(self) -> Verdict:
        return _combined(self.failed) if self.failed else _combined(self.unknown) if self.unknown else PASS


def _undecided(path: str, value: Unresolved) -> Verdict:
    return Verdict(Outcome.UNKNOWN, path, f"is {value.source}, which cannot be resolved before deploy",
                   f"write {path} as a literal, or as a variable or parameter with a default")


def _combined(verdicts: Iterable[Verdict]) -> Verdict:
    """One verdict naming every defect (of the first's outcome), each once."""
    defects: dict[str, Verdict] = {}
    for verdict in verdicts:
        for defect in verdict.defects:
            defects.setdefault(f"{defect.path} {defect.reason}", replace(defect, also=()))
    first, *rest = defects.values()
    return replace(first, also=tuple(rest))


def _join(parent: str, key: str) -> str:
    return key if parent == ROOT else f"{parent}.{key}"


def _missing(node: Mapping[str, Any], key: str, parent: str) -> tuple[str, str]:
    """(reason, fix) for a missing key, naming the key the author probably meant to write or the keys the EMR
    API will reject beside it."""
    path = _join(parent, key)
    value = f" set to {_VALUES[key]}" if key in _VALUES else ""
    keys = [k for k in node if isinstance(k, str)]
    same_case = [k for k in keys if k.lower() == key.lower()]
    if same_case:
        return (f'is missing (found "{same_case[0]}": key names are case-sensitive)',
                f'rename "{same_case[0]}" to "{key}"')
    if parent == ROOT and key == ENC and any(k in node for k in AT_REST_KEYS):
        return (f"is missing (the encryption keys are at the top level: they belong inside {ENC})",
                f"move the encryption keys into {ENC}")
    unknown = [k for k in keys if k not in KNOWN_KEYS]
    close = difflib.get_close_matches(key, unknown, n=1, cutoff=0.8)
    if close:
        return f'is missing (found "{close[0]}": did you mean "{key}"?)', f'rename "{close[0]}" to "{key}"'
    if unknown:
        shown = ", ".join(f'"{k}"' for k in unknown[:3])
        return (f"is missing (found {shown}, which the EMR API rejects as unknown)",
                f"add {path}{value} and remove {shown}")
    return "is missing", f"add {path}{value}"


def _lookup(node: Mapping[str, Any], key: str, parent: str, found: _Found) -> Any:
    """The value at `key`, or ABSENT after noting why there is none (missing, or not resolvable)."""
    path = _join(parent, key)
    if key not in node:
        found.fail(path, *_missing(node, key, parent))
        return ABSENT
    value = node[key]
    if isinstance(value, Unresolved):
        found.undecided(path, value)
        return ABSENT
    return value


def _object(node: Optional[Mapping[str, Any]], key: str, parent: str, found: _Found) -> Optional[dict[str, Any]]:
    if node is None:
        return None
    value = _lookup(node, key, parent, found)
    if value is ABSENT:
        return None
    if not isinstance(value, dict):
        path = _join(parent, key)
        found.fail(path, f"must be an object, found {type_name(value)}",
                   f"set {path} to {_VALUES.get(key, 'an object')}")
        return None
    return value


def _flag(node: Optional[Mapping[str, Any]], key: str, parent: str, found: _Found) -> None:
    """On only for JSON true or the string "true" (any case); missing means off (the AWS default)."""
    if node is None:
        return
    path = _join(parent, key)
    if key not in node:
        reason, fix = _missing(node, key, parent)
        found.fail(path, reason + " (AWS assumes false)", fix.replace(f"add {path}", f"add {path} set to true", 1))
        return
    value = _lookup(node, key, parent, found)
    if value is ABSENT or value is True or (isinstance(value, str) and value.isascii() and value.lower() == "true"):
        return
    found.fail(path, f"is {describe(value)}", f"set {path} to true")


def _enum(node: Mapping[str, Any], key: str, parent: str, allowed: tuple[str, ...], found: _Found) -> Optional[str]:
    value = _lookup(node, key, parent, found)
    if value is ABSENT:
        return None
    if isinstance(value, str) and value.isascii():  # non-ASCII letters can lower-case to ASCII ones (K -> k)
        for option in allowed:
            if value.lower() == option.lower():
                return option
    path = _join(parent, key)
    found.fail(path, f"is {describe(value)}: use one of {', '.join(allowed)}", f"set {path} to one of {', '.join(allowed)}")
    return None


def _present(node: Mapping[str, Any], key: str, parent: str, found: _Found) -> None:
    """Non-empty; a value the scanner cannot resolve counts as present when it cannot be null or empty."""
    path = _join(parent, key)
    if key not in node:
        found.fail(path, *_missing(node, key, parent))
        return
    value = node[key]
    wanted = _VALUES.get(key, "a non-empty string")
    if isinstance(value, Unresolved):
        if value.maybe_absent:
            found.undecided(path, value)
    elif not isinstance(value, str):
        found.fail(path, f"must be a string, found {type_name(value)}", f"set {path} to {wanted}")
    elif not value.strip():
        found.fail(path, "is empty", f"set {path} to {wanted}")


def _root(config: Any, found: _Found) -> Optional[dict[str, Any]]:
    if isinstance(config, Invalid):
        found.fail(ROOT, config.reason, "correct the configuration where the error says")
    elif isinstance(config, Unresolved):
        found.undecided(ROOT, config)
    elif not isinstance(config, dict):
        found.fail(ROOT, f"must be a JSON object, found {type_name(config)}",
                   f"set it to a JSON object with {ENC}")
    else:
        return config
    return None


def _encryption(config: Any, found: _Found) -> Optional[dict[str, Any]]:
    root = _root(config, found)
    return _object(root, ENC, ROOT, found) if root is not None else None


def _at_rest_on(config: Any, found: _Found) -> None:
    _flag(_encryption(config, found), "EnableAtRestEncryption", ENC, found)


def _at_rest_section(config: Any, key: str, found: _Found) -> tuple[Optional[dict[str, Any]], str]:
    parent = _join(ENC, "AtRestEncryptionConfiguration")
    at_rest = _object(_encryption(config, found), "AtRestEncryptionConfiguration", ENC, found)
    return _object(at_rest, key, parent, found), _join(parent, key)


def _s3_mode(node: Mapping[str, Any], path: str, found: _Found) -> Optional[str]:
    """Validates one S3 encryption setting (the main one or an override) and returns its mode."""
    mode = _enum(node, "EncryptionMode", path, S3_MODES, found)
    if mode in KMS_MODES:
        _present(node, "AwsKmsKey", path, found)
    elif mode == "CSE-Custom":
        _present(node, "S3Object", path, found)
        _present(node, "EncryptionKeyProviderClass", path, found)
    return mode


def _s3_modes(config: Any, found: _Found) -> list[tuple[str, Optional[str]]]:
    """(path, mode) of the S3 setting and of every Overrides entry, each validated (mode None: not valid)."""
    s3, path = _at_rest_section(config, "S3EncryptionConfiguration", found)
    if s3 is None:
        return []
    modes = [(path, _s3_mode(s3, path, found))]
    if "Overrides" not in s3:
        return modes
    overrides = _lookup(s3, "Overrides", path, found)
    if overrides is ABSENT:
        return modes
    if not isinstance(overrides, list):
        found.fail(_join(path, "Overrides"), f"must be a list, found {type_name(overrides)}",
                   f"set {_join(path, 'Overrides')} to a list of per-bucket settings")
        return modes
    for index, entry in enumerate(overrides):
        entry_path = f"{path}.Overrides[{index}]"
        if isinstance(entry, Unresolved):
            found.undecided(entry_path, entry)
        elif not isinstance(entry, dict):
            found.fail(entry_path, f"must be an object, found {type_name(entry)}",
                       f'set {entry_path} to {{"BucketName": ..., "EncryptionMode": ..., "AwsKmsKey": ...}}')
        else:
            _present(entry, "BucketName", entry_path, found)
            modes.append((entry_path, _s3_mode(entry, entry_path, found)))
    return modes


def _local_disk_provider(config: Any, found: _Found) -> tuple[Optional[str], Optional[dict[str, Any]], str]:
    disk, path = _at_rest_section(config, "LocalDiskEncryptionConfiguration", found)
    if disk is None:
        return None, None, path
    provider = _enum(disk, "EncryptionKeyProviderType", path, LOCAL_DISK_PROVIDERS, found)
    if provider == "AwsKms":
        _present(disk, "AwsKmsKey", path, found)
    elif provider == "Custom":
        _present(disk, "S3Object", path, found)
        _present(disk, "EncryptionKeyProviderClass", path, found)
    return provider, disk, path


def _decide(rule: Callable[[Any, _Found], None], config: Any) -> Verdict:
    found = _Found()
    rule(config, found)
    return found.verdict()


def all_of(verdicts: Iterable[Verdict]) -> Verdict:
    """Kleene AND: every failure, else every unknown, else a pass."""
    verdicts = list(verdicts)
    for outcome in (Outcome.FAILED, Outcome.UNKNOWN):
        matching = [v for v in verdicts if v.outcome is outcome]
        if matching:
            return _combined(matching)
    return PASS


def any_of(verdicts: Iterable[Verdict]) -> Verdict:
    """Kleene OR: a pass, else the first unknown, else a failure naming what each alternative lacks."""
    verdicts = list(verdicts)
    if any(v.outcome is Outcome.PASSED for v in verdicts):
        return PASS
    for verdict in verdicts:
        if verdict.outcome is Outcome.UNKNOWN:
            return verdict
    return _combined(verdicts)


def _s3_valid(config: Any, found: _Found) -> None:
    _s3_modes(config, found)


def _local_disk_valid(config: Any, found: _Found) -> None:
    _local_disk_provider(config, found)


def _ebs_encrypted(config: Any, found: _Found) -> None:
    provider, disk, path = _local_disk_provider(config, found)
    if provider == "Custom":
        found.fail(_join(path, "EncryptionKeyProviderType"), "is Custom: EBS encryption needs the AwsKms provider",
                   f'set {_join(path, "EncryptionKeyProviderType")} to "AwsKms" with AwsKmsKey')
    _flag(disk, "EnableEbsEncryption", path, found)


def _s3_uses_kms(config: Any, found: _Found) -> None:
    for path, mode in _s3_modes(config, found):
        if mode is not None and mode not in KMS_MODES:
            found.fail(_join(path, "EncryptionMode"), f"is {mode}: use SSE-KMS or CSE-KMS with AwsKmsKey",
                       f'set {_join(path, "EncryptionMode")} to "SSE-KMS" and add AwsKmsKey')


def _in_transit(config: Any, found: _Found) -> None:
    encryption = _encryption(config, found)
    _flag(encryption, "EnableInTransitEncryption", ENC, found)
    parent = _join(ENC, "InTransitEncryptionConfiguration")
    tls_path = _join(parent, "TLSCertificateConfiguration")
    tls = _object(_object(encryption, "InTransitEncryptionConfiguration", ENC, found), "TLSCertificateConfiguration",
                  parent, found)
    if tls is None:
        return
    provider = _enum(tls, "CertificateProviderType", tls_path, CERTIFICATE_PROVIDERS, found)
    if provider in ("PEM", "Custom"):
        _present(tls, "S3Object", tls_path, found)
    if provider == "Custom":
        _present(tls, "CertificateProviderClass", tls_path, found)


def _with_at_rest(config: Any, rule: Callable[[Any, _Found], None]) -> Verdict:
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
    """The verdict saying, for each defect, where its value came from and when (which branch or module chain)."""
    if verdict.outcome is Outcome.PASSED:
        return verdict
    defects = []
    for defect in verdict.defects:
        origin = variant.origin(defect.path)
        reason = defect.reason + (f" (from {origin})" if origin else "")
        path = variant.root + defect.path[len(ROOT):] if variant.root and defect.path.split(".")[0] == ROOT \
            else defect.path
        defects.append(replace(defect, path=path, also=(),
                               reason=reason + (f" (when {variant.condition})" if variant.condition else "")))
    return replace(defects[0], also=tuple(defects[1:]))


def evaluate(variants: list[Variant]) -> dict[int, Verdict]:
    """Verdicts of checks 1-7 over every variant: PASSED only if all pass, FAILED if any fails.

    CKV_EMRSEC_7 fails exactly where one of 1-6 is UNKNOWN, naming every value that cannot be resolved. No
    variant means the resource is not created (count = 0): nothing to report, not even check 7.
    """
    if not variants:
        return {n: Verdict(Outcome.UNKNOWN, ROOT, NOT_CREATED) for n in range(1, 8)}
    per_variant = [(v, _evaluate_one(v.value)) for v in variants]
    verdicts = {number: all_of([_in_variant(results[number], variant) for variant, results in per_variant])
                for number in range(1, 7)}
    undecided = [number for number, v in verdicts.items() if v.outcome is Outcome.UNKNOWN]
    if not undecided:
        verdicts[7] = PASS
        return verdicts
    unresolved = _combined(verdicts[n] for n in undecided).defects
    last = unresolved[-1]
    named = [replace(d, outcome=Outcome.FAILED, also=()) for d in unresolved[:-1]] + [replace(
        last, outcome=Outcome.FAILED, also=(),
        reason=f"{last.reason}, so CKV_EMRSEC_{','.join(map(str, undecided))} cannot be decided")]
    verdicts[7] = replace(named[0], also=tuple(named[1:]))
    return verdicts


def used_by(verdict: Verdict, users: list[str]) -> Verdict:
    """A failing configuration's verdict naming the clusters that use it: they must be re-created after the fix."""
    if verdict.outcome is not Outcome.FAILED or not users:
        return verdict
    *defects, last = verdict.defects
    last = replace(last, also=(), reason=f"{last.reason}; used by {', '.join(users)}: a cluster cannot switch "
                                         "configuration, re-create it after the fix")
    return replace(defects[0], also=(*defects[1:], last)) if defects else last


def _project(variant: Variant) -> Project:
    return variant.project if isinstance(variant.project, Project) else NOWHERE


def _named(launch: Launch) -> Verdict:
    """CKV_EMRSEC_8 for one launch: its security configuration is set and non-empty."""
    fix = f"set {launch.path} to the name of a security configuration that passes CKV_EMRSEC_1 and CKV_EMRSEC_2"
    if isinstance(launch.value, Invalid):
        return Verdict(Outcome.FAILED, launch.path, launch.value.reason, fix)
    verdict = _decide(lambda node, found: _present(node, launch.path, ROOT, found),
                      {} if launch.value is ABSENT else {launch.path: launch.value})
    return replace(verdict, fix=fix) if verdict.outcome is Outcome.FAILED else verdict


def _encrypting(launch: Launch, project: Project) -> Verdict:
    """CKV_EMRSEC_10 for one launch: the configuration it names is in the project and passes checks 1 and 2."""
    named = _named(launch)
    if named.outcome is not Outcome.PASSED:
        return named
    value = launch.value
    if isinstance(value, Unresolved) and not isinstance(value, Ref):
        return _undecided(launch.path, value)
    configuration = project.configuration(value)
    if configuration is None:
        return Verdict(Outcome.UNKNOWN, launch.path,
                       f"names {describe(value)}, a security configuration not defined in the project")
    verdicts = evaluate(list(configuration.variants))
    pair = (1, 2)
    failed = [n for n in pair if verdicts[n].outcome is Outcome.FAILED]
    if failed:
        reasons = "; ".join(f"CKV_EMRSEC_{n} ({verdicts[n].message})" for n in failed)
        fixes = "; ".join(dict.fromkeys(verdicts[n].fixes for n in failed if verdicts[n].fixes))
        return Verdict(Outcome.FAILED, launch.path, f"names {configuration.address}, which fails {reasons}",
                       f"in {configuration.address}: {fixes or 'fix it'} (or name a configuration that passes), then "
                       "re-create the cluster: a cluster cannot switch configuration")
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
    return {8: all_of(named), 10: all_of(encrypting)}


# A KMS key identifier as EMR takes one: key ID, key ARN, alias name, alias ARN (multi-Region keys included).
_KEY_ID = r"(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})"
_ALIAS = r"alias/[A-Za-z0-9/_-]+"
KMS_IDENTIFIER = re.compile(rf"(?:{_KEY_ID}|{_ALIAS}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{{12}}:(?:key/{_KEY_ID}|{_ALIAS}))")
SYMMETRIC, ENCRYPT_DECRYPT = "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"


def _key_values(config: Any, found: _Found) -> list[tuple[str, Any]]:
    """(path, value) of every AwsKmsKey the configuration names; a section that cannot be resolved may hold one."""
    def section(node: Any, key: str, path: str) -> Any:
        value = node.get(key) if isinstance(node, dict) else None
        if isinstance(value, Unresolved):
            found.undecided(_join(path, key), value)
            return None
        return value

    root = _root(config, found)
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
                found.undecided(f"{s3_path}.Overrides[{index}]", entry)
            holders.insert(1 + index, (f"{s3_path}.Overrides[{index}]", entry))
    return [(_join(path, "AwsKmsKey"), node["AwsKmsKey"]) for path, node in holders
            if isinstance(node, dict) and "AwsKmsKey" in node]


def _usable(path: str, value: Any, key: KmsKey) -> Verdict:
    """A key EMR can encrypt with: symmetric (or default spec), for encryption (or default usage), not disabled."""
    named = describe(value)
    shown = f"is {named}" + ("" if named.startswith(key.address) else f", {key.address}") + (
        f" (through {key.via})" if key.via else "")
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
        return Verdict(Outcome.FAILED, path, f"{shown}, which EMR cannot encrypt with: {' and '.join(problems)}",
                       f"point {path} at an enabled {SYMMETRIC} key with usage {ENCRYPT_DECRYPT}")
    if unknown:
        return Verdict(Outcome.UNKNOWN, path, f"{shown}: {' and '.join(unknown)}, which cannot be resolved before deploy",
                       "write the key's settings as literals")
    return PASS


# An alias ARN built from unknown parts (`arn:${AWS::Partition}:kms:${AWS::Region}:...:alias/emr`): its alias name
# is literal, so it still names an alias the project may define.
_ALIAS_ENDING = re.compile(r"[:\"]?(alias/[A-Za-z0-9/_-]+)\"?$")


def _key_verdict(path: str, value: Any, project: Project) -> Verdict:
    if isinstance(value, Unresolved):
        alias = None if isinstance(value, Ref) else _ALIAS_ENDING.search(value.source)
        key = project.key(value) if isinstance(value, Ref) else project.key(alias.group(1)) if alias else None
        if key is None:
            return Verdict(Outcome.UNKNOWN, path, f"is {value.source}, a key the pack cannot find in the project")
        return _usable(path, value, key)
    if not isinstance(value, str) or not KMS_IDENTIFIER.fullmatch(value.strip()):
        return Verdict(Outcome.FAILED, path, f"is {describe(value)}, which is no KMS key identifier",
                       f"set {path} to the key ARN, key ID, alias name (alias/...) or alias ARN of a symmetric "
                       "encryption key")
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
        found = _Found()  # a configuration that is not JSON fails, a section that cannot be resolved is unknown
        keys = _key_values(variant.value, found)
        verdicts += [_in_variant(v, variant) for v in
                     [found.verdict(), *(_key_verdict(path, value, _project(variant)) for path, value in keys)]]
    return all_of(verdicts)
