"""Hostile and broken files: the scan ends, names what it could not judge, and still judges the files beside them."""
from __future__ import annotations

import json
import os
import re
import shutil

import expectations
from checkov_runs import REPO, checkov_emr, records

MALFORMED = os.path.join(REPO, "tests", "fixtures", "malformed")
PACK_TRACEBACK = re.compile(r'File "[^"]*(?:emrsec|checkov_emr_security)[^"]*"')


def _findings(completed) -> set[tuple[str, str, str]]:
    return {(r["resource"], r["check_id"], r["check_result"]["result"]) for r in records(completed)}


def test_broken_files_are_named_and_the_rest_is_judged() -> None:
    completed = checkov_emr("-d", MALFORMED, "-o", "json")
    assert completed.returncode in (0, 1)
    assert not PACK_TRACEBACK.search(completed.stderr)
    stated = {f for unit in expectations.units(MALFORMED) for f in expectations.expected(MALFORMED, unit)}
    assert expectations.comparable(_findings(completed), stated) == {f for f in stated if f[2] != "UNKNOWN"}
    for name, why in (("alias_bomb.yaml", "alias bomb"), ("not_utf8.json", "not UTF-8"),
                      ("random.template", "not UTF-8")):
        assert re.search(rf"not scanned: \S*{re.escape(name)}: [^\n]*{why}", completed.stderr), name


def test_huge_and_deeply_nested_templates_stay_bounded(tmp_path) -> None:
    shutil.copy(os.path.join(MALFORMED, "legit.yaml"), tmp_path / "legit.yaml")
    resources = {f"Bucket{i}": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": f"bucket-{i:06d}"}}
                 for i in range(240_000)}
    resources["HugeConfig"] = {"Type": "AWS::EMR::SecurityConfiguration", "Properties": {"SecurityConfiguration": {}}}
    (tmp_path / "huge.json").write_text(json.dumps({"Resources": resources}))
    assert os.path.getsize(tmp_path / "huge.json") > 20 * 1024 * 1024
    deep = "[" * 100_000 + "]" * 100_000
    (tmp_path / "deep.json").write_text(json.dumps({"Resources": {"Deep": {
        "Type": "AWS::EMR::SecurityConfiguration", "Properties": {"SecurityConfiguration": deep}}}}))
    completed = checkov_emr("-d", str(tmp_path), "-o", "json")
    assert completed.returncode in (0, 1)
    assert not PACK_TRACEBACK.search(completed.stderr)
    assert re.search(r"not scanned: \S*huge\.json: larger than", completed.stderr)
    found = _findings(completed)
    assert ("AWS::EMR::SecurityConfiguration.LegitGood", "CKV_EMRSEC_1", "PASSED") in found
    assert ("AWS::EMR::SecurityConfiguration.LegitBad", "CKV_EMRSEC_1", "FAILED") in found
    assert ("huge.json", "CKV_EMRSEC_9", "FAILED") in found  # not scanned, so not passed
    deep_results = {result for resource, check, result in found if resource.endswith(".Deep") and check != "CKV_EMRSEC_7"}
    assert deep_results == {"FAILED"}


def test_files_given_one_by_one_are_screened_too() -> None:
    """The pre-commit hook and the IDE scan with -f: an alias bomb is named, not handed to Checkov."""
    completed = checkov_emr("-f", os.path.join(MALFORMED, "alias_bomb.yaml"), "-f", os.path.join(MALFORMED, "legit.yaml"),
                            "-o", "json")
    assert re.search(r"not scanned: \S*alias_bomb\.yaml: [^\n]*alias bomb", completed.stderr)
    assert ("AWS::EMR::SecurityConfiguration.LegitGood", "CKV_EMRSEC_1", "PASSED") in _findings(completed)


def test_a_reader_that_raises_fails_visibly_and_claims_no_pass() -> None:
    from emrsec.catalog import BY_ID, RESOURCE_CHECKS
    from emrsec.checkov_checks import _Verdicts
    from emrsec.policy import Outcome

    def broken(conf: dict, entity_path: str) -> tuple:
        raise KeyError("a shape no adapter expected")

    verdicts = _Verdicts()
    outcomes = {spec.id: verdicts.get({}, "main.tf:aws_emr_cluster:x", spec, broken).outcome for spec in RESOURCE_CHECKS}
    assert outcomes.pop("CKV_EMRSEC_7") is Outcome.FAILED and outcomes.pop("CKV_EMRSEC_8") is Outcome.FAILED
    assert set(outcomes.values()) == {Outcome.UNKNOWN}
    assert "could not be evaluated (KeyError" in verdicts.get({}, "main.tf:aws_emr_cluster:x", BY_ID["CKV_EMRSEC_8"],
                                                               broken).reason
