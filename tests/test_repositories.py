"""Repositories laid out as public EMR repositories are (a wrapper module with examples/, envs calling
../../modules, a module outside the repository, a Serverless service), each scanned from several folders as
users do.

Each layout under tests/fixtures/repositories/ states, per scanned folder or file, every verdict:
`from examples/spark: expect module.emr.aws_emr_cluster.this => FAILED:8`. The layout is copied and made a git
work tree (its `repo/` folder when it has one, so a module can lie outside it), as a user's checkout is.
"""
from __future__ import annotations

import os
import pathlib
import shutil
import subprocess

import pytest

import expectations
from checkov_runs import REPO, checkov_emr, plain_checkov_with_pack, records, reports

LAYOUTS = os.path.join(REPO, "tests", "fixtures", "repositories")


def _stated(layout: str) -> dict[str, set[expectations.Finding]]:
    stated: dict[str, set[expectations.Finding]] = {}
    for folder, _, names in os.walk(os.path.join(LAYOUTS, layout)):
        for name in names:
            text = pathlib.Path(folder, name).read_text(encoding="utf-8")
            for scan, finding in expectations.scoped(text):
                stated.setdefault(scan, set()).add(finding)
    return stated


def _cases() -> list[tuple[str, str]]:
    return [(layout, scan) for layout in sorted(os.listdir(LAYOUTS)) for scan in sorted(_stated(layout))]


def _checkout(layout: str, tmp_path: pathlib.Path) -> pathlib.Path:
    copy = tmp_path / layout
    shutil.copytree(os.path.join(LAYOUTS, layout), copy, symlinks=True)
    work_tree = copy / "repo" if (copy / "repo").is_dir() else copy
    subprocess.run(["git", "init", "-q", str(work_tree)], check=True)
    return copy


RUNNERS = {
    "checkov-emr": lambda target, cwd: checkov_emr(*target, "-o", "json", cwd=cwd),
    "plain-checkov": lambda target, cwd: plain_checkov_with_pack(*target, cwd=cwd),
}


@pytest.mark.parametrize("runner", sorted(RUNNERS))
@pytest.mark.parametrize(("layout", "scan"), _cases())
def test_layout_verdicts(runner: str, layout: str, scan: str, tmp_path: pathlib.Path) -> None:
    checkout = _checkout(layout, tmp_path)
    target = ["-f", scan] if os.path.isfile(checkout / scan) else ["-d", scan]
    completed = RUNNERS[runner](target, str(checkout))
    actual = expectations.comparable({(r["resource"], r["check_id"], r["check_result"]["result"])
                                      for r in records(completed)}, _stated(layout)[scan])
    expected = {f for f in _stated(layout)[scan] if f[2] != "UNKNOWN"}
    assert sorted(actual - expected) == [], "reported but not expected"
    assert sorted(expected - actual) == [], "expected but not reported"


def _failure_messages(layout: str, scan: str, tmp_path: pathlib.Path) -> dict[str, str]:
    checkout = _checkout(layout, tmp_path)
    return {r["check_id"]: r["details"][0] for r in records(checkov_emr("-d", scan, "-o", "json", cwd=str(checkout)))
            if r["check_result"]["result"] == "FAILED"}


def test_failures_name_the_root_chain_and_where_the_value_came_from(tmp_path: pathlib.Path) -> None:
    messages = _failure_messages("wrapper_examples", ".", tmp_path)
    assert messages["CKV_EMRSEC_2"] == (
        "EncryptionConfiguration.EnableInTransitEncryption is false (from var.security_configuration, "
        "passed by examples/public-cluster/main.tf:11) (when called from examples/public-cluster -> ./); "
        "EncryptionConfiguration.InTransitEncryptionConfiguration is missing (from var.security_configuration, "
        "passed by examples/public-cluster/main.tf:11) (when called from examples/public-cluster -> ./); used by "
        "module.emr.aws_emr_cluster.this in ./: a cluster cannot switch configuration, re-create it after the fix")
    assert messages["CKV_EMRSEC_8"] == ("security_configuration is missing (from var.security_configuration_name, "
                                        "default in variables.tf:17) (when called from examples/minimal -> ./)")


def test_a_value_forwarded_by_a_caller_names_the_tfvars_file(tmp_path: pathlib.Path) -> None:
    messages = _failure_messages("envs_modules", "envs/dev", tmp_path)
    assert messages["CKV_EMRSEC_2"] == (
        "EncryptionConfiguration.EnableInTransitEncryption is false (from var.in_transit, passed by "
        "envs/dev/main.tf:16 from var.in_transit, set in envs/dev/terraform.tfvars:1) "
        "(when called from envs/dev -> modules/emr)" + messages["CKV_EMRSEC_2"].partition("modules/emr)")[2])
    assert "used by module.emr.aws_emr_cluster" in messages["CKV_EMRSEC_2"]


def test_a_cluster_check_8_cannot_decide_is_a_warning_not_silence(tmp_path: pathlib.Path) -> None:
    checkout = _checkout("leaves_project", tmp_path)
    completed = checkov_emr("-d", "envs/prod", "-o", "json", cwd=str(checkout / "repo"))
    [warning] = [w for report in reports(completed) for w in report["summary"].get("checkov_emr_warnings", [])]
    assert "module.emr.aws_emr_cluster.this: CKV_EMRSEC_8 cannot be decided" in warning
    assert "module.emr.aws_emr_cluster.this: CKV_EMRSEC_8 cannot be decided" in completed.stderr


def test_the_hook_judges_a_changed_example_through_the_wrapper_it_calls(tmp_path: pathlib.Path) -> None:
    checkout = _checkout("wrapper_examples", tmp_path)
    completed = checkov_emr("--pre-commit", "-o", "json", "examples/minimal/main.tf", cwd=str(checkout))
    failed = {(r["resource"], r["check_id"]) for r in records(completed) if r["check_result"]["result"] == "FAILED"}
    assert ("aws_emr_cluster.this", "CKV_EMRSEC_8") in failed


@pytest.mark.parametrize(("layout", "changed", "expected"), [
    # a module's change reaches the roots that call it, and the EMR module they call beside it
    ("envs_modules", "modules/keys/main.tf", ("aws_emr_security_configuration.this", "CKV_EMRSEC_1")),
    # a parent stack's change reaches the template it nests
    ("cloudformation_packaged", "main.yaml", ("AWS::EMR::SecurityConfiguration.SecConfig", "CKV_EMRSEC_2")),
])
def test_the_hook_rechecks_what_a_change_decides(layout: str, changed: str, expected: tuple[str, str],
                                                  tmp_path: pathlib.Path) -> None:
    checkout = _checkout(layout, tmp_path)
    completed = checkov_emr("--pre-commit", "-o", "json", changed, cwd=str(checkout))
    failed = {(r["resource"], r["check_id"]) for r in records(completed) if r["check_result"]["result"] == "FAILED"}
    assert expected in failed


def test_a_file_scanned_alone_names_the_emr_modules_it_calls_that_are_not_judged(tmp_path: pathlib.Path) -> None:
    checkout = _checkout("wrapper_examples", tmp_path)
    completed = checkov_emr("-f", "examples/minimal/main.tf", "-o", "json", cwd=str(checkout))
    # a scan without results prints Checkov's bare summary, which carries the warnings itself
    warnings = [w for report in reports(completed) for w in report.get("summary", report).get("checkov_emr_warnings", [])]
    assert any(w.startswith("examples/minimal/main.tf:1: its local module ./main.tf holds EMR resources") for w in warnings)
    assert "scan its folder with -d" in completed.stderr
