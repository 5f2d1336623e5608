"""The pack as users meet it: metadata, generated docs, the examples, the command, an installed copy."""
from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile

import pytest
from checkov.common.bridgecrew.severities import BcSeverities

import expectations
from checkov_emr_security import __version__, docs
from checkov_runs import REPO, checkov_emr, plain_checkov, records
from emrsec.catalog import CHECKS, FILE, PROJECT_URL, RESOURCE_CHECKS

RESOURCE_CHECK_IDS = {spec.id for spec in RESOURCE_CHECKS}  # CKV_EMRSEC_9 needs a file the scan cannot read


def test_catalog_is_complete_and_unique() -> None:
    assert [spec.number for spec in CHECKS] == list(range(1, len(CHECKS) + 1))
    assert len({spec.name for spec in CHECKS}) == len(CHECKS)
    for spec in CHECKS:
        assert spec.name and spec.passes_when and spec.fix, spec.id
        assert hasattr(BcSeverities, spec.severity), spec.id
    assert {spec.control for spec in CHECKS} >= {"EMR.3", "EMR.4"}


def test_check_pages_are_generated_from_the_catalog() -> None:
    on_disk = {os.path.join(docs.PAGES_DIR, name) for name in os.listdir(os.path.join(REPO, docs.PAGES_DIR))}
    assert on_disk == set(docs.pages()), "docs/checks is stale: run python -m checkov_emr_security.docs"
    for path, text in docs.pages().items():
        with open(os.path.join(REPO, path), encoding="utf-8") as handle:
            assert handle.read() == text, f"{path} is stale: run python -m checkov_emr_security.docs"
    for spec in CHECKS:
        assert spec.guideline == f"{PROJECT_URL}/blob/main/docs/checks/{spec.id}.md"
        for section in ("## What it checks", "## Why", "## Examples", "## How to fix", "## How to suppress",
                        "## References"):
            assert f"\n{section}\n" in docs.page(spec), (spec.id, section)


def test_pages_render_for_a_check_of_a_kind_no_format_knows() -> None:
    spec = dataclasses.replace(CHECKS[0], number=99, resource="state machine", why="",
                               example={"SecurityConfiguration": "emr-encrypted"}, failing_example={})
    rendered = docs.page(spec)
    assert rendered.startswith("# CKV_EMRSEC_99: ") and '"SecurityConfiguration": "emr-encrypted"' in rendered


def test_page_examples_get_their_verdicts(tmp_path) -> None:
    """Every page's failing example fails its check and its passing example passes, in each format Checkov reads."""
    formats = {"Terraform": "main.tf", "CloudFormation": "template.yaml"}
    written = []
    for spec in CHECKS:
        for title, name in formats.items():
            for passing in (True, False):
                snippet = docs.example(spec, title, passing)
                if snippet is not None:
                    folder = tmp_path / f"{spec.number}_{name.split('.')[0]}_{'pass' if passing else 'fail'}"
                    os.makedirs(folder)
                    (folder / name).write_text(snippet + "\n", encoding="utf-8")
                    written.append((spec, folder.name, passing))
    assert {spec.id for spec, _, _ in written} == {spec.id for spec in CHECKS}
    found = records(checkov_emr("-d", str(tmp_path), "-o", "json"))
    for spec, folder, passing in written:
        results = {r["check_result"]["result"] for r in found
                   if r["check_id"] == spec.id and r["file_path"].lstrip("/").startswith(folder + "/")}
        if passing:
            assert results <= {"PASSED"} and (results or spec.resource == FILE), (spec.id, folder, results)
        else:
            assert results == {"FAILED"}, (spec.id, folder, results)


