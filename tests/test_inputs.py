"""Each input form reduced to the normalized model, free of Checkov: the adapters' edge cases."""
from __future__ import annotations

import json

import pytest

from emrsec import cloudformation_input, terraform_input
from emrsec.policy import Outcome, evaluate
from emrsec.sources import ModuleFiles
from emrsec.values import Invalid, Unresolved

GOOD = {"EncryptionConfiguration": {
    "EnableAtRestEncryption": True, "EnableInTransitEncryption": True,
    "AtRestEncryptionConfiguration": {
        "S3EncryptionConfiguration": {"EncryptionMode": "SSE-KMS", "AwsKmsKey": "arn:aws:kms:eu-west-1:1:key/k"},
        "LocalDiskEncryptionConfiguration": {"EncryptionKeyProviderType": "AwsKms", "AwsKmsKey": "arn:aws:kms:eu-west-1:1:key/k",
                                             "EnableEbsEncryption": True}},
    "InTransitEncryptionConfiguration": {"TLSCertificateConfiguration": {"CertificateProviderType": "PEM",
                                                                         "S3Object": "s3://b/certs.zip"}}}}
ENC = "EncryptionConfiguration"


def outcomes(variants) -> dict[int, Outcome]:
    return {n: v.outcome for n, v in evaluate(variants).items()}


def cfn(value, defaults=None):
    return cloudformation_input.security_configuration({"SecurityConfiguration": value}, defaults or {})


def tf(value, context=terraform_input.Context()):
    return terraform_input.security_configuration({"configuration": [value]}, context)


# --- CloudFormation ---------------------------------------------------------------------------------------

def test_cfn_object_strips_injected_keys() -> None:
    value = json.loads(json.dumps(GOOD))
    value["__startline__"], value[ENC]["__file__"] = 3, "t.yaml"
    [variant] = cfn(value)
    assert variant.value == GOOD


def test_cfn_json_string() -> None:
    [variant] = cfn(json.dumps(GOOD))
    assert variant.value == GOOD


def test_cfn_invalid_json_string_quotes_line_and_column() -> None:
    [variant] = cfn('{\n  "EncryptionConfiguration": {,}\n}')
    assert isinstance(variant.value, Invalid) and "line 2, column 31" in variant.value.reason


def test_cfn_sub_hole_where_a_value_stands_is_unresolved() -> None:
    text = json.dumps(GOOD).replace('"EnableAtRestEncryption": true', '"EnableAtRestEncryption": ${AtRest}')
    [variant] = cfn({"Fn::Sub": text})
    assert variant.value[ENC]["EnableAtRestEncryption"] == Unresolved("${AtRest}")
    assert outcomes(cfn({"Fn::Sub": text}))[7] is Outcome.FAILED


def test_cfn_sub_uses_parameter_defaults_and_variable_maps() -> None:
    text = json.dumps(GOOD).replace('"EnableAtRestEncryption": true', '"EnableAtRestEncryption": ${AtRest}')
    text = text.replace('"SSE-KMS"', '"${Mode}"').replace("arn:aws:kms:eu-west-1:1:key/k", "${Key.Arn}")
    variants = cloudformation_input.security_configuration(
        {"SecurityConfiguration": {"Fn::Sub": [text, {"Mode": "CSE-KMS"}]}}, {"AtRest": "true"})
    assert set(outcomes(variants).values()) == {Outcome.PASSED}
    s3 = variants[0].value[ENC]["AtRestEncryptionConfiguration"]["S3EncryptionConfiguration"]
    assert s3["EncryptionMode"] == "CSE-KMS" and isinstance(s3["AwsKmsKey"], Unresolved)


def test_cfn_sub_literal_escape() -> None:
    [variant] = cfn({"Fn::Sub": '{"A": "${!NotAParameter}"}'})
    assert variant.value == {"A": "${NotAParameter}"}


def test_cfn_join_with_references() -> None:
    text = json.dumps(GOOD)
    before, after = text.split("arn:aws:kms:eu-west-1:1:key/k", 1)
    [variant] = cfn({"Fn::Join": ["", [before, {"Fn::GetAtt": ["Key", "Arn"]}, after]]})
    assert outcomes([variant]) == {n: Outcome.PASSED for n in range(1, 8)}


def test_cfn_if_evaluates_every_branch_and_no_value_removes() -> None:
    bad = json.loads(json.dumps(GOOD))
    bad[ENC]["InTransitEncryptionConfiguration"] = {"Ref": "AWS::NoValue"}
    variants = cfn({"Fn::If": ["IsProd", GOOD, bad]})
    assert [v.condition for v in variants] == ["IsProd is true", "IsProd is false"]
    assert "InTransitEncryptionConfiguration" not in variants[1].value[ENC]
    verdicts = evaluate(variants)
    assert verdicts[2].outcome is Outcome.FAILED and "when IsProd is false" in verdicts[2].reason


def test_cfn_if_nested_in_itself_stays_bounded() -> None:
    node = GOOD
    for level in range(200):
        node = {"Fn::If": [f"C{level}", node, {"Fn::If": [f"D{level}", GOOD, node]}]}
    variants = cfn(node)
    assert len(variants) <= cloudformation_input.MAX_VARIANTS
    assert Outcome.PASSED not in {outcomes(variants)[n] for n in range(1, 7)}


@pytest.mark.parametrize("value", [{"Ref": "ConfigParam"}, {"Fn::ImportValue": "shared-config"},
                                   {"Fn::FindInMap": ["M", "k", "v"]}])
