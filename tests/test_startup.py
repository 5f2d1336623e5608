"""checkov-emr's trimmed start-up: built-in checks left unimported only when none can run, a quick exit that
loses no output, and only the frameworks that read a file left. (That the findings stay the same is
tested on every fixture and on the benchmark's corpora: tests/test_fixtures.py, tests/test_benchmark.py.)"""
from __future__ import annotations

import json
import pathlib
import os
import subprocess
import sys

import pytest

from checkov_emr_security import prescan, startup
from checkov_runs import FRAMEWORKS, REPO, checkov_emr, findings, plain_checkov_with_pack, reports
from emrsec.catalog import UNSCANNED

FIXTURES = os.path.join(REPO, "tests", "fixtures")


@pytest.mark.parametrize(("patterns", "expected"), [
    (["CKV_EMRSEC_*"], True),
    (["CKV_EMRSEC_1,CKV_EMRSEC_7"], True),
    (["ckv_emrsec_2"], True),
    (["CKV_EMRSEC_1", "CKV_AWS_20"], False),
    (["CKV_EMRSEC_1,CKV2_AWS_6"], False),
    (["CKV_*"], False),
    ([], False),
])
def test_built_in_checks_are_skipped_only_when_none_can_run(patterns: list[str], expected: bool) -> None:
    assert startup.pack_checks_only(patterns) is expected


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=REPO)


def test_skipped_built_in_checks_leave_checkov_whole() -> None:
    probe = _python(
        "from checkov_emr_security import startup; startup.skip_built_in_checks()\n"
        "import checkov.main\n"
        "from checkov.terraform.checks.resource.registry import resource_registry\n"
        "from checkov.cloudformation.checks.resource.registry import cfn_registry\n"
        "before = sum(len(c) for c in resource_registry.checks.values())\n"
        "import checkov.terraform.checks.resource.aws.EMRClusterConfEncryptsInTransit  # a built-in check named on purpose\n"
        "after = sum(len(c) for c in resource_registry.checks.values())\n"
        "print(before, sum(len(c) for c in cfn_registry.checks.values()), after)\n")
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.split() == ["0", "0", "1"]


def test_built_in_checks_still_run_when_named() -> None:
    folder = os.path.join(FIXTURES, "terraform", "rules")
    completed = checkov_emr("-d", folder, "--check", "CKV_EMRSEC_1,CKV_AWS_351", "-o", "json")
    assert completed.returncode in (0, 1), completed.stderr
    data = json.loads(completed.stdout)
    ids = {r["check_id"] for report in (data if isinstance(data, list) else [data])
           for key in ("passed_checks", "failed_checks") for r in report["results"][key]}
    assert {"CKV_EMRSEC_1", "CKV_AWS_351"} <= ids  # CKV_AWS_351: Checkov's own in-transit check


