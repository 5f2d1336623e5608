"""The policy alone, free of Checkov: a table of configurations and the verdict each check must reach."""
from __future__ import annotations

import copy
from typing import Any

import pytest

from emrsec.model import ABSENT, Configuration, KmsKey, Launch, Project, Setting
from emrsec.policy import Outcome, evaluate, evaluate_keys, evaluate_launches
from emrsec.values import Invalid, Ref, Unresolved, Variant

P, F, U = Outcome.PASSED, Outcome.FAILED, Outcome.UNKNOWN
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ENC = "EncryptionConfiguration"
AT_REST = f"{ENC}.AtRestEncryptionConfiguration"
S3 = f"{AT_REST}.S3EncryptionConfiguration"
DISK = f"{AT_REST}.LocalDiskEncryptionConfiguration"
TLS = f"{ENC}.InTransitEncryptionConfiguration.TLSCertificateConfiguration"


def good() -> dict[str, Any]:
    """The published remediation: S3 SSE-KMS, local disk KMS with EBS, TLS with a PEM bundle."""
    return {ENC: {
        "EnableAtRestEncryption": True, "EnableInTransitEncryption": True,
        "AtRestEncryptionConfiguration": {
            "S3EncryptionConfiguration": {"EncryptionMode": "SSE-KMS", "AwsKmsKey": KEY},
            "LocalDiskEncryptionConfiguration": {"EncryptionKeyProviderType": "AwsKms", "AwsKmsKey": KEY,
                                                 "EnableEbsEncryption": True}},
        "InTransitEncryptionConfiguration": {"TLSCertificateConfiguration": {
            "CertificateProviderType": "PEM", "S3Object": "s3://bucket/certs.zip"}}}}


MISSING = object()


def with_(path: str, value: Any, base: Any = None) -> dict[str, Any]:
    """`good()` with the value at a dotted path replaced (MISSING deletes it)."""
    config = copy.deepcopy(base if base is not None else good())
    *parents, last = path.split(".")
    node = config
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is MISSING:
        del node[last]
    else:
        node[last] = value
    return config


def verdicts(config: Any) -> dict[int, Outcome]:
    return {n: v.outcome for n, v in evaluate([Variant("", config)]).items()}


def expect(passed: str = "", failed: str = "", unknown: str = "") -> dict[int, Outcome]:
    table = {int(n): P for n in passed}
    table.update({int(n): F for n in failed})
    table.update({int(n): U for n in unknown})
    assert sorted(table) == list(range(1, 8)), table
    return table