def test_cfn_unresolvable_configuration_is_unknown(value) -> None:
    result = outcomes(cfn(value))
    assert [result[n] for n in range(1, 7)] == [Outcome.UNKNOWN] * 6 and result[7] is Outcome.FAILED


@pytest.mark.parametrize("properties", [None, [], "text", {"SecurityConfiguration": None}, {}])
def test_cfn_broken_properties_fail(properties) -> None:
    result = outcomes(cloudformation_input.security_configuration(properties, {}))
    assert [result[n] for n in range(1, 7)] == [Outcome.FAILED] * 6


def test_cfn_deeply_nested_json_string_fails_cleanly() -> None:
    [variant] = cfn("[" * 100_000 + "]" * 100_000)
    assert isinstance(variant.value, Invalid)


# --- Terraform --------------------------------------------------------------------------------------------

def test_tf_rendered_dict_with_reference_leaves() -> None:
    value = json.loads(json.dumps(GOOD))
    value[ENC]["AtRestEncryptionConfiguration"]["S3EncryptionConfiguration"]["AwsKmsKey"] = "aws_kms_key.k.arn"
    value[ENC]["EnableInTransitEncryption"] = "${var.transit}"
    result = outcomes(tf(value))
    assert result[3] is Outcome.PASSED and result[2] is Outcome.UNKNOWN and result[7] is Outcome.FAILED


def test_tf_jsonencode_python_literal() -> None:
    text = "${jsonencode(" + repr(GOOD) + ")}"
    assert tf(text)[0].value == GOOD


def test_tf_cdktf_jsonencode_hcl_object_syntax() -> None:
    text = ('${jsonencode({"EncryptionConfiguration" = {"EnableAtRestEncryption" = true, "AtRestEncryptionConfiguration" = '
            '{"S3EncryptionConfiguration" = {"EncryptionMode" = "SSE-KMS", "AwsKmsKey" = aws_kms_key.k.arn}}}})}')
    [variant] = tf(text)
    s3 = variant.value[ENC]["AtRestEncryptionConfiguration"]["S3EncryptionConfiguration"]
    assert s3["EncryptionMode"] == "SSE-KMS" and isinstance(s3["AwsKmsKey"], Unresolved)


@pytest.mark.parametrize("text", ["var.config", "${var.config}", "local.cfg", "aws_kms_key.x.arn", "module.emr.config"])
def test_tf_whole_reference_is_unresolved(text) -> None:
    assert isinstance(tf(text)[0].value, Unresolved)


def test_tf_plan_json_string() -> None:
    assert tf(json.dumps(GOOD))[0].value == GOOD


def test_tf_invalid_json() -> None:
    [variant] = tf('{"EncryptionConfiguration": {"EnableAtRestEncryption": true,}}')
    assert isinstance(variant.value, Invalid) and "line 1, column 61" in variant.value.reason


def test_tf_interpolation_where_a_value_stands() -> None:
    [variant] = tf('{"EncryptionConfiguration": {"EnableAtRestEncryption": ${var.on}}}')
    assert variant.value[ENC]["EnableAtRestEncryption"] == Unresolved("${var.on}")


def test_tf_missing_configuration_fails() -> None:
    verdicts = outcomes(terraform_input.security_configuration({}, terraform_input.Context()))
    assert [verdicts[n] for n in range(1, 7)] == [Outcome.FAILED] * 6


def test_tf_file_without_known_folder_is_unresolved() -> None:
    assert isinstance(tf('${file("${path.module}/cfg.json")}')[0].value, Unresolved)


def test_tf_templatefile_renders_literal_variables(tmp_path) -> None:
    template = json.dumps(GOOD).replace('"SSE-KMS"', '"${mode}"').replace('"EnableInTransitEncryption": true',
                                                                          '"EnableInTransitEncryption": ${transit}')
    (tmp_path / "cfg.json.tftpl").write_text(template)
    context = terraform_input.Context(ModuleFiles(str(tmp_path), str(tmp_path)))
    [variant] = tf('${templatefile("${path.module}/cfg.json.tftpl",{\'mode\': \'SSE-S3\', \'transit\': False})}', context)
    result = outcomes([variant])
    assert result[2] is Outcome.FAILED and result[3] is Outcome.PASSED and result[6] is Outcome.FAILED


@pytest.mark.parametrize("relative", ["/etc/passwd", "../outside.json", "link.json", "big.json", "dir"])
def test_tf_file_refuses_what_is_not_a_small_regular_file_inside_the_root(tmp_path, relative) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "outside.json").write_text(json.dumps(GOOD))
    (root / "link.json").symlink_to(tmp_path / "outside.json")
    (root / "big.json").write_text(" " * (2 * 1024 * 1024) + json.dumps(GOOD))
    (root / "dir").mkdir()
    context = terraform_input.Context(ModuleFiles(str(root), str(root)))
    [variant] = tf('${file("' + relative + '")}', context)
    assert isinstance(variant.value, Unresolved)
    assert outcomes([variant])[1] is Outcome.UNKNOWN


def test_tf_deeply_nested_text_fails_cleanly() -> None:
    assert isinstance(tf("[" * 100_000 + "]" * 100_000)[0].value, Invalid)
    assert isinstance(tf("${jsonencode(" + "[" * 100_000 + "]" * 100_000 + ")}")[0].value, Unresolved)


def test_tf_cluster_reference_counts_as_present() -> None:
    [variant] = terraform_input.cluster({"security_configuration": ["aws_emr_security_configuration.x.name"]},
                                        terraform_input.Context())
    assert isinstance(variant.value["security_configuration"], Unresolved)