def test_quick_exit_writes_all_output_and_keeps_the_exit_code() -> None:
    out = subprocess.run([sys.executable, "-c", "import sys\nfrom checkov_emr_security import startup\n"
                          "sys.stdout.write('x' * 1_000_000)\nstartup.exit_now(3)"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 3 and len(out.stdout) == 1_000_000


@pytest.mark.parametrize(("files", "expected"), [
    (["main.tf"], ["terraform"]),
    (["cdk.tf.json"], ["terraform", "terraform_json", "terraform_plan", "cloudformation"]),
    (["plan.json"], ["terraform_plan", "cloudformation"]),
    (["template.yaml"], ["cloudformation", "serverless"]),
    (["a/serverless.yml", "b/main.tf"], ["terraform", "cloudformation", "serverless"]),
    (["stack.template"], ["cloudformation"]),
    (["terragrunt.hcl"], ["terraform"]),
    ([], []),
])
def test_frameworks_are_those_that_read_a_file_left(files: list[str], expected: list[str]) -> None:
    assert prescan.frameworks_reading(files, FRAMEWORKS) == expected
    assert prescan.frameworks_reading(files, ["some_future_framework"]) == ["some_future_framework"]


@pytest.mark.parametrize("form", ["terraform", "terraform_json", "terraform_plan", "cloudformation",
                                  os.path.join("cdk", "cdk.out")])
def test_default_frameworks_find_what_plain_checkov_finds_with_all(form: str) -> None:
    """checkov-emr left to choose its frameworks reports what plain Checkov reports with all of them (and
    CKV_EMRSEC_9 and the standalone documents, e.g. a configuration kept for `file()`, which only checkov-emr
    decides)."""
    folder = os.path.join(FIXTURES, form)
    completed = checkov_emr("-d", folder, "-o", "json")
    standalone = {record["file_path"] for report in reports(completed) if report["check_type"] in ("json", "yaml")
                  for key in ("passed_checks", "failed_checks") for record in report["results"][key]}
    chosen = {f for f in findings(completed) if f[2] != UNSCANNED.id and f[0] not in standalone}
    every = findings(plain_checkov_with_pack("-d", folder))
    assert chosen and chosen == every


def test_files_of_other_resources_are_skipped_where_emr_resources_live() -> None:
    """In a folder with EMR resources Checkov reads what they can refer to, not files of other resources."""
    unit = os.path.join(FIXTURES, "terraform", "split_files")
    found = prescan.scan(unit)
    kept = {os.path.relpath(path, unit) for path in found.kept}
    skipped = {os.path.relpath(path, unit) for path in found.skip}
    assert kept == {"emr.tf", "locals.tf", "variables.tf",
                    "outputs.tf",  # names an EMR resource
                    "kms.tf",  # holds the key emr.tf refers to
                    "storage.tf",  # holds the bucket outputs.tf refers to
                    os.path.join("modules", "emr", "main.tf"), os.path.join("modules", "emr", "variables.tf")}
    assert {"iam.tf", os.path.join("modules", "emr", "kms.tf")} <= skipped


def test_folders_from_a_config_file_get_every_framework(tmp_path: pathlib.Path) -> None:
    """A .checkov.yaml naming the folder (the command line names none): every framework stays, so the
    CloudFormation template in it is judged as plain Checkov judges it."""
    folder = os.path.join(FIXTURES, "cloudformation")
    (tmp_path / ".checkov.yaml").write_text(f"directory:\n  - {json.dumps(folder)}\n", encoding="utf-8")
    configured = findings(checkov_emr("-o", "json", cwd=str(tmp_path)))
    given = findings(checkov_emr("-d", folder, "-o", "json"))
    assert configured and configured == given


def test_deferred_imports_load_on_first_use() -> None:
    probe = _python(
        "import sys\n"
        "from checkov_emr_security import startup; startup.defer_unused_imports()\n"
        "import checkov.main\n"
        "from spdx_tools.common.spdx_licensing import spdx_licensing\n"
        "print(type(sys.modules['aiohttp']).__name__, type(spdx_licensing).__name__)\n"
        "print(spdx_licensing.parse('MIT OR Apache-2.0'))\n"
        "import aiohttp; print(aiohttp.ClientSession.__name__)\n")
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.splitlines() == ["_LazyModule _OnFirstUse", "MIT OR Apache-2.0", "ClientSession"]


def test_spdx_output_is_written_when_asked_for() -> None:
    """The SPDX writer's module runs only when `-o spdx` calls it; the document is still written."""
    unit = os.path.join(FIXTURES, "terraform", "split_files")
    probe = _python(
        "import sys\n"
        "from checkov_emr_security import startup; startup.defer_unused_imports()\n"
        "import checkov.main\n"
        "print('spdx_tools.spdx.model' in sys.modules)\n")
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.splitlines() == ["False"]
    written = checkov_emr("-d", unit, "-o", "spdx")
    assert written.returncode in (0, 1), written.stderr
    assert "SPDXVersion: SPDX-2.3" in written.stdout, written.stdout[-2000:]


def test_runners_of_other_frameworks_are_stand_ins_until_used() -> None:
    """Checkov makes one runner per framework at import: the others are stand-ins with the same check type, in
    the same order, each the real runner once anything else is asked of it (OTHER_RUNNERS follows Checkov)."""
    listing = "from checkov.main import DEFAULT_RUNNERS\nprint([r.check_type for r in DEFAULT_RUNNERS])\n"
    real = _python(listing)
    probe = _python(
        "import sys\n"
        "from checkov_emr_security import startup; startup.stand_in_runners(['terraform', 'cloudformation'])\n"
        + listing +
        "kubernetes = next(r for r in DEFAULT_RUNNERS if r.check_type == 'kubernetes')\n"
        "print(type(kubernetes).__mro__[1].__name__, 'checkov.kubernetes.graph_builder.local_graph' in sys.modules)\n"
        "print(kubernetes.should_scan_file('deployment.yaml'), type(kubernetes._real).__module__)\n"
        "from checkov.kubernetes.runner import K8_POSSIBLE_ENDINGS; print(sorted(K8_POSSIBLE_ENDINGS))\n")
    assert real.returncode == 0 and probe.returncode == 0, real.stderr + probe.stderr
    lines = probe.stdout.splitlines()
    assert lines[0] == real.stdout.strip()
    assert {name for name, (_, check_type) in startup.OTHER_RUNNERS.items()} <= {
        f"checkov.{path}" for path in _runner_modules()}, "a runner module moved in Checkov"
    assert lines[1:] == ["_StandInRunner False", "True checkov.kubernetes.runner", "['.json', '.yaml', '.yml']"]


def _runner_modules() -> list[str]:
    import checkov

    root = os.path.dirname(checkov.__file__)
    return [os.path.relpath(os.path.join(folder, name), root)[:-3].replace(os.sep, ".")
            for folder, _, names in os.walk(root) for name in names if name == "runner.py"]


def test_a_framework_the_pack_does_not_start_still_runs_when_asked_for(tmp_path: pathlib.Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nUSER root\n", encoding="utf-8")
    completed = checkov_emr("-d", str(tmp_path), "--framework", "dockerfile", "--check", "CKV_DOCKER_8", "-o", "json")
    assert completed.returncode == 1, completed.stderr
    assert "CKV_DOCKER_8" in completed.stdout
