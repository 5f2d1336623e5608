"""Each input form reduced to the normalized model, free of Checkov: the adapters' edge cases."""
from __future__ import annotations

import json
import os
from typing import Any

import pytest

from emrsec import cloudformation_input, terraform_input
from emrsec.policy import Outcome, evaluate, evaluate_launches
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


def cfn(value, parameters=None, mappings=None):
    template = cloudformation_input.Template(parameters or {}, mappings or {})
    return cloudformation_input.security_configuration({"SecurityConfiguration": value}, template)


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
    assert variant.value[ENC]["EnableAtRestEncryption"] == Unresolved("${AtRest}", maybe_absent=False)
    assert outcomes(cfn({"Fn::Sub": text}))[7] is Outcome.FAILED


def test_cfn_sub_uses_parameter_defaults_and_variable_maps() -> None:
    text = json.dumps(GOOD).replace('"EnableAtRestEncryption": true', '"EnableAtRestEncryption": ${AtRest}')
    text = text.replace('"SSE-KMS"', '"${Mode}"').replace("arn:aws:kms:eu-west-1:1:key/k", "${Key.Arn}")
    variants = cfn({"Fn::Sub": [text, {"Mode": "CSE-KMS"}]}, {"AtRest": "true"})
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
    assert len(variants) <= 2 ** cloudformation_input.MAX_CONDITIONS
    assert Outcome.PASSED not in {outcomes(variants)[n] for n in range(1, 7)}


@pytest.mark.parametrize("value", [{"Ref": "ConfigParam"}, {"Fn::ImportValue": "shared-config"},
                                   {"Fn::FindInMap": ["M", "k", "v"]}])
def test_cfn_unresolvable_configuration_is_unknown(value) -> None:
    """A Ref to a parameter without a Default, an import, a FindInMap into a missing mapping."""
    result = outcomes(cfn(value))
    assert [result[n] for n in range(1, 7)] == [Outcome.UNKNOWN] * 6 and result[7] is Outcome.FAILED


@pytest.mark.parametrize("properties", [None, [], "text", {"SecurityConfiguration": None}, {}])
def test_cfn_broken_properties_fail(properties) -> None:
    result = outcomes(cloudformation_input.security_configuration(properties))
    assert [result[n] for n in range(1, 7)] == [Outcome.FAILED] * 6


def test_cfn_deeply_nested_json_string_fails_cleanly() -> None:
    [variant] = cfn("[" * 100_000 + "]" * 100_000)
    assert isinstance(variant.value, Invalid)


# --- Terraform ---------------------------------------------------------------------------------------------

def tf(value):
    """Checkov's rendered value alone (plan JSON, or no source found)."""
    return terraform_input.security_configuration({"configuration": [value]}, None, "aws_emr_security_configuration.x")


