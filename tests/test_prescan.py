"""checkov-emr's prescan never costs a finding: on each repository of tests/fixtures/prescan/ (each once
mis-read by an earlier prescan) it reports what plain Checkov reports with all five frameworks, given as an
absolute folder and as a relative one, and the verdicts the repository states."""
from __future__ import annotations

import os
import pathlib
import shutil
from typing import Optional

import pytest

import expectations
from checkov_runs import REPO, checkov_emr, findings, plain_checkov_with_pack

PRESCAN = os.path.join(REPO, "tests", "fixtures", "prescan")
Finding = tuple[str, str, str, str]


def _both(inputs: list[str], cwd: str = REPO) -> tuple[set[Finding], set[Finding]]:
    return findings(checkov_emr(*inputs, "-o", "json", cwd=cwd)), findings(plain_checkov_with_pack(*inputs, cwd=cwd))


def _folders(directories: list[str]) -> list[str]:
    return [part for d in directories for part in ("-d", d)]


def _unit_copy(unit: str, tmp_path: pathlib.Path) -> str:
    """The unit as it is scanned: plan_utf16's plan is written as UTF-16 with a byte-order mark."""
    if unit != "plan_utf16":
        return os.path.join(PRESCAN, unit)
    copy = tmp_path / unit
    copy.mkdir()
    text = (pathlib.Path(PRESCAN) / unit / "tfplan.json").read_text(encoding="utf-8")
    (copy / "tfplan.json").write_bytes(text.encode("utf-16"))
    return str(copy)


@pytest.mark.parametrize("relative", [False, True], ids=["absolute", "relative"])
@pytest.mark.parametrize(("unit", "scanned"), [
    ("serverless_include", None), ("tfvars_json", None), ("count_from_resource", None), ("bom_variables", None),
    ("module_outside", os.path.join("live", "prod")), ("hidden_module", None), ("latin1_template", None),
    ("plan_utf16", None), ("comment_before_locals", None), ("unquoted_labels", None), ("escaped_type", None),
    ("config_skip_path", None)])
def test_prescan_reports_what_plain_checkov_reports(unit: str, scanned: Optional[str], relative: bool,
                                                    tmp_path: pathlib.Path) -> None:
    folder = _unit_copy(unit, tmp_path)
    target = os.path.join(folder, scanned) if scanned else folder
    pack, plain = _both(_folders([os.path.relpath(target, folder) if relative else target]), cwd=folder)
    assert pack == plain
    stated = expectations.expected(PRESCAN, unit)
    reported = {(resource, check, result) for _, resource, check, result in pack}
    assert expectations.comparable(reported, stated) == {f for f in stated if f[2] != "UNKNOWN"}


def test_prescan_links_a_module_call_across_scanned_folders() -> None:
    """Two folders given with -d: the caller in one, the module with the EMR resource in the other."""
    folder = os.path.join(PRESCAN, "module_outside")
    pack, plain = _both(_folders([os.path.join(folder, "live"), os.path.join(folder, "modules")]))
    assert pack and pack == plain
    pack, plain = _both(_folders(["live", "modules"]), cwd=folder)
    assert pack and pack == plain


def test_hidden_folders_checkov_is_told_to_walk_are_scanned(tmp_path: pathlib.Path, monkeypatch) -> None:
    """CKV_IGNORE_HIDDEN_DIRECTORIES=false makes Checkov walk hidden folders: so does the prescan."""
    shutil.copytree(os.path.join(PRESCAN, "latin1_template"), tmp_path / ".infra")
    monkeypatch.setenv("CKV_IGNORE_HIDDEN_DIRECTORIES", "false")
    pack, plain = _both(_folders([str(tmp_path)]), cwd=str(tmp_path))
    assert pack and pack == plain


def test_several_files_after_one_file_flag() -> None:
    """Checkov's -f takes several files: each is screened, and each one's frameworks are started."""
    files = [os.path.join(PRESCAN, "count_from_resource", "emr.tf"), os.path.join(PRESCAN, "latin1_template",
                                                                                 "template.yaml")]
    pack, plain = _both(["-f", *files])
    assert {check for _, resource, check, _ in pack if resource.startswith("AWS::")} and pack == plain