def test_readme_is_short_and_states_what_it_needs() -> None:
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    with open(os.path.join(REPO, "setup.py"), encoding="utf-8") as handle:
        (checkov,) = re.findall(r'"checkov(>=[^"]+)"', handle.read())
    assert len(readme.splitlines()) <= 150
    assert f"Checkov `{checkov}`" in readme
    assert "pip install . && checkov-emr -d examples" in readme and "pip install '.[test]' && python -m pytest tests" in readme
    with open(os.path.join(REPO, ".ci", "run"), encoding="utf-8") as handle:
        assert "pip install '.[test]' && python -m pytest tests\n" in handle.read()  # CI runs what the README says
    for link in re.findall(r"\]\(((?:docs|examples)/[^)#]+|CHANGELOG.md|LICENSE)", readme):
        assert os.path.exists(os.path.join(REPO, link)), link


def test_documented_suppression_leaves_nothing_failing(tmp_path) -> None:
    """docs/usage.md's skip example: every check the scratch configuration fails is skipped, none left failing."""
    with open(os.path.join(REPO, "docs", "usage.md"), encoding="utf-8") as handle:
        (snippet,) = re.findall(r'```hcl\n(resource "aws_emr_security_configuration" "scratch".*?)```', handle.read(),
                                re.DOTALL)
    (tmp_path / "main.tf").write_text(snippet, encoding="utf-8")
    results = {(r["check_id"], r["check_result"]["result"]) for r in records(checkov_emr("-d", str(tmp_path), "-o", "json"))}
    assert {check for check, result in results if result == "SKIPPED"} == {"CKV_EMRSEC_4", "CKV_EMRSEC_5"}
    assert not {check for check, result in results if result == "FAILED"}


def test_examples_folder_is_judged_as_it_says() -> None:
    completed = checkov_emr("-d", "examples", "-o", "json")
    assert completed.returncode == 1
    actual = {(r["file_path"].lstrip("/").split("/")[0], r["resource"], r["check_id"], r["check_result"]["result"])
              for r in records(completed)}
    root = os.path.join(REPO, "examples")
    expected = {(unit, *finding) for unit in expectations.units(root) for finding in expectations.expected(root, unit)
                if finding[2] != "UNKNOWN"}  # Checkov reports no UNKNOWN result
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
    header, *rows, frameworks = checkov_emr("--list").stdout.splitlines()
    assert [row.split()[:2] for row in rows] == [[spec.id, spec.severity] for spec in CHECKS]
    for column in ("SEVERITY", "HUB", "NAME"):  # every row's cells start under their heading
        at = header.index(column)
        assert all(row[at - 1] == " " and row[at] != " " for row in rows), (column, rows)
    assert frameworks.startswith("frameworks: ")
    assert checkov_emr("--list", "extra").returncode == 2
    assert checkov_emr("--checks-dir").stdout.strip() == os.path.join(REPO, "checks")


def test_version_names_the_pack_and_checkov() -> None:
    from importlib.metadata import version

    completed = checkov_emr("--version")
    assert completed.returncode == 0
    assert completed.stdout.splitlines() == [f"checkov-emr-security {__version__}", f"checkov {version('checkov')}"]


