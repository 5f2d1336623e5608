"""The pack as users meet it: metadata, generated docs, the examples, the command, an installed copy."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from checkov.common.bridgecrew.severities import BcSeverities

import expectations
from checkov_emr_security import docs
from checkov_runs import REPO, checkov_emr, plain_checkov, records
from emrsec.catalog import CHECKS, RESOURCE_CHECKS

RESOURCE_CHECK_IDS = {spec.id for spec in RESOURCE_CHECKS}  # CKV_EMRSEC_9 needs a file the scan cannot read


def test_catalog_is_complete_and_unique() -> None:
    assert [spec.number for spec in CHECKS] == list(range(1, len(CHECKS) + 1))
    assert len({spec.name for spec in CHECKS}) == len(CHECKS)
    for spec in CHECKS:
        assert spec.name and spec.passes_when and spec.fix, spec.id
        assert hasattr(BcSeverities, spec.severity), spec.id
    assert {spec.control for spec in CHECKS} >= {"EMR.3", "EMR.4"}


def test_readme_is_generated_from_the_catalog() -> None:
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    assert docs.generated() in readme, "README.md is stale: run python -m checkov_emr_security.docs"
    for spec in CHECKS:
        assert f"### {spec.id}\n" in readme and spec.guideline.endswith(f"#{spec.anchor}")


def test_readme_examples_pass_their_checks(tmp_path) -> None:
    for spec in RESOURCE_CHECKS:
        for folder, name, render in ((f"tf_{spec.number}", "main.tf", docs.terraform_example),
                                     (f"cfn_{spec.number}", "template.yaml", docs.cloudformation_example)):
            os.makedirs(tmp_path / folder)
            (tmp_path / folder / name).write_text(render(spec) + "\n", encoding="utf-8")
    found = records(checkov_emr("-d", str(tmp_path), "-o", "json"))
    for spec in RESOURCE_CHECKS:
        for folder in (f"tf_{spec.number}", f"cfn_{spec.number}"):
            results = {r["check_result"]["result"] for r in found
                       if r["check_id"] == spec.id and r["file_path"].lstrip("/").startswith(folder + "/")}
            assert results == {"PASSED"}, (spec.id, folder, results)


def test_examples_folder_is_judged_as_it_says() -> None:
    completed = checkov_emr("-d", "examples", "-o", "json")
    assert completed.returncode == 1
    actual = {(r["file_path"].lstrip("/").split("/")[0], r["resource"], r["check_id"], r["check_result"]["result"])
              for r in records(completed)}
    root = os.path.join(REPO, "examples")
    expected = {(unit, *finding) for unit in expectations.units(root) for finding in expectations.expected(root, unit)}
    assert actual == expected
    assert {check for _, _, check, _ in actual} == RESOURCE_CHECK_IDS


def test_soft_fail_and_compact_pass_through() -> None:
    completed = checkov_emr("-d", "examples", "--soft-fail", "--compact")
    assert completed.returncode == 0
    assert "CKV_EMRSEC_2" in completed.stdout and "Details: EncryptionConfiguration." in completed.stdout


def test_cloudformation_findings_show_path_and_fix_in_cli() -> None:
    completed = checkov_emr("-f", "examples/cloudformation/template.yaml", "--compact")
    assert ("Details: EncryptionConfiguration.InTransitEncryptionConfiguration.TLSCertificateConfiguration.S3Object"
            " is missing") in completed.stdout
    assert "Fix: " in completed.stdout


def test_plain_checkov_json_carries_cloudformation_details() -> None:
    completed = plain_checkov("-f", "examples/cloudformation/template.yaml", "--external-checks-dir",
                              os.path.join(REPO, "checks"), "--check", "CKV_EMRSEC_*", "-o", "json")
    failed = [r for r in records(completed) if r["check_result"]["result"] == "FAILED"]
    assert failed and all(r["check_result"]["details"][0].startswith("EncryptionConfiguration.") for r in failed)


def test_list_and_checks_dir() -> None:
    listing = checkov_emr("--list").stdout
    assert all(spec.id in listing and spec.severity in listing for spec in CHECKS)
    assert checkov_emr("--checks-dir").stdout.strip() == os.path.join(REPO, "checks")


def test_sarif_rules_carry_ids_and_help_links(tmp_path) -> None:
    checkov_emr("-d", "examples", "-o", "sarif", "--output-file-path", str(tmp_path))
    with open(tmp_path / "results_sarif.sarif", encoding="utf-8") as handle:
        sarif = json.load(handle)
    rules = {rule["id"]: rule for run in sarif["runs"] for rule in run["tool"]["driver"]["rules"]}
    assert {"CKV_EMRSEC_2", "CKV_EMRSEC_5", "CKV_EMRSEC_6"} <= set(rules)
    for rule_id, rule in rules.items():
        assert rule["helpUri"] == f"https://github.com/checkov-emr-security/checkov-emr-security#{rule_id.lower()}"


def test_an_installed_copy_is_self_contained(tmp_path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(target), REPO], check=True, capture_output=True, timeout=600)
    checks_dir = target / "checkov_emr_security" / "checks"
    assert (checks_dir / "__init__.py").is_file() and (checks_dir / "emrsec" / "policy.py").is_file()
    completed = plain_checkov("-d", "examples", "--external-checks-dir", str(checks_dir), "--check", "CKV_EMRSEC_*",
                              "-o", "json", cwd=REPO)
    assert {r["check_id"] for r in records(completed)} == RESOURCE_CHECK_IDS


def test_explain_renders_the_readme_section() -> None:
    spec = CHECKS[3]
    assert checkov_emr("--explain", spec.id.lower()).stdout.strip() == docs.check_section(spec, heading="#").strip()
    assert checkov_emr("--explain", "CKV_NOPE").returncode == 2