CASES = [
    # (id, configuration, expected verdicts, path named by the first failing check)
    ("remediation example passes all", good(), expect("1234567"), None),
    ("at-rest flag false", with_(f"{ENC}.EnableAtRestEncryption", False), expect("27", "13456"), f"{ENC}.EnableAtRestEncryption"),
    ("at-rest flag string false", with_(f"{ENC}.EnableAtRestEncryption", "false"), expect("27", "13456"), f"{ENC}.EnableAtRestEncryption"),
    ("at-rest flag string TRUE", with_(f"{ENC}.EnableAtRestEncryption", "TRUE"), expect("1234567"), None),
    ("at-rest flag number 1", with_(f"{ENC}.EnableAtRestEncryption", 1), expect("27", "13456"), f"{ENC}.EnableAtRestEncryption"),
    ("at-rest flag null", with_(f"{ENC}.EnableAtRestEncryption", None), expect("27", "13456"), f"{ENC}.EnableAtRestEncryption"),
    ("at-rest flag missing", with_(f"{ENC}.EnableAtRestEncryption", MISSING), expect("27", "13456"), f"{ENC}.EnableAtRestEncryption"),
    ("in-transit flag missing", with_(f"{ENC}.EnableInTransitEncryption", MISSING), expect("134567", "2"), f"{ENC}.EnableInTransitEncryption"),
    ("in-transit flag 'yes'", with_(f"{ENC}.EnableInTransitEncryption", "yes"), expect("134567", "2"), f"{ENC}.EnableInTransitEncryption"),
    ("misspelled flag counts as missing", with_(f"{ENC}.EnableAtRestEncyption", True,
                                                with_(f"{ENC}.EnableAtRestEncryption", MISSING)), expect("27", "13456"), f"{ENC}.EnableAtRestEncryption"),
    ("wrong-case section counts as missing", with_(f"{ENC}.inTransitEncryptionConfiguration", {},
                                                   with_(f"{ENC}.InTransitEncryptionConfiguration", MISSING)), expect("134567", "2"), f"{ENC}.InTransitEncryptionConfiguration"),
    ("keys without the wrapper", good()[ENC], expect("7", "123456"), ENC),
    ("lowercase enum is fine", with_(f"{S3}.EncryptionMode", "sse-kms"), expect("1234567"), None),
    ("unknown S3 mode", with_(f"{S3}.EncryptionMode", "SSE-C"), expect("12457", "36"), f"{S3}.EncryptionMode"),
    ("SSE-KMS without key", with_(f"{S3}.AwsKmsKey", MISSING), expect("12457", "36"), f"{S3}.AwsKmsKey"),
    ("SSE-KMS with empty key", with_(f"{S3}.AwsKmsKey", " "), expect("12457", "36"), f"{S3}.AwsKmsKey"),
    ("SSE-KMS with numeric key", with_(f"{S3}.AwsKmsKey", 123), expect("12457", "36"), f"{S3}.AwsKmsKey"),
    ("SSE-KMS with a reference key", with_(f"{S3}.AwsKmsKey", Unresolved("aws_kms_key.k.arn", maybe_absent=False)),
     expect("1234567"), None),
    ("SSE-KMS with a key that may be empty", with_(f"{S3}.AwsKmsKey", Unresolved("join(...) of a splat")),
     expect("1245", "7", "36"), f"{S3}.AwsKmsKey"),
    ("SSE-S3 passes 3, not 6", with_(f"{S3}", {"EncryptionMode": "SSE-S3"}), expect("123457", "6"), f"{S3}.EncryptionMode"),
    ("CSE-Custom complete", with_(f"{S3}", {"EncryptionMode": "CSE-Custom", "S3Object": "s3://b/p.jar",
                                            "EncryptionKeyProviderClass": "com.x.P"}), expect("123457", "6"), f"{S3}.EncryptionMode"),
    ("CSE-Custom without class", with_(f"{S3}", {"EncryptionMode": "CSE-Custom", "S3Object": "s3://b/p.jar"}),
     expect("12457", "36"), f"{S3}.EncryptionKeyProviderClass"),
    ("override valid", with_(f"{S3}.Overrides", [{"BucketName": "b", "EncryptionMode": "CSE-KMS", "AwsKmsKey": KEY}]),
     expect("1234567"), None),
    ("override SSE-S3", with_(f"{S3}.Overrides", [{"BucketName": "b", "EncryptionMode": "SSE-S3"}]),
     expect("123457", "6"), f"{S3}.Overrides[0].EncryptionMode"),
    ("override without key", with_(f"{S3}.Overrides", [{"BucketName": "b", "EncryptionMode": "SSE-KMS"}]),
     expect("12457", "36"), f"{S3}.Overrides[0].AwsKmsKey"),
    ("override without bucket", with_(f"{S3}.Overrides", [{"EncryptionMode": "SSE-KMS", "AwsKmsKey": KEY}]),
     expect("12457", "36"), f"{S3}.Overrides[0].BucketName"),
    ("overrides not a list", with_(f"{S3}.Overrides", {"BucketName": "b"}), expect("12457", "36"), f"{S3}.Overrides"),
    ("S3 missing, disk valid", with_(S3, MISSING), expect("12457", "36"), S3),
    ("disk missing, S3 valid", with_(DISK, MISSING), expect("12367", "45"), DISK),
    ("both at-rest sections missing", with_(AT_REST, {}), expect("27", "13456"), S3),
    ("disk AwsKms without key", with_(f"{DISK}.AwsKmsKey", MISSING), expect("12367", "45"), f"{DISK}.AwsKmsKey"),
    ("disk Custom complete", with_(DISK, {"EncryptionKeyProviderType": "Custom", "S3Object": "s3://b/p.jar",
                                          "EncryptionKeyProviderClass": "com.x.P", "EnableEbsEncryption": True}),
     expect("123467", "5"), f"{DISK}.EncryptionKeyProviderType"),
    ("disk Custom without S3Object", with_(DISK, {"EncryptionKeyProviderType": "Custom", "EncryptionKeyProviderClass": "c"}),
     expect("12367", "45"), f"{DISK}.S3Object"),
    ("EBS off", with_(f"{DISK}.EnableEbsEncryption", False), expect("123467", "5"), f"{DISK}.EnableEbsEncryption"),
    ("EBS missing", with_(f"{DISK}.EnableEbsEncryption", MISSING), expect("123467", "5"), f"{DISK}.EnableEbsEncryption"),
    ("TLS PEM without S3Object", with_(f"{TLS}.S3Object", MISSING), expect("134567", "2"), f"{TLS}.S3Object"),
    ("TLS Custom without class", with_(TLS, {"CertificateProviderType": "Custom", "S3Object": "s3://b/c.jar"}),
     expect("134567", "2"), f"{TLS}.CertificateProviderClass"),
    ("TLS Custom complete", with_(TLS, {"CertificateProviderType": "custom", "S3Object": "s3://b/c.jar",
                                        "CertificateProviderClass": "com.x.C"}), expect("1234567"), None),
    ("TLS EMR-managed", with_(TLS, {"CertificateProviderType": "EMR"}), expect("1234567"), None),
    ("TLS provider missing", with_(TLS, {"S3Object": "s3://b/c.zip"}), expect("134567", "2"), f"{TLS}.CertificateProviderType"),
    ("TLS block missing", with_(TLS, MISSING), expect("134567", "2"), TLS),
    ("section is a list", with_(f"{ENC}.AtRestEncryptionConfiguration", []), expect("27", "13456"), AT_REST),
    ("section is a string", with_(TLS, "PEM"), expect("134567", "2"), TLS),
    ("section is null", with_(f"{ENC}.InTransitEncryptionConfiguration", None), expect("134567", "2"), f"{ENC}.InTransitEncryptionConfiguration"),
    ("empty object", {}, expect("7", "123456"), ENC),
    ("list at the root", [good()], expect("7", "123456"), "configuration"),
    ("null at the root", None, expect("7", "123456"), "configuration"),
    ("invalid JSON text", Invalid("is not valid JSON: Expecting value at line 1, column 1"), expect("7", "123456"), "configuration"),
    ("unrelated sections change nothing", {**good(), "AuthenticationConfiguration": {"KerberosConfiguration": {}},
                                           "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": 2}},
     expect("1234567"), None),
    ("unresolved configuration", Unresolved("var.config (a variable without a default)"), expect("", "7", "123456"), "configuration"),
    ("unresolved at-rest flag", with_(f"{ENC}.EnableAtRestEncryption", Unresolved("var.x")), expect("2", "7", "13456"), f"{ENC}.EnableAtRestEncryption"),
    ("unresolved flag loses to a definite failure", with_(f"{ENC}.EnableAtRestEncryption", Unresolved("var.x"),
                                                          with_(AT_REST, {})), expect("27", "13456"), S3),
    ("unresolved S3 mode: 1 passes through local disk", with_(f"{S3}.EncryptionMode", Unresolved("!Ref Mode")),
     expect("1245", "7", "36"), f"{S3}.EncryptionMode"),
    ("unresolved TLS section", with_(f"{ENC}.InTransitEncryptionConfiguration", Unresolved("local.tls")),
     expect("13456", "7", "2"), f"{ENC}.InTransitEncryptionConfiguration"),
    ("unresolved override entry", with_(f"{S3}.Overrides", [Unresolved("each.value")]), expect("1245", "7", "36"), f"{S3}.Overrides[0]"),
]


