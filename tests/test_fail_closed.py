"""Fail closed: EMR files the scan cannot read are CKV_EMRSEC_9 findings in every output, EMR resources it cannot
see are warnings, and a path that does not exist is an error."""
from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree

import jsonschema
import pytest

import expectations
from checkov_emr_security import left_out, unseen
from checkov_runs import REPO, checkov_emr, records

FAIL_CLOSED = os.path.join(REPO, "tests", "fixtures", "fail_closed")
SARIF_SCHEMA = os.path.join(REPO, "tests", "schemas", "sarif-2.1.0.json")
BROKEN_EMR = 'resource "aws_emr_security_configuration" "broken" {\n  name          = "broken"\n  configuration = \n}\n'
BROKEN_OTHER = 'resource "aws_s3_bucket" "logs" {\n  bucket = \n}\n'
WARNINGS = {"cdk_app/cdk.json": "run `cdk synth` before the scan",
            "cdktf_app/cdktf.json": "run `cdktf synth` before the scan",
            "registry_module/main.tf": 'module "emr" (terraform-aws-modules/emr/aws) is not downloaded'}


@functools.lru_cache(maxsize=None)
def _scan() -> subprocess.CompletedProcess[str]:
    return checkov_emr("-d", FAIL_CLOSED, "-o", "json")


def _findings(completed: subprocess.CompletedProcess[str]) -> set[tuple[str, str, str]]:
    return {(r["resource"], r["check_id"], r["check_result"]["result"]) for r in records(completed)}


def _unscanned(completed: subprocess.CompletedProcess[str]) -> dict[str, dict]:
    return {r["resource"]: r for r in records(completed) if r["check_id"] == "CKV_EMRSEC_9"}


def _write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def test_unreadable_emr_files_fail_and_the_files_beside_them_are_judged() -> None:
    completed = _scan()
    assert completed.returncode == 1
    stated = {f for unit in expectations.units(FAIL_CLOSED) for f in expectations.expected(FAIL_CLOSED, unit)}
    assert expectations.comparable(_findings(completed), stated) == {f for f in stated if f[2] != "UNKNOWN"}


def test_the_finding_names_the_file_the_error_with_its_line_and_the_fix() -> None:
    found = _unscanned(_scan())
    for resource, line, why, fix in (
            ("broken_terraform/emr.tf", 5, "cannot be parsed: Unexpected token", "fix the syntax error"),
            ("terraform_0_11/legacy.tf", 4, "cannot be parsed, it looks like Terraform 0.11 syntax",
             "terraform 0.12upgrade"),
            ("cloudformation_syntax/broken.yaml", 8, "cannot be parsed: expected ',' or '}'", "fix the syntax error"),
            ("cloudformation_syntax/duplicate.yaml", 8, 'cannot be parsed: Duplicate resource found "Twice"',
             "fix the syntax error"),
            ("terraform_json/cut.tf.json", 6, "cannot be parsed: Expecting ',' delimiter", "fix the syntax error"),
            ("for_each/template.yaml", 5, "holds resources Checkov does not judge: Fn::ForEach::Teams at line 5",
             "--template-stage Processed")):
        record = found[resource]
        assert record["file_path"] == "/" + resource and record["file_line_range"] == [line, line], record
        message, fix_line = record["check_result"].get("details") or record["details"]
        assert message.startswith(f"{resource} {why}"), message
        assert fix_line.startswith("Fix: ") and fix in fix_line, fix_line
        assert record["guideline"].endswith("/docs/checks/CKV_EMRSEC_9.md") and record["severity"] == "MEDIUM"


def test_unparseable_files_without_emr_content_are_no_finding() -> None:
    completed = checkov_emr("-d", os.path.join(FAIL_CLOSED, "not_emr"), "-o", "json")
    assert completed.returncode == 0 and records(completed) == []


def test_exit_codes(tmp_path) -> None:
    _write(str(tmp_path / "emr.tf"), BROKEN_EMR)
    assert checkov_emr("-d", str(tmp_path)).returncode == 1
    assert checkov_emr("-f", str(tmp_path / "emr.tf")).returncode == 1
    assert checkov_emr("-d", str(tmp_path), "--soft-fail").returncode == 0
    assert checkov_emr("-d", str(tmp_path), "--framework", "cloudformation").returncode == 0  # not asked about
    bomb = os.path.join(REPO, "tests", "fixtures", "malformed", "alias_bomb.yaml")
    shutil.copy(bomb, tmp_path / "bomb.yaml")
    assert checkov_emr("-d", str(tmp_path), "--skip-path", "emr.tf", "--skip-path", "bomb").returncode == 0
    skipped = checkov_emr("-d", str(tmp_path), "--skip-check", "CKV_EMRSEC_9", "-o", "json")
    assert skipped.returncode == 0 and records(skipped) == []
    for flag in ("-d", "-f"):
        missing = checkov_emr(flag, str(tmp_path / "no" / "such.tf"))
        assert missing.returncode == 2 and f"no such file or folder: {tmp_path / 'no' / 'such.tf'}" in missing.stderr
    mistaken = checkov_emr("-d", str(tmp_path / "emr.tf"))  # Checkov scans nothing and exits 0
    assert mistaken.returncode == 2 and f"{tmp_path / 'emr.tf'} is a file: scan it with -f" in mistaken.stderr
    assert checkov_emr("-f", str(tmp_path)).returncode == 2


