"""Runs real Checkov over every fixture and compares every (resource, check) verdict with what the fixture states."""
from __future__ import annotations

import functools
import os
import subprocess
from typing import Callable

import pytest

import expectations
from checkov_runs import CHECKS_DIR, checkov_emr, plain_checkov, records
from emrsec.catalog import CHECKS, RESOURCE_CHECKS, UNSCANNED

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
# form folder -> the Checkov frameworks whose reports hold its findings
FORMS = {
    "terraform": ("terraform",),
    "terraform_json": ("terraform_json",),
    "terraform_plan": ("terraform_plan",),
    "cloudformation": ("cloudformation",),
    os.path.join("cdk", "cdk.out"): ("cloudformation",),
    "standalone": ("json", "yaml", "serverless"),  # checkov-emr judges these documents itself: no runner hands them over
}
CHECKOV_EMR_ONLY = {"standalone"}
# What cannot occur in a form: a standalone document is literal JSON (nothing for CKV_EMRSEC_7 to find
# unresolved) judged alone (no project defines the configuration a state names; CKV_EMRSEC_11 is not run).
IMPOSSIBLE = {"standalone": {("CKV_EMRSEC_7", "FAILED"), ("CKV_EMRSEC_10", "PASSED"), ("CKV_EMRSEC_11", "PASSED"),
                             ("CKV_EMRSEC_11", "FAILED")}}
# tests/fixtures/malformed and tests/fixtures/fail_closed are not forms: test_hostile.py and test_fail_closed.py
# scan them as a whole.
PACK_IDS = {spec.id for spec in CHECKS}
RESOURCE_CHECK_IDS = {spec.id for spec in RESOURCE_CHECKS}
RUNNERS: dict[str, Callable[..., subprocess.CompletedProcess[str]]] = {
    "checkov-emr": lambda folder, frameworks: checkov_emr("-d", folder, "--framework", *frameworks, "-o", "json"),
    "plain-checkov": lambda folder, frameworks: plain_checkov(
        "-d", folder, "--framework", *frameworks, "--external-checks-dir", CHECKS_DIR, "--check", "CKV_EMRSEC_*",
        "-o", "json"),
}


@functools.lru_cache(maxsize=None)
def scan(runner: str, form: str) -> tuple[dict, ...]:
    return tuple(records(RUNNERS[runner](os.path.join(FIXTURES, form), FORMS[form])))


def _unit_of(record: dict) -> str:
    return record["file_path"].replace("\\", "/").lstrip("/").split("/", 1)[0]


def _cases() -> list[tuple[str, str]]:
    return [(form, unit) for form in FORMS if os.path.isdir(os.path.join(FIXTURES, form))
            for unit in expectations.units(os.path.join(FIXTURES, form))]


@pytest.mark.parametrize("runner", sorted(RUNNERS))
@pytest.mark.parametrize(("form", "unit"), _cases())
def test_fixture_verdicts(runner: str, form: str, unit: str) -> None:
    if runner == "plain-checkov" and form in CHECKOV_EMR_ONLY:
        pytest.skip("plain Checkov hands standalone documents to no check")
    expected = {f for f in expectations.expected(os.path.join(FIXTURES, form), unit) if f[2] != "UNKNOWN"
                and (runner == "checkov-emr" or f[1] != UNSCANNED.id)}  # plain Checkov does not decide it
    stated = expectations.expected(os.path.join(FIXTURES, form), unit)
    actual = expectations.comparable({(r["resource"], r["check_id"], r["check_result"]["result"])
                                      for r in scan(runner, form) if _unit_of(r) == unit}, stated)
    assert sorted(actual - expected) == [], "reported but not expected"
    assert sorted(expected - actual) == [], "expected but not reported"


@pytest.mark.parametrize("form", [f for f in FORMS if os.path.isdir(os.path.join(FIXTURES, f))])
def test_failures_name_a_path_and_a_fix(form: str) -> None:
    failed = [r for r in scan("checkov-emr", form) if r["check_result"]["result"] == "FAILED"]
    assert failed
    for record in failed:
        details = record.get("details") or []
        assert len(details) == 2 and details[1].startswith("Fix: "), record["resource"]
        if record["check_id"] == UNSCANNED.id:  # the file is the resource: the message starts with it
            assert details[0].startswith(record["resource"] + " "), details
            continue
        assert details[0].split()[0].replace("[", ".").split(".")[0] in {
            "configuration", "EncryptionConfiguration", "security_configuration", "SecurityConfiguration", "States",
            "stepFunctions",
            "definition"}, details


def test_every_form_reports_every_check_id() -> None:
    seen = {r["check_id"] for form in FORMS if os.path.isdir(os.path.join(FIXTURES, form))
            for r in scan("checkov-emr", form)}
    assert seen == PACK_IDS


@pytest.mark.parametrize("form", [f for f in FORMS if os.path.isdir(os.path.join(FIXTURES, f))])
def test_every_check_has_a_passing_and_a_failing_fixture(form: str) -> None:
    root = os.path.join(FIXTURES, form)
    stated = {(check, result) for unit in expectations.units(root) for _, check, result in expectations.expected(root, unit)}
    missing = [(check, result) for check in sorted(RESOURCE_CHECK_IDS) for result in ("PASSED", "FAILED")
               if (check, result) not in stated | IMPOSSIBLE.get(form, set())]
    assert missing == []


@pytest.mark.parametrize("form", [f for f in FORMS if os.path.isdir(os.path.join(FIXTURES, f))])
def test_every_resource_states_all_its_checks(form: str) -> None:
    root = os.path.join(FIXTURES, form)
    checks: dict[tuple[str, str], set[str]] = {}
    for unit in expectations.units(root):
        for resource, check, _ in expectations.expected(root, unit):
            checks.setdefault((unit, resource), set()).add(check)
    configuration = {f"CKV_EMRSEC_{n}" for n in range(1, 8)}
    complete = (configuration, configuration | {"CKV_EMRSEC_11"}, {"CKV_EMRSEC_8"}, {"CKV_EMRSEC_8", "CKV_EMRSEC_10"},
                {UNSCANNED.id})
    incomplete = {key: sorted(found) for key, found in checks.items() if found not in complete}
    units_stating = {unit: {check for (u, _), found in checks.items() if u == unit for check in found} for unit, _ in checks}
    for (unit, resource), found in checks.items():  # a unit states a later check for every resource of its kind
        for later, kind in (("CKV_EMRSEC_11", "CKV_EMRSEC_1"), ("CKV_EMRSEC_10", "CKV_EMRSEC_8")):
            if later in units_stating[unit] and kind in found and later not in found:
                incomplete[(unit, resource)] = sorted(found)
    assert incomplete == {}