@pytest.mark.parametrize(("config", "expected", "path"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_policy_table(config: Any, expected: dict[int, Outcome], path: str | None) -> None:
    results = evaluate([Variant("", config)])
    assert {n: v.outcome for n, v in results.items()} == expected
    failed = [v for n, v in sorted(results.items()) if v.outcome is F]
    if path is not None:
        assert failed and failed[0].path == path, failed
    for verdict in failed:
        assert verdict.path and verdict.reason, verdict


def test_misspelled_key_names_the_intended_key() -> None:
    config = with_(f"{ENC}.EnableInTransitEncyption", True, with_(f"{ENC}.EnableInTransitEncryption", MISSING))
    assert 'did you mean "EnableInTransitEncryption"' in evaluate([Variant("", config)])[2].reason


def test_wrong_case_key_is_named() -> None:
    config = with_(f"{ENC}.enableAtRestEncryption", True, with_(f"{ENC}.EnableAtRestEncryption", MISSING))
    assert "case-sensitive" in evaluate([Variant("", config)])[1].reason


def test_keys_without_wrapper_are_explained() -> None:
    assert "belong inside EncryptionConfiguration" in evaluate([Variant("", good()[ENC])])[1].reason


def test_check_7_names_the_undecided_checks() -> None:
    verdict = evaluate([Variant("", with_(f"{S3}.EncryptionMode", Unresolved("!Ref Mode")))])[7]
    assert verdict.path == f"{S3}.EncryptionMode" and "CKV_EMRSEC_3,6" in verdict.reason


def test_every_branch_must_pass_and_a_failure_names_its_condition() -> None:
    variants = [Variant("IsProd is true", good()), Variant("IsProd is false", with_(f"{S3}.EncryptionMode", "SSE-S3"))]
    results = evaluate(variants)
    assert {n: v.outcome for n, v in results.items()} == expect("123457", "6")
    assert "(when IsProd is false)" in results[6].reason


def test_a_failing_branch_beats_an_unknown_one() -> None:
    variants = [Variant("A is true", with_(f"{ENC}.EnableAtRestEncryption", Unresolved("!Ref X"))),
                Variant("A is false", with_(f"{ENC}.EnableAtRestEncryption", False))]
    assert evaluate(variants)[1].outcome is F


@pytest.mark.parametrize(("value", "outcome"), [
    ("emr-config", P),
    (Unresolved("aws_emr_security_configuration.x.name", maybe_absent=False), P),
    (Unresolved("var.name, set by a caller the scan does not see"), U),
    ("", F),
    (None, F),
    (["a"], F),
    (ABSENT, F),
    (Invalid("cannot be read: the resource's Properties is str"), F),
])
def test_cluster(value: Any, outcome: Outcome) -> None:
    verdict = evaluate_launches([Variant("", [Launch("security_configuration", value)])])[8]
    assert verdict.outcome is outcome
    if outcome is F:
        assert verdict.path == "security_configuration"


def test_cluster_fails_when_a_branch_removes_the_property() -> None:
    verdict = evaluate_launches([Variant("C is true", [Launch("SecurityConfiguration", "x")]),
                                 Variant("C is false", [Launch("SecurityConfiguration", ABSENT)])])[8]
    assert verdict.outcome is F and "(when C is false)" in verdict.reason


def test_no_launch_is_no_verdict() -> None:  # a state machine without createCluster states
    assert {v.outcome for v in evaluate_launches([Variant("", [])]).values()} == {U}


# --- checks 10 and 11: a project answering references and names ----------------------------------------------

def in_transit_off() -> dict[str, Any]:
    return with_(f"{ENC}.EnableInTransitEncryption", False)


class _Project(Project):
    def __init__(self, configurations: dict[Any, Any] = {}, keys: dict[Any, KmsKey] = {}) -> None:
        self.configurations, self.keys = configurations, keys

    def configuration(self, value: Any) -> Configuration | None:
        found = self.configurations.get(value)
        return Configuration(f"conf {value}", (Variant("", found),)) if found is not None else None

    def key(self, value: Any) -> KmsKey | None:
        return self.keys.get(value)


REF = Ref("!Ref Conf", address="Conf", unit="t")
PROJECT = _Project({"good": good(), REF: in_transit_off(), "unknown-flag": with_(f"{ENC}.EnableAtRestEncryption",
                                                                                    Unresolved("var.x"))})


@pytest.mark.parametrize(("value", "outcome", "said"), [
    ("good", P, ""),
    (REF, F, "fails CKV_EMRSEC_2 (EncryptionConfiguration.EnableInTransitEncryption is false"),
    ("unknown-flag", U, "CKV_EMRSEC_1 cannot be decided"),
    ("defined-elsewhere", U, "not defined in the project"),
    (Ref("!Ref Other", address="Other", unit="t"), U, "not defined in the project"),
    (Unresolved("var.name (a variable without a default)", maybe_absent=False), U, "cannot be resolved"),
    (ABSENT, F, "is missing"),
])
def test_cluster_configuration_encrypts(value: Any, outcome: Outcome, said: str) -> None:
    verdict = evaluate_launches([Variant("", [Launch("SecurityConfiguration", value)], project=PROJECT)])[10]
    assert verdict.outcome is outcome and said in verdict.reason


def test_every_failing_state_is_named() -> None:
    launches = [Launch("States.A.Parameters.SecurityConfiguration", "good"),
                Launch("States.B.Parameters.SecurityConfiguration", REF),
                Launch("States.C.Parameters.SecurityConfiguration", ABSENT)]
    verdict = evaluate_launches([Variant("", launches, project=PROJECT)])[10]
    assert verdict.outcome is F and "States.B." in verdict.message and "States.C." in verdict.message


def key(spec: Any = ABSENT, usage: Any = ABSENT, enabled: Any = ABSENT) -> KmsKey:
    return KmsKey("AWS::KMS::Key.K", Setting("KeySpec", spec), Setting("KeyUsage", usage), Setting("Enabled", enabled))


KEY_REF = Ref("!GetAtt K.Arn", address="K", attribute="Arn", unit="t")


def with_key(value: Any, where: str = f"{S3}.AwsKmsKey", base: Any = None) -> dict[str, Any]:
    """`good()` with its local-disk key KEY_REF and `value` at `where`."""
    return with_(where, value, base if base is not None else with_(f"{DISK}.AwsKmsKey", KEY_REF))


@pytest.mark.parametrize(("config", "project_key", "outcome"), [
    (with_key(KEY_REF), key(), P),
    (with_key(KEY_REF), key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", True), P),
    (with_key(KEY_REF), key("RSA_2048", "SIGN_VERIFY"), F),
    (with_key(KEY_REF), key("HMAC_256", "GENERATE_VERIFY_MAC"), F),
    (with_key(KEY_REF), key(enabled=False), F),
    (with_key(KEY_REF), key(enabled="false"), F),
    (with_key(KEY_REF), key(spec=Unresolved("!Ref Spec")), U),
    (with_key(KEY_REF), None, U),  # a reference the project does not define
    (with_key(KEY), None, U),  # a key ARN of a key defined elsewhere
    (with_key("alias/emr"), None, U),
    (with_key("mrk-1234abcd12ab34cd56ef1234567890ab"), None, U),
    (with_key("arn:aws:s3:::my-bucket"), None, F),
    (with_key(""), None, F),
    (with_key(12), None, F),
    (with_key(KEY_REF, f"{DISK}.AwsKmsKey"), key("RSA_2048"), F),
    (with_(f"{ENC}.EMRWALEncryptionConfiguration", {"AwsKmsKey": KEY_REF}), key(enabled=False), F),
    (with_(f"{S3}.Overrides", [{"BucketName": "b", "EncryptionMode": "SSE-KMS", "AwsKmsKey": KEY_REF}]), key("RSA_2048"), F),
    (with_(f"{S3}.AwsKmsKey", MISSING, with_(f"{DISK}.AwsKmsKey", MISSING)), None, P),  # names no key
    (with_(f"{AT_REST}.S3EncryptionConfiguration", Unresolved("var.s3")), None, U),
    (Invalid("Expecting value: line 1 column 1 (char 0)"), None, F),
    (Unresolved("var.configuration"), None, U),
])
def test_kms_keys_are_usable(config: Any, project_key: KmsKey | None, outcome: Outcome) -> None:
    keys = {KEY_REF: project_key} if project_key else {}
    verdict = evaluate_keys([Variant("", config, project=_Project(keys=keys))])
    assert verdict.outcome is outcome, verdict


def test_every_unusable_key_is_named() -> None:
    config = with_key(KEY_REF, f"{DISK}.AwsKmsKey", with_key("arn:aws:s3:::b"))
    verdict = evaluate_keys([Variant("", config, project=_Project(keys={KEY_REF: key("RSA_2048", "SIGN_VERIFY")}))])
    assert verdict.outcome is F and "no KMS key identifier" in verdict.message and "RSA_2048" in verdict.message




# --- a finding lists every defect, each with its own fix -----------------------------------------------------

def test_one_defect_does_not_hide_the_next() -> None:
    config = with_(f"{ENC}.EnableAtRestEncryption", False, with_(f"{S3}.AwsKmsKey", MISSING))
    verdict = evaluate([Variant("", config)])[3]
    assert [d.path for d in verdict.defects] == [f"{ENC}.EnableAtRestEncryption", f"{S3}.AwsKmsKey"]
    assert f"Set {ENC}.EnableAtRestEncryption to true" in verdict.fixes and f"add {S3}.AwsKmsKey" in verdict.fixes


def test_a_fix_never_asks_for_what_is_already_there() -> None:
    verdict = evaluate([Variant("", with_(f"{S3}.AwsKmsKey", MISSING))])[3]
    assert "EnableAtRestEncryption" not in verdict.fixes and verdict.fixes.startswith(f"Add {S3}.AwsKmsKey")


def test_a_parse_error_gets_a_syntax_fix() -> None:
    verdict = evaluate([Variant("", Invalid("is not valid JSON: Expecting value at line 3, column 1"))])[1]
    assert "encryption" not in verdict.fixes.lower() and "where the error says" in verdict.fixes


def test_an_unknown_key_beside_a_missing_one_is_named() -> None:
    config = with_(f"{S3}.KmsKeyArn", KEY, with_(f"{S3}.AwsKmsKey", MISSING))
    verdict = evaluate([Variant("", config)])[3]
    assert '"KmsKeyArn"' in verdict.reason and 'remove "KmsKeyArn"' in verdict.fixes


def test_check_7_names_every_unresolved_value() -> None:
    config = with_(f"{ENC}.EnableInTransitEncryption", Unresolved("var.transit (a variable without a default)"),
                   with_(f"{S3}.EncryptionMode", Unresolved("data.aws_ssm_parameter.mode.value")))
    verdict = evaluate([Variant("", config)])[7]
    assert "var.transit" in verdict.message and "data.aws_ssm_parameter.mode.value" in verdict.message
    assert verdict.message.endswith("so CKV_EMRSEC_2,3,6 cannot be decided")