def test_files_given_one_by_one_and_several_folders_are_decided_once(tmp_path) -> None:
    """A -f file the prescan keeps from Checkov is still a finding; with several -d folders (Checkov prints one
    cumulative report per folder) each file is one finding."""
    bomb = os.path.join(REPO, "tests", "fixtures", "malformed", "alias_bomb.yaml")
    alone = checkov_emr("-f", bomb, "-o", "json")
    assert alone.returncode == 1 and [r["file_abs_path"] for r in _unscanned(alone).values()] == [bomb]
    for folder in ("one", "two"):
        _write(str(tmp_path / folder / "emr.tf"), BROKEN_EMR)
    both = checkov_emr("-d", str(tmp_path / "one"), "-d", str(tmp_path / "two"), "-o", "json")
    paths = [r["file_abs_path"] for r in records(both) if r["check_id"] == "CKV_EMRSEC_9"]
    assert sorted(set(paths)) == [str(tmp_path / "one" / "emr.tf"), str(tmp_path / "two" / "emr.tf")]
    assert len(paths) == 3  # the first folder's finding, then both in the second folder's cumulative report


def test_every_output_format_shows_the_finding(tmp_path) -> None:
    _write(str(tmp_path / "scan" / "emr.tf"), BROKEN_EMR)
    out = tmp_path / "out"
    completed = checkov_emr("-d", str(tmp_path / "scan"), "-o", "cli", "-o", "json", "-o", "sarif", "-o", "junitxml",
                            "--output-file-path", str(out))
    assert completed.returncode == 1
    message = "emr.tf cannot be parsed: Unexpected token"
    cli = (out / "results_cli.txt").read_text(encoding="utf-8")
    assert "CKV_EMRSEC_9" in cli and message in cli and "Fix: fix the syntax error" in cli
    report = json.loads((out / "results_json.json").read_text(encoding="utf-8"))
    assert [r["check_id"] for r in report["results"]["failed_checks"]] == ["CKV_EMRSEC_9"]
    sarif = json.loads((out / "results_sarif.sarif").read_text(encoding="utf-8"))
    (result,) = sarif["runs"][0]["results"]
    assert result["ruleId"] == "CKV_EMRSEC_9" and message in result["message"]["text"]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    (failure,) = [case.find("failure") for case in ElementTree.parse(out / "results_junitxml.xml").iter("testcase")]
    assert message in failure.text and "Fix: " in failure.text
    annotations = checkov_emr("--github-annotations", str(out / "results_sarif.sarif")).stdout.splitlines()
    assert len(annotations) == 1 and re.match(r"::\w+ file=\S*emr\.tf,line=3,.*title=CKV_EMRSEC_9::", annotations[0])


def test_the_hook_blocks_a_broken_emr_file_and_not_a_broken_other_file(tmp_path) -> None:
    _write(str(tmp_path / "infra" / "emr.tf"), BROKEN_EMR)
    _write(str(tmp_path / "network" / "logs.tf"), BROKEN_OTHER)
    blocked = checkov_emr("--pre-commit", "infra/emr.tf", cwd=str(tmp_path))
    assert blocked.returncode == 1 and "CKV_EMRSEC_9" in blocked.stdout and "emr.tf cannot be parsed" in blocked.stdout
    assert checkov_emr("--pre-commit", "network/logs.tf", cwd=str(tmp_path)).returncode == 0


def test_a_dropped_serverless_fragment_fails_when_only_serverless_yml_is_scanned() -> None:
    folder = os.path.join(FAIL_CLOSED, "serverless_fragment")
    completed = checkov_emr("-f", os.path.join(folder, "serverless.yml"), "-o", "json")
    found = _findings(completed)
    assert ("AWS::EMR::SecurityConfiguration.Inline", "CKV_EMRSEC_1", "FAILED") in found
    (fragment,) = _unscanned(completed).values()
    assert fragment["file_abs_path"] == os.path.join(folder, "emr.yml")
    assert "serverless runner drops" in fragment["details"][0]