def tf_source(tmp_path, hcl: str, address: str = "aws_emr_security_configuration.x", files: dict | None = None):
    """A resource evaluated from its .tf source in a module folder, as the pack reads it."""
    (tmp_path / "main.tf").write_text(hcl, encoding="utf-8")
    for name, text in (files or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    location = terraform_input.Location(str(tmp_path), str(tmp_path))
    return terraform_input.security_configuration({}, location, address)


def test_tf_rendered_dict_with_reference_leaves() -> None:
    value = json.loads(json.dumps(GOOD))
    value[ENC]["AtRestEncryptionConfiguration"]["S3EncryptionConfiguration"]["AwsKmsKey"] = "aws_kms_key.k.arn"
    value[ENC]["EnableInTransitEncryption"] = "${var.transit}"
    result = outcomes(tf(value))
    assert result[3] is Outcome.PASSED and result[2] is Outcome.UNKNOWN and result[7] is Outcome.FAILED


def test_tf_rendered_none_is_null() -> None:
    value = json.loads(json.dumps(GOOD))
    value[ENC]["AtRestEncryptionConfiguration"]["S3EncryptionConfiguration"]["AwsKmsKey"] = "None"
    assert outcomes(tf(value))[3] is Outcome.FAILED


def test_tf_jsonencode_python_literal() -> None:
    assert tf("${jsonencode(" + repr(GOOD) + ")}")[0].value == GOOD


@pytest.mark.parametrize("text", ["var.config", "${var.config}", "local.cfg", "aws_kms_key.x.arn", "module.emr.config"])
def test_tf_whole_reference_is_unresolved(text) -> None:
    assert isinstance(tf(text)[0].value, Unresolved)


def test_tf_plan_json_string() -> None:
    location = terraform_input.Location("/nowhere", "/nowhere", plan=True)
    [variant] = terraform_input.security_configuration({"configuration": [json.dumps(GOOD)]}, location, "x.y")
    assert variant.value == GOOD


def test_tf_invalid_json() -> None:
    text = '{"EncryptionConfiguration": {"EnableAtRestEncryption": true,}}'
    with pytest.raises(json.JSONDecodeError) as error:  # the column is this Python's (3.13 counts one lower)
        json.loads(text)
    [variant] = tf(text)
    expected = f"line {error.value.lineno}, column {error.value.colno}"
    assert isinstance(variant.value, Invalid) and expected in variant.value.reason


def test_tf_heredoc_is_parsed_strictly(tmp_path) -> None:
    [variant] = tf_source(tmp_path, 'resource "aws_emr_security_configuration" "x" {\n  configuration = <<EOF\n'
                                    '{"EncryptionConfiguration": {"EnableAtRestEncryption": true,}}\nEOF\n}\n')
    assert isinstance(variant.value, Invalid) and "at line 3 of main.tf, column " in variant.value.reason


def test_tf_quoted_string_escapes(tmp_path) -> None:
    escaped = json.dumps(json.dumps(GOOD))
    [variant] = tf_source(tmp_path, f'resource "aws_emr_security_configuration" "x" {{\n  configuration = {escaped}\n}}\n')
    assert variant.value == GOOD


def test_tf_variables_defaults_tfvars_and_conditionals(tmp_path) -> None:
    hcl = """
variable "transit" { default = false }
variable "mode" { default = "SSE-KMS" }
variable "use_cmk" { default = false }
locals { key = var.use_cmk ? aws_kms_key.k.arn : null }
resource "aws_emr_security_configuration" "x" {
  configuration = jsonencode({ EncryptionConfiguration = {
    EnableAtRestEncryption = true, EnableInTransitEncryption = var.transit
    AtRestEncryptionConfiguration = { S3EncryptionConfiguration = { EncryptionMode = var.mode, AwsKmsKey = local.key } } } })
}
"""
    [variant] = tf_source(tmp_path, hcl, files={"prod.auto.tfvars": 'mode = "CSE-KMS"\n', "terraform.tfvars": 'mode = "SSE-S3"\n'})
    s3 = variant.value[ENC]["AtRestEncryptionConfiguration"]["S3EncryptionConfiguration"]
    assert variant.value[ENC]["EnableInTransitEncryption"] is False and s3["EncryptionMode"] == "CSE-KMS"
    assert s3["AwsKmsKey"] is None  # the conditional's null branch
    assert outcomes([variant])[3] is Outcome.FAILED


def test_tf_count_zero_is_not_created(tmp_path) -> None:
    hcl = 'variable "on" { default = false }\nresource "aws_emr_security_configuration" "x" {\n' \
          '  count = var.on ? 1 : 0\n  configuration = "{}"\n}\n'
    assert tf_source(tmp_path, hcl, "aws_emr_security_configuration.x[0]") == []
    assert Outcome.FAILED not in outcomes([]).values() and Outcome.PASSED not in outcomes([]).values()


def test_tf_module_callers_are_separate_bindings(tmp_path) -> None:
    module = tmp_path / "modules" / "emr"
    module.mkdir(parents=True)
    (module / "main.tf").write_text('variable "mode" {}\nresource "aws_emr_security_configuration" "this" {\n'
                                    '  configuration = jsonencode({ Mode = var.mode })\n}\n')
    for env, mode in (("dev", "SSE-S3"), ("prod", "SSE-KMS")):
        (tmp_path / env).mkdir()
        (tmp_path / env / "main.tf").write_text(f'module "emr" {{\n  source = "../modules/emr"\n  mode = "{mode}"\n}}\n')
    location = terraform_input.Location(str(module), str(tmp_path))
    variants = terraform_input.security_configuration({}, location, "module.emr.aws_emr_security_configuration.this")
    assert sorted((v.condition, v.value["Mode"]) for v in variants) == [("called from dev -> modules/emr", "SSE-S3"),
                                                                         ("called from prod -> modules/emr", "SSE-KMS")]


def test_tf_templatefile_renders_literal_variables(tmp_path) -> None:
    template = json.dumps(GOOD).replace('"SSE-KMS"', '"${mode}"').replace('"EnableInTransitEncryption": true',
                                                                          '"EnableInTransitEncryption": ${transit}')
    hcl = ('resource "aws_emr_security_configuration" "x" {\n  configuration = templatefile('
           '"${path.module}/cfg.json.tftpl", { mode = "SSE-S3", transit = false })\n}\n')
    result = outcomes(tf_source(tmp_path, hcl, files={"cfg.json.tftpl": template}))
    assert result[2] is Outcome.FAILED and result[3] is Outcome.PASSED and result[6] is Outcome.FAILED


@pytest.mark.parametrize("relative", ["/etc/passwd", "../outside.json", "link.json", "big.json", "dir", "missing.json",
                                      "fifo.json"])
def test_tf_file_refuses_what_is_not_a_small_regular_file_inside_the_root(tmp_path, relative) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "outside.json").write_text(json.dumps(GOOD))
    (root / "link.json").symlink_to(tmp_path / "outside.json")
    (root / "big.json").write_text(" " * (2 * 1024 * 1024) + json.dumps(GOOD))
    (root / "dir").mkdir()
    os.mkfifo(root / "fifo.json")  # reading it would block: it must be refused unread
    hcl = f'resource "aws_emr_security_configuration" "x" {{\n  configuration = file("{relative}")\n}}\n'
    [variant] = tf_source(root, hcl)
    assert isinstance(variant.value, Unresolved)
    assert outcomes([variant])[1] is Outcome.UNKNOWN