@pytest.mark.parametrize("args", [("--list",), ("--explain", "CKV_EMRSEC_1"), ("--version",)])
def test_a_reader_that_stops_early_gets_no_traceback(args: tuple[str, ...]) -> None:
    """`checkov-emr --list | head -1`: the pipe is closed before the pack writes to it."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        completed = subprocess.run([sys.executable, "-m", "checkov_emr_security.cli", *args], cwd=REPO,
                                   stdout=writer, stderr=subprocess.PIPE, text=True, timeout=300)
    finally:
        os.close(writer)
    assert completed.returncode == 0 and "Traceback" not in completed.stderr, completed.stderr


def test_sarif_rule_levels_agree_with_result_levels(tmp_path) -> None:
    checkov_emr("-d", "examples", "-o", "sarif", "--output-file-path", str(tmp_path))
    with open(tmp_path / "results_sarif.sarif", encoding="utf-8") as handle:
        (run,) = json.load(handle)["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert run["results"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["defaultConfiguration"]["level"] == result["level"], result["ruleId"]


def test_sarif_rules_carry_ids_and_help_links(tmp_path) -> None:
    checkov_emr("-d", "examples", "-o", "sarif", "--output-file-path", str(tmp_path))
    with open(tmp_path / "results_sarif.sarif", encoding="utf-8") as handle:
        sarif = json.load(handle)
    rules = {rule["id"]: rule for run in sarif["runs"] for rule in run["tool"]["driver"]["rules"]}
    assert {"CKV_EMRSEC_2", "CKV_EMRSEC_5", "CKV_EMRSEC_6"} <= set(rules)
    for rule_id, rule in rules.items():
        assert rule["helpUri"] == f"{PROJECT_URL}/blob/main/docs/checks/{rule_id}.md"


def test_an_installed_copy_is_self_contained(tmp_path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(target), REPO], check=True, capture_output=True, timeout=600)
    checks_dir = target / "checkov_emr_security" / "checks"
    assert (checks_dir / "__init__.py").is_file() and (checks_dir / "emrsec" / "policy.py").is_file()
    completed = plain_checkov("-d", "examples", "--external-checks-dir", str(checks_dir), "--check", "CKV_EMRSEC_*",
                              "-o", "json", cwd=REPO)
    assert {r["check_id"] for r in records(completed)} == RESOURCE_CHECK_IDS


def test_explain_prints_the_check_page() -> None:
    spec = CHECKS[3]
    assert checkov_emr("--explain", spec.id.lower()).stdout.strip() == docs.page(spec).strip()
    assert checkov_emr("--explain", "CKV_NOPE").returncode == 2
    extra = checkov_emr("--explain", "CKV_EMRSEC_2", "extra")
    assert extra.returncode == 2 and "extra" in extra.stderr and not extra.stdout


@pytest.mark.slow
def test_the_built_wheel_works_alone_and_the_sdist_carries_the_tests(tmp_path) -> None:
    """Builds wheel and sdist as a release would, installs the wheel with its dependencies in a fresh
    virtualenv and scans a fixture with it, away from the source tree."""
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(tmp_path / "dist"), REPO], check=True,
                   capture_output=True, timeout=900)
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    (sdist,) = (tmp_path / "dist").glob("*.tar.gz")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names), names
    assert {"checkov_emr_security/checks/__init__.py", "checkov_emr_security/checks/emrsec/catalog.py"} <= set(names)
    with tarfile.open(sdist) as archive:
        root = archive.getnames()[0].split("/")[0]
        carried = {name[len(root) + 1:] for name in archive.getnames()}
    assert {"LICENSE", "CHANGELOG.md", ".pre-commit-hooks.yaml", "action.yml", "tests/conftest.py",
            "tests/checkov_runs.py", "tests/expectations.py", "tests/schemas/sarif-2.1.0.json",
            "examples/terraform/main.tf", "examples/ide/.checkov.yaml", "docs/checks/CKV_EMRSEC_1.md"} <= carried
    assert any(name.startswith("tests/fixtures/terraform/") for name in carried)

    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "venv")], check=True, timeout=300)
    bin_dir = tmp_path / "venv" / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], check=True,
                   capture_output=True, timeout=1800)
    shutil.copytree(os.path.join(REPO, "examples"), tmp_path / "scan" / "examples")
    command = str(bin_dir / "checkov-emr")
    version = subprocess.run([command, "--version"], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert version.stdout.startswith(f"checkov-emr-security {__version__}\ncheckov 3."), version.stdout
    explained = subprocess.run([command, "--explain", "CKV_EMRSEC_1"], capture_output=True, text=True,
                               timeout=300, cwd=tmp_path)
    assert explained.stdout == docs.page(CHECKS[0]) + "\n"
    scan = subprocess.run([command, "-d", "examples", "-o", "json"], capture_output=True, text=True, timeout=900,
                          cwd=tmp_path / "scan")
    assert {r["check_id"] for r in records(scan)} == RESOURCE_CHECK_IDS