def test_warnings_name_the_emr_resources_the_scan_cannot_see() -> None:
    completed = _scan()
    for path, text in WARNINGS.items():
        assert re.search(rf"checkov-emr: warning: \S*fail_closed/{re.escape(path)}:\d+: .*{re.escape(text)}",
                         completed.stderr), path
    assert "terraform-aws-modules/vpc/aws" not in completed.stderr  # a remote module that does not say EMR
    summaries = [report["summary"] for report in json.loads(completed.stdout)]
    assert all(len(summary["checkov_emr_warnings"]) == len(WARNINGS) for summary in summaries)


SYNTHESIZED = {"Resources": {"Emr": {"Type": "AWS::EMR::SecurityConfiguration",
                                     "Properties": {"SecurityConfiguration": "{}"}}}}


def test_a_synthesized_app_is_scanned_without_warning(tmp_path) -> None:
    app = tmp_path / "app"
    shutil.copytree(os.path.join(FAIL_CLOSED, "cdk_app"), app)
    _write(str(app / "cdk.out" / "Analytics.template.json"), json.dumps(SYNTHESIZED))
    completed = checkov_emr("-d", str(tmp_path), "-o", "json")
    assert completed.returncode == 1 and "warning" not in completed.stderr  # the template's own findings


@pytest.mark.parametrize(("output", "template", "says"), [
    ("cdk.out", {"Resources": {}}, "its synthesized cdk.out/ holds none of them: run `cdk synth` again"),
    (".cdkout", SYNTHESIZED, "synthesizes into"),  # Checkov skips hidden folders
])
def test_a_synthesis_the_scan_does_not_judge_is_a_warning(tmp_path, output, template, says) -> None:
    app = tmp_path / "app"
    shutil.copytree(os.path.join(FAIL_CLOSED, "cdk_app"), app)
    manifest = json.loads((app / "cdk.json").read_text(encoding="utf-8"))
    (app / "cdk.json").write_text(json.dumps({**manifest, "output": output}), encoding="utf-8")
    _write(str(app / output / "Analytics.template.json"), json.dumps(template))
    completed = checkov_emr("-d", str(tmp_path), "-o", "json")
    assert says in completed.stderr


def test_remote_modules_that_say_emr_are_the_ones_named() -> None:
    text = ('module "emr" {\n  source = "terraform-aws-modules/emr/aws"\n}\n'
            'module "data_emr" {\n  source = "git::https://example.com/platform.git//cluster"\n}\n'
            'module "local_emr" {\n  source = "./modules/emr"\n}\n'
            'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n'
            'module "emrald" {\n  source = "example/emrald/aws"\n}\n'
            'module "one_line_emr" { source = "terraform-aws-modules/emr/aws" }\n')
    found = unseen.remote_emr_modules("main.tf", text)
    assert [(name, line) for name, _, line in found] == [("emr", 1), ("data_emr", 4), ("one_line_emr", 16)]


def test_for_each_loops_are_found_in_json_templates_too() -> None:
    template = {"Transform": "AWS::LanguageExtensions", "Resources": {
        "Fn::ForEach::Clusters": ["Team", ["a", "b"], {"Cluster${Team}": {"Type": "AWS::EMR::Cluster"}}],
        "Fn::ForEach::Buckets": ["Team", ["a", "b"], {"Bucket${Team}": {"Type": "AWS::S3::Bucket"}}]}}
    assert left_out.for_each_loops(json.dumps(template, indent=2)) == [("Clusters", 4)]


def test_sarif_carries_the_warnings_as_valid_notifications_and_annotations_show_them(tmp_path) -> None:
    completed = checkov_emr("-d", FAIL_CLOSED, "-o", "sarif", "--output-file-path", str(tmp_path))
    assert completed.returncode == 1
    with open(tmp_path / "results_sarif.sarif", encoding="utf-8") as handle:
        sarif = json.load(handle)
    with open(SARIF_SCHEMA, encoding="utf-8") as handle:
        schema = json.load(handle)
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert [error.message[:200] for error in validator.iter_errors(sarif)] == []
    (run,) = sarif["runs"]
    notifications = run["invocations"][0]["toolExecutionNotifications"]
    uris = {n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notifications}
    assert {uri.split("fail_closed/", 1)[1] for uri in uris} == set(WARNINGS)
    assert {"CKV_EMRSEC_9"} <= {result["ruleId"] for result in run["results"]}
    lines = checkov_emr("--github-annotations", str(tmp_path / "results_sarif.sarif")).stdout.splitlines()
    assert sum(line.startswith("::warning ") and "title=checkov-emr::" in line for line in lines) == len(WARNINGS)
    unscanned = {f for unit in expectations.units(FAIL_CLOSED) for f in expectations.expected(FAIL_CLOSED, unit)
                 if f[1] == "CKV_EMRSEC_9"}
    assert sum("title=CKV_EMRSEC_9::" in line for line in lines) == len(unscanned)