def test_a_passing_configuration_outside_the_root_cannot_make_a_resource_pass(tmp_path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "good.json").write_text(json.dumps(GOOD))
    (root / "escape.json").symlink_to(tmp_path / "good.json")
    for relative in ("../good.json", "escape.json", str(tmp_path / "good.json")):
        hcl = f'resource "aws_emr_security_configuration" "x" {{\n  configuration = file("{relative}")\n}}\n'
        assert Outcome.PASSED not in {outcomes(tf_source(root, hcl))[n] for n in range(1, 7)}


def test_tf_deeply_nested_text_fails_cleanly() -> None:
    assert isinstance(tf("[" * 100_000 + "]" * 100_000)[0].value, Invalid)
    assert isinstance(tf("${jsonencode(" + "[" * 100_000 + "]" * 100_000 + ")}")[0].value, Unresolved)


def test_tf_cluster_reference_counts_as_present() -> None:
    [variant] = terraform_input.launching({"security_configuration": ["aws_emr_security_configuration.x.name"]}, None,
                                          "aws_emr_cluster.c", "aws_emr_cluster")
    [launch] = variant.value
    assert isinstance(launch.value, Unresolved) and not launch.value.maybe_absent


def test_cfn_one_truth_value_per_condition() -> None:
    value = json.loads(json.dumps(GOOD))
    s3 = value[ENC]["AtRestEncryptionConfiguration"]["S3EncryptionConfiguration"]
    s3["EncryptionMode"] = {"Fn::If": ["IsProd", "SSE-KMS", "SSE-S3"]}
    s3["AwsKmsKey"] = {"Fn::If": ["IsProd", {"Ref": "Key"}, {"Ref": "AWS::NoValue"}]}
    variants = cfn(value)
    assert [v.condition for v in variants] == ["IsProd is true", "IsProd is false"]
    result = evaluate(variants)
    assert result[3].outcome is Outcome.PASSED and result[6].outcome is Outcome.FAILED
    assert result[6].reason.endswith("(when IsProd is false)")


def test_cfn_parameters_mappings_select_and_to_json_string() -> None:
    value = json.loads(json.dumps(GOOD))
    value[ENC]["EnableInTransitEncryption"] = {"Fn::FindInMap": ["Env", {"Ref": "Stage"}, "Tls"]}
    value[ENC]["AtRestEncryptionConfiguration"]["S3EncryptionConfiguration"]["EncryptionMode"] = {
        "Fn::Select": [1, ["SSE-KMS", "SSE-S3"]]}
    variants = cfn({"Fn::ToJsonString": value}, {"Stage": "dev"}, {"Env": {"dev": {"Tls": "false"}}})
    result = outcomes(variants)
    assert result[2] is Outcome.FAILED and result[6] is Outcome.FAILED and result[7] is Outcome.PASSED


def test_cfn_ssm_parameter_defaults_are_not_values() -> None:
    template = cloudformation_input.Template.from_document({"Parameters": {
        "Tls": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/platform/tls"},
        "On": {"Type": "String", "Default": True}}})
    assert template.parameters == {"On": "true"}


def test_cfn_non_ascii_lookalikes_are_not_enum_values() -> None:
    value = json.loads(json.dumps(GOOD))
    value[ENC]["AtRestEncryptionConfiguration"]["S3EncryptionConfiguration"]["EncryptionMode"] = "SSE-\u212aMS"
    assert outcomes(cfn(value))[3] is Outcome.FAILED


def test_cfn_too_many_conditions_never_count_as_present() -> None:
    chain: Any = {"Ref": "AWS::NoValue"}
    for level in range(10):
        chain = {"Fn::If": [f"C{level}", "emr-sec", chain]}
    [variant] = cloudformation_input.cluster({"SecurityConfiguration": chain})
    assert evaluate_launches([variant])[8].outcome is not Outcome.PASSED


def test_cfn_findings_say_which_parameter_or_mapping_a_value_came_from() -> None:
    document = {"Parameters": {"Transit": {"Type": "String", "Default": "false", "__startline__": 3}},
                "Mappings": {"Modes": {"prod": {"S3": "SSE-S3"}}}}
    template = cloudformation_input.Template.from_document(document, path="/repo/stack.yaml")
    value = json.loads(json.dumps(GOOD))
    value[ENC]["EnableInTransitEncryption"] = {"Ref": "Transit"}
    value[ENC]["AtRestEncryptionConfiguration"]["S3EncryptionConfiguration"]["EncryptionMode"] = {
        "Fn::FindInMap": ["Modes", "prod", "S3"]}
    results = evaluate(cloudformation_input.security_configuration({"SecurityConfiguration": value}, template))
    assert "(from parameter Transit, default in stack.yaml:3)" in results[2].message
    assert "(from mapping Modes)" in results[6].message


def test_cfn_findings_use_the_property_name() -> None:
    [variant] = cloudformation_input.security_configuration({"SecurityConfiguration": None})
    assert evaluate([variant])[1].message == "SecurityConfiguration must be a JSON object, found null"
