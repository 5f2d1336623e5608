"""Where users run the pack: the pre-commit hook, pull-request CI pipelines, SARIF/JUnit outputs, the IDE."""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from typing import Any

import jsonschema
import pytest
import yaml

from checkov_emr_security import github_annotations, outputs, precommit
from checkov_runs import BIN, REPO, checkov_emr, plain_checkov, records
from emrsec.catalog import BY_ID, CHECKS, RESOURCE_CHECKS

PACK_IDS = {spec.id for spec in CHECKS}  # what checkov-emr reports
RESOURCE_CHECK_IDS = {spec.id for spec in RESOURCE_CHECKS}  # what plain Checkov with the pack reports
SARIF_SCHEMA = os.path.join(REPO, "tests", "schemas", "sarif-2.1.0.json")
GITHUB_WORKFLOW = os.path.join(REPO, "examples", "ci", "github-actions.yml")
GITLAB_PIPELINE = os.path.join(REPO, "examples", "ci", "gitlab-ci.yml")
GITHUB_VARIANTS = [os.path.join(REPO, "examples", "ci", f"github-actions-{variant}.yml")
                   for variant in ("cdk", "terraform-plan")]  # they run the action this repository ships
IDE_CONFIG = os.path.join(REPO, "examples", "ide", ".checkov.yaml")
VSCODE_TASKS = os.path.join(REPO, "examples", "ide", "tasks.json")
ACTION = os.path.join(REPO, "action.yml")


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _readme() -> str:
    return _read(os.path.join(REPO, "README.md"))


def _integration_sections() -> str:
    """Where the integrations are documented: the README's examples and the integrations page."""
    return _readme() + _read(os.path.join(REPO, "docs", "integrations.md"))


# Terraform / CloudFormation that fail or pass every check of the pack.
KMS_KEY = 'resource "aws_kms_key" "emr" {\n  enable_key_rotation = true\n}\n'
PASSING_CONFIGURATION = """jsonencode({
    EncryptionConfiguration = {
      EnableAtRestEncryption    = true
      EnableInTransitEncryption = %s
      AtRestEncryptionConfiguration = {
        S3EncryptionConfiguration = { EncryptionMode = "SSE-KMS", AwsKmsKey = aws_kms_key.emr.arn }
        LocalDiskEncryptionConfiguration = {
          EncryptionKeyProviderType = "AwsKms"
          AwsKmsKey                 = aws_kms_key.emr.arn
          EnableEbsEncryption       = true
        }
      }
      InTransitEncryptionConfiguration = {
        TLSCertificateConfiguration = { CertificateProviderType = "PEM", S3Object = "s3://certs/emr.zip" }
      }
    }
  })"""
CLUSTER = """resource "aws_emr_cluster" "%s" {
  name          = "%s"
  release_label = "emr-7.2.0"
  service_role  = "EMR_DefaultRole"
  %s
}
"""
PASSING_TF = (KMS_KEY + 'resource "aws_emr_security_configuration" "ok" {\n  name = "ok"\n  configuration = '
              + PASSING_CONFIGURATION % "true" + "\n}\n"
              + CLUSTER % ("ok", "ok", "security_configuration = aws_emr_security_configuration.ok.name"))
FAILING_TF = """variable "unknown_configuration" {}

resource "aws_emr_security_configuration" "off" {
  name          = "off"
  configuration = jsonencode({
    EncryptionConfiguration = { EnableAtRestEncryption = false, EnableInTransitEncryption = false }
  })
}

resource "aws_emr_security_configuration" "unverifiable" {
  name          = "unverifiable"
  configuration = var.unknown_configuration
}

resource "aws_emr_security_configuration" "bucket_as_key" {
  name          = "bucket-as-key"
  configuration = jsonencode({
    EncryptionConfiguration = { EnableAtRestEncryption = true, AtRestEncryptionConfiguration = {
      S3EncryptionConfiguration = { EncryptionMode = "SSE-KMS", AwsKmsKey = "arn:aws:s3:::emr-data" } } }
  })
}
""" + CLUSTER % ("bare", "bare", "")
BROKEN_TF = 'resource "aws_emr_security_configuration" "broken" {\n  name          = "broken"\n  configuration = \n}\n'
PASSING_CFN = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  EmrKey:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
  SecurityConfiguration:
    Type: AWS::EMR::SecurityConfiguration
    Properties:
      SecurityConfiguration:
        EncryptionConfiguration:
          EnableAtRestEncryption: true
          EnableInTransitEncryption: true
          AtRestEncryptionConfiguration:
            S3EncryptionConfiguration:
              EncryptionMode: SSE-KMS
              AwsKmsKey: !GetAtt EmrKey.Arn
            LocalDiskEncryptionConfiguration:
              EncryptionKeyProviderType: AwsKms
              AwsKmsKey: !GetAtt EmrKey.Arn
              EnableEbsEncryption: true
          InTransitEncryptionConfiguration:
            TLSCertificateConfiguration:
              CertificateProviderType: PEM
              S3Object: s3://certs/emr.zip
"""
FAILING_CFN = """Resources:
  Plain:
    Type: AWS::EMR::SecurityConfiguration
    Properties:
      SecurityConfiguration:
        EncryptionConfiguration:
          EnableAtRestEncryption: false
          EnableInTransitEncryption: false
"""


def _results(completed: subprocess.CompletedProcess[str]) -> set[tuple[str, str, str, str]]:
    """(file path, resource, check id, result) of every pack record in a JSON report."""
    return {(r["file_path"], r["resource"], r["check_id"], r["check_result"]["result"]) for r in records(completed)}


# --- pre-commit -----------------------------------------------------------------------------------------------


def test_hook_manifest_is_valid_and_triggers_on_every_input_form() -> None:
    validated = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml"],
                               cwd=REPO, capture_output=True, text=True, timeout=120)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    (hook,) = yaml.safe_load(_read(os.path.join(REPO, ".pre-commit-hooks.yaml")))
    assert hook["id"] == "checkov-emr" and hook["language"] == "python"
    assert hook["entry"] == "checkov-emr --pre-commit" and hook["pass_filenames"] is True
    files = re.compile(hook["files"])
    for name in ("main.tf", "cdktf.tf.json", "tfplan.json", "template.yaml", "stack.yml", "app.template",
                 "cdk.out/Stack.template.json", "infra/modules/emr/main.tf"):
        assert files.search(name), name
    for name in ("main.py", "README.md", "terraform.tfstate", "main.tf.bak"):
        assert not files.search(name), name


def test_hook_arguments_split_flags_from_changed_files(tmp_path) -> None:
    for name in ("a.tf", "b.yaml", "prod.tfvars"):
        (tmp_path / name).write_text("", encoding="utf-8")
    a, b, tfvars = (str(tmp_path / n) for n in ("a.tf", "b.yaml", "prod.tfvars"))
    assert precommit.split_arguments(["--pre-commit", "--compact", "--quiet", a, b]) == (["--compact", "--quiet"],
                                                                                        [a, b])
    # a file that is an option's value stays with its option
    assert precommit.split_arguments(["--var-file", tfvars, a]) == (["--var-file", tfvars], [a])
    assert precommit.split_arguments(["--framework", "terraform", a]) == (["--framework", "terraform"], [a])
    assert precommit.split_arguments(["--compact"]) == (["--compact"], [])
    assert precommit.split_arguments(["--soft-fail", "--", tfvars]) == (["--soft-fail"], [tfvars])


def test_value_options_are_checkovs() -> None:
    from checkov.common.util.ext_argument_parser import ExtArgumentParser

    parser = ExtArgumentParser()
    parser.add_parser_args()
    taking_values = {option for action in parser._actions if action.option_strings and action.nargs != 0
                     for option in action.option_strings}
    assert taking_values == precommit.VALUE_OPTIONS


def test_prefilter_keeps_only_files_naming_an_emr_type(tmp_path) -> None:
    samples = {
        "sc.tf": 'resource "aws_emr_security_configuration" "a" {}',
        "cluster.tf": 'resource "aws_emr_cluster" "a" {}',
        "stack.yaml": "Resources:\n  A:\n    Type: AWS::EMR::SecurityConfiguration\n",
        "cluster.template.json": '{"Resources": {"A": {"Type": "AWS::EMR::Cluster"}}}',
        "plan.json": '{"resource_changes": [{"type": "aws_emr_security_configuration"}]}',
        "cdktf.tf.json": '{"resource": {"aws_emr_security_configuration": {"a": {}}}}',
    }
    for name, text in samples.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert precommit.mentions_emr(str(tmp_path / name)), name
    (tmp_path / "bucket.tf").write_text('resource "aws_s3_bucket" "emr_logs" {}\n# EMR is mentioned\n')
    (tmp_path / "workflow.yml").write_text("on: push\n")
    assert not precommit.mentions_emr(str(tmp_path / "bucket.tf"))
    assert not precommit.mentions_emr(str(tmp_path / "workflow.yml"))
    assert not precommit.mentions_emr(str(tmp_path / "missing.tf"))
    # a marker across a read boundary is found; past the read limit the file is kept for Checkov to decide
    straddling = b" " * (1024 * 1024 - 10) + b"AWS::EMR::SecurityConfiguration"
    (tmp_path / "straddle.json").write_bytes(straddling)
    assert precommit.mentions_emr(str(tmp_path / "straddle.json"))
    (tmp_path / "huge.json").write_bytes(b" " * (precommit.MAX_READ_BYTES + 1))
    assert precommit.mentions_emr(str(tmp_path / "huge.json"))
    (tmp_path / "limit.json").write_bytes(b" " * precommit.MAX_READ_BYTES)
    assert not precommit.mentions_emr(str(tmp_path / "limit.json"))


def test_hook_mode_exits_at_once_without_importing_checkov(tmp_path) -> None:
    (tmp_path / "bucket.tf").write_text('resource "aws_s3_bucket" "b" {}\n', encoding="utf-8")
    (tmp_path / "workflow.yml").write_text("on: push\n", encoding="utf-8")
    probe = ("import sys, time; start = time.monotonic(); from checkov_emr_security.cli import main; "
             "code = main(['--pre-commit', '--compact', 'bucket.tf', 'workflow.yml']); "
             "print(code, 'checkov' in sys.modules, round(time.monotonic() - start, 3))")
    completed = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                               timeout=120, env={**os.environ, "PYTHONPATH": REPO})
    code, imported, seconds = completed.stdout.split()
    assert (code, imported) == ("0", "False"), completed.stderr
    assert float(seconds) < 1.0


def test_hook_rechecks_the_emr_files_a_terraform_change_can_affect(tmp_path, monkeypatch) -> None:
    """A changed variable, tfvars value or module argument brings in the EMR files it can change."""
    files = {
        "live/prod/main.tf": 'module "emr" {\n  source     = "../../modules/emr/"\n  in_transit = var.x\n}\n',
        "live/prod/variables.tf": 'variable "x" {\n  default = true\n}\n',
        "live/prod/terraform.tfvars": "x = false\n",
        "live/prod/outside.tf": 'module "far" {\n  source = "../../../elsewhere"\n}\n',
        "modules/emr/main.tf": 'resource "aws_emr_security_configuration" "this" {}\n',
        "modules/emr/nested.tf": 'module "inner" {\n  source = "./inner"\n}\n',
        "modules/emr/inner/cluster.tf": 'resource "aws_emr_cluster" "this" {}\n',
        "modules/emr/inner/loop.tf": 'module "back" {\n  source = "../"\n}\n',
        "other/main.tf": 'resource "aws_s3_bucket" "logs" {}\n',
        "other/emr.yaml": "Resources:\n  A:\n    Type: AWS::EMR::SecurityConfiguration\n",
    }
    for relative, text in files.items():
        _write(str(tmp_path / "repo" / relative), text)
    _write(str(tmp_path / "elsewhere" / "emr.tf"), 'resource "aws_emr_cluster" "outside" {}\n')
    monkeypatch.chdir(tmp_path / "repo")

    def scanned(*changed: str) -> set[str] | None:
        arguments = precommit.checkov_arguments(["--compact", *changed])
        return None if arguments is None else {arguments[i + 1] for i, a in enumerate(arguments) if a == "-f"}

    emr_module = {os.path.join("modules", "emr", "main.tf"), os.path.join("modules", "emr", "inner", "cluster.tf")}
    assert scanned("live/prod/terraform.tfvars") == emr_module
    assert scanned("live/prod/variables.tf") == emr_module
    assert scanned("modules/emr/nested.tf") == emr_module
    assert scanned("modules/emr/inner/loop.tf") == emr_module
    assert scanned("other/main.tf") is None  # no EMR resource in its folder; the YAML is not Terraform
    assert scanned("other/emr.yaml") == {os.path.join("other", "emr.yaml")}


def test_hook_keeps_changes_that_reach_emr_resources_indirectly(tmp_path, monkeypatch) -> None:
    """A UTF-16 plan, a serverless.yml that includes its resources, the JSON file a configuration reads,
    a var file the hook is given."""
    _write(str(tmp_path / "sls" / "serverless.yml"), "service: jobs\nresources:\n  - ${file(res/emr.yml)}\n")
    _write(str(tmp_path / "sls" / "res" / "emr.yml"), "Resources:\n  A:\n    Type: AWS::EMR::SecurityConfiguration\n")
    (tmp_path / "plan.json").write_bytes('{"resource_changes": [{"type": "aws_emr_cluster"}]}'.encode("utf-16"))
    _write(str(tmp_path / "infra" / "emr.tf"), 'resource "aws_emr_security_configuration" "a" {\n'
           '  configuration = file("${path.module}/config/security.json")\n}\n')
    _write(str(tmp_path / "infra" / "config" / "security.json"), '{"EncryptionConfiguration": {}}\n')
    _write(str(tmp_path / "infra" / "config" / "other.json"), "{}\n")
    monkeypatch.chdir(tmp_path)
    assert precommit.checkov_arguments(["sls/serverless.yml"]) == ["-f", os.path.join("sls", "serverless.yml")]
    assert precommit.checkov_arguments(["plan.json"]) == ["-f", "plan.json"]
    # the configuration file is itself a standalone security configuration document, judged as one
    assert precommit.checkov_arguments(["infra/config/security.json"]) == [
        "-f", "infra/config/security.json", "-f", os.path.join("infra", "emr.tf")]
    assert precommit.checkov_arguments(["infra/config/other.json"]) is None
    _write(str(tmp_path / "env" / "prod.tfvars"), "in_transit = false\n")
    assert precommit.checkov_arguments(["--var-file", "env/prod.tfvars", "env/prod.tfvars"]) == [
        "--var-file", "env/prod.tfvars", "-f", os.path.join("infra", "emr.tf")]


def _git(cwd: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=900, env=env)


def test_hook_mode_judges_changed_files_in_their_module(tmp_path) -> None:
    """Variables, locals and file() targets in unchanged sibling files resolve; only changed modules report."""
    repo = str(tmp_path)
    _git(repo, "init", "-q")
    _write(os.path.join(repo, "infra", "variables.tf"),
           'variable "in_transit" {\n  default = false\n}\n\nvariable "at_rest" {\n  default = false\n}\n\n'
           'locals {\n  s3_mode = "SSE-KMS"\n}\n')
    _write(os.path.join(repo, "infra", "terraform.tfvars"), "at_rest = true\n")
    _write(os.path.join(repo, "infra", "emr.tf"), KMS_KEY + """
resource "aws_emr_security_configuration" "from_variables" {
  name = "from_variables"
  configuration = jsonencode({
    EncryptionConfiguration = {
      EnableAtRestEncryption    = var.at_rest
      EnableInTransitEncryption = var.in_transit
      AtRestEncryptionConfiguration = {
        S3EncryptionConfiguration = { EncryptionMode = local.s3_mode, AwsKmsKey = aws_kms_key.emr.arn }
      }
    }
  })
}

resource "aws_emr_security_configuration" "from_file" {
  name          = "from_file"
  configuration = file("${path.module}/security-configuration.json")
}
""")
    _write(os.path.join(repo, "infra", "security-configuration.json"),
           '{"EncryptionConfiguration": {"EnableAtRestEncryption": true, "EnableInTransitEncryption": false,'
           ' "AtRestEncryptionConfiguration": {"S3EncryptionConfiguration": {"EncryptionMode": "SSE-S3"}}}}\n')
    _write(os.path.join(repo, "legacy", "main.tf"), FAILING_TF)  # fails everything, but nothing there changed
    completed = checkov_emr("--pre-commit", "-o", "json", os.path.join("infra", "emr.tf"),
                            os.path.join("infra", "variables.tf"), cwd=os.path.join(repo))
    assert completed.returncode == 1, completed.stderr[-3000:]
    found = {(resource, check, result) for _, resource, check, result in _results(completed)}
    assert {resource for resource, _, _ in found} == {"aws_emr_security_configuration.from_variables",
                                                      "aws_emr_security_configuration.from_file"}
    variables = {check: result for resource, check, result in found if resource.endswith("from_variables")}
    from_file = {check: result for resource, check, result in found if resource.endswith("from_file")}
    # var.in_transit (false, from variables.tf) decides CKV_EMRSEC_2, var.at_rest (true, from terraform.tfvars)
    # CKV_EMRSEC_1, and local.s3_mode (SSE-KMS) CKV_EMRSEC_6
    assert variables["CKV_EMRSEC_2"] == "FAILED" and variables["CKV_EMRSEC_1"] == "PASSED"
    assert variables["CKV_EMRSEC_6"] == "PASSED"
    assert variables["CKV_EMRSEC_7"] == "PASSED"
    # the file() target was read: SSE-S3 passes 1 and 3 and fails 6
    assert (from_file["CKV_EMRSEC_1"], from_file["CKV_EMRSEC_3"], from_file["CKV_EMRSEC_6"]) == (
        "PASSED", "PASSED", "FAILED")
    assert from_file["CKV_EMRSEC_7"] == "PASSED"


PRE_COMMIT_CONFIG = """repos:
  - repo: {repo}
    rev: {rev}
    hooks:
      - id: checkov-emr
"""


@pytest.mark.slow
def test_real_pre_commit_blocks_a_failing_commit_and_lets_a_passing_one_through(tmp_path) -> None:
    """The hook as users install it: `pre-commit install` in a repository, then `git commit`."""
    head = _git(REPO, "rev-parse", "HEAD").stdout.strip()
    repo = str(tmp_path / "project")
    os.makedirs(repo)
    identity = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com", "GIT_COMMITTER_NAME": "Test",
                "GIT_COMMITTER_EMAIL": "test@example.com"}
    env = {**os.environ, **identity, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
           "PATH": BIN + os.pathsep + os.environ.get("PATH", "")}
    env.pop("CHECKOV_EMR_ROOT", None)

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return _git(repo, *args, env=env)

    def pre_commit(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=repo, capture_output=True,
                              text=True, timeout=1800, env=env)

    def commit(message: str, *paths: str) -> subprocess.CompletedProcess[str]:
        assert git("add", *paths).returncode == 0
        return git("commit", "-m", message)

    assert git("init", "-q").returncode == 0
    _write(os.path.join(repo, ".pre-commit-config.yaml"), PRE_COMMIT_CONFIG.format(repo=REPO, rev=head))
    installed = pre_commit("install")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    hooks_ready = pre_commit("install-hooks")  # builds the hook's environment: checkov from PyPI
    assert hooks_ready.returncode == 0, hooks_ready.stdout[-3000:] + hooks_ready.stderr[-3000:]

    # A commit that touches no EMR resource passes, and the hook does not start Checkov.
    _write(os.path.join(repo, "infra", "network.tf"), 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n')
    _write(os.path.join(repo, "infra", "variables.tf"), 'variable "in_transit" {\n  default = false\n}\n')
    first = commit("network", ".pre-commit-config.yaml", "infra")
    assert first.returncode == 0, first.stdout + first.stderr

    # A security configuration whose in-transit flag is a variable of a sibling, unchanged file: blocked.
    _write(os.path.join(repo, "infra", "emr.tf"), KMS_KEY + 'resource "aws_emr_security_configuration" "sc" {\n'
           '  name = "sc"\n  configuration = ' + PASSING_CONFIGURATION % "var.in_transit" + "\n}\n")
    blocked = commit("emr", "infra/emr.tf")
    assert blocked.returncode != 0, blocked.stdout + blocked.stderr
    said = blocked.stdout + blocked.stderr
    assert "CKV_EMRSEC_2" in said and "EnableInTransitEncryption is false" in said, said
    assert git("log", "--format=%s").stdout.split() == ["network"]
    assert git("reset", "-q").returncode == 0
    os.remove(os.path.join(repo, "infra", "emr.tf"))

    # An old failing file already in the repository does not block commits that do not touch it.
    _write(os.path.join(repo, "legacy", "main.tf"), FAILING_TF)
    assert commit("legacy", "legacy").returncode != 0
    assert git("commit", "--no-verify", "-m", "legacy").returncode == 0

    # Passing Terraform and CloudFormation go through.
    _write(os.path.join(repo, "infra", "emr.tf"), PASSING_TF)
    _write(os.path.join(repo, "stacks", "emr.yaml"), PASSING_CFN)
    passed = commit("emr", "infra/emr.tf", "stacks/emr.yaml")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert git("log", "--format=%s").stdout.split() == ["emr", "legacy", "network"]

    # A commit that only turns a variable off re-checks the configuration that reads it: blocked.
    _write(os.path.join(repo, "analytics", "variables.tf"), 'variable "in_transit" {\n  default = true\n}\n')
    _write(os.path.join(repo, "analytics", "emr.tf"), KMS_KEY + 'resource "aws_emr_security_configuration" "sc" {\n'
           '  name = "sc"\n  configuration = ' + PASSING_CONFIGURATION % "var.in_transit" + "\n}\n")
    assert commit("analytics", "analytics").returncode == 0
    _write(os.path.join(repo, "analytics", "variables.tf"), 'variable "in_transit" {\n  default = false\n}\n')
    turned_off = commit("in transit off", "analytics/variables.tf")
    said = turned_off.stdout + turned_off.stderr
    assert turned_off.returncode != 0 and "CKV_EMRSEC_2" in said and "/emr.tf" in said, said
    assert git("reset", "-q", "--hard").returncode == 0

    # A security configuration in a file that does not parse: blocked, naming the file and the parser's error.
    _write(os.path.join(repo, "analytics", "broken.tf"), BROKEN_TF)
    broken = commit("broken", "analytics/broken.tf")
    said = broken.stdout + broken.stderr
    assert broken.returncode != 0 and "CKV_EMRSEC_9" in said and "broken.tf cannot be parsed" in said, said


# --- SARIF, JUnit, annotations ----------------------------------------------------------------------------------


def _workflow_steps() -> list[dict[str, Any]]:
    return yaml.safe_load(_read(GITHUB_WORKFLOW))["jobs"]["emr-encryption"]["steps"]


def _run_command(command: str, cwd: str) -> subprocess.CompletedProcess[str]:
    """Runs a checkov-emr command line from a pipeline, as the pipeline would."""
    argv = shlex.split(command)
    assert argv[0] == "checkov-emr"
    return checkov_emr(*argv[1:], cwd=cwd)


@pytest.fixture(scope="module")
def failing_workspace(tmp_path_factory) -> str:
    """A repository in which every check of the pack fails at least once, in Terraform and CloudFormation (and a
    Terraform file that does not parse)."""
    root = str(tmp_path_factory.mktemp("workspace"))
    _write(os.path.join(root, "terraform", "main.tf"), FAILING_TF)
    _write(os.path.join(root, "terraform", "broken.tf"), BROKEN_TF)
    _write(os.path.join(root, "terraform", "ok.tf"), PASSING_TF)
    _write(os.path.join(root, "cloudformation", "template.yaml"), FAILING_CFN)
    return root


@pytest.fixture(scope="module")
def github_sarif(failing_workspace) -> dict[str, Any]:
    """The SARIF file written by the GitHub Actions workflow's own scan command."""
    (scan,) = [step["run"] for step in _workflow_steps() if step.get("name") == "Scan"]
    completed = _run_command(scan, failing_workspace)
    assert completed.returncode == 1, completed.stderr[-3000:]  # findings fail the job
    assert "CKV_EMRSEC_1" in completed.stdout  # the console shows them too
    (upload,) = [step for step in _workflow_steps() if step.get("uses", "").startswith("github/codeql-action/upload")]
    with open(os.path.join(failing_workspace, upload["with"]["sarif_file"]), encoding="utf-8") as handle:
        return json.load(handle)


def test_sarif_is_valid_against_the_official_schema(github_sarif) -> None:
    schema = json.loads(_read(SARIF_SCHEMA))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = [f"{error.json_path}: {error.message[:200]}" for error in validator.iter_errors(github_sarif)]
    assert not errors, "\n".join(errors[:20])


def test_sarif_rules_carry_ids_names_readme_links_and_security_hub_controls(github_sarif) -> None:
    (run,) = github_sarif["runs"]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert set(rules) == PACK_IDS
    for check_id, rule in rules.items():
        spec = BY_ID[check_id]
        assert rule["name"] == spec.name and rule["shortDescription"]["text"] == spec.name
        assert rule["helpUri"] == spec.guideline
        assert os.path.isfile(os.path.join(REPO, "docs", "checks", f"{spec.id}.md"))
        assert spec.fix in rule["help"]["text"]
        tags = rule["properties"]["tags"]
        assert (f"security-hub:{spec.control}" in tags) == bool(spec.control), (check_id, tags)
        assert float(rule["properties"]["security-severity"]) > 0
    assert {tag for rule in rules.values() for tag in rule["properties"]["tags"]} >= {
        "security-hub:EMR.3", "security-hub:EMR.4"}
    # every result names its rule and says what is wrong and how to fix it
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert "Fix: " in result["message"]["text"], result["message"]
    uris = {result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for result in run["results"]}
    assert uris == {"terraform/main.tf", "terraform/broken.tf", "cloudformation/template.yaml"}


def test_sarif_from_plain_checkov_details_is_repaired() -> None:
    document = {"runs": [{"tool": {"driver": {"name": "Checkov", "rules": [{"id": "CKV_AWS_1", "name": "x"}]}},
                          "results": [{"ruleId": "CKV_AWS_1", "message": {"text": "x"},
                                       "attachments": [{"description": "a detail"}]},
                                      {"ruleId": "CKV_AWS_1", "message": {"text": "y"}, "attachments": []}]}]}
    outputs.fix_sarif(document)
    first, second = document["runs"][0]["results"]
    assert first == {"ruleId": "CKV_AWS_1", "message": {"text": "x\na detail"}}
    assert second == {"ruleId": "CKV_AWS_1", "message": {"text": "y"}, "attachments": []}
    assert document["runs"][0]["tool"]["driver"]["rules"] == [{"id": "CKV_AWS_1", "name": "x"}]


def test_github_annotations_point_at_the_findings(github_sarif, failing_workspace, tmp_path) -> None:
    steps = [step["run"] for step in _workflow_steps() if "--github-annotations" in step.get("run", "")]
    assert steps == ["checkov-emr --github-annotations results.sarif"]
    completed = _run_command(steps[0], failing_workspace)
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert len(lines) == len(github_sarif["runs"][0]["results"])
    pattern = re.compile(r"^::(error|warning|notice) "
                         r"file=(terraform/(?:main|broken)\.tf|cloudformation/template\.yaml),"
                         r"line=\d+,endLine=\d+,title=(CKV_EMRSEC_\d+)::\S.*Fix: ")
    assert all(pattern.match(line) for line in lines), lines[:3]
    assert {pattern.match(line).group(3) for line in lines} == PACK_IDS
    suppressed = {"runs": [{"results": [{"ruleId": "CKV_EMRSEC_1", "suppressions": [{"kind": "inSource"}]}]}]}
    assert list(github_annotations.annotations(suppressed)) == []
    assert list(github_annotations.annotations({"runs": [{"results": [
        {"ruleId": "A,B", "level": "error", "message": {"text": "50%\nnext"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a%20b.tf"}, "region": {"startLine": 3}}}]},
    ]}]})) == ["::error file=a b.tf,line=3,title=A%2CB::50%25%0Anext"]


def test_gitlab_junit_report_parses_and_names_the_checks(failing_workspace) -> None:
    pipeline = yaml.safe_load(_read(GITLAB_PIPELINE))["checkov-emr"]
    (scan,) = [line for line in pipeline["script"] if line.startswith("checkov-emr")]
    completed = _run_command(scan, failing_workspace)
    assert completed.returncode == 1, completed.stderr[-3000:]
    report = os.path.join(failing_workspace, pipeline["artifacts"]["reports"]["junit"])
    assert pipeline["artifacts"]["when"] == "always"
    cases = ElementTree.parse(report).getroot().iter("testcase")
    failed = {}
    for case in cases:
        match = re.match(r"\[(\w+)\]\[(CKV_EMRSEC_\d+)\] (.+)$", case.get("name", ""))
        assert match, case.get("name")
        severity, check_id, name = match.groups()
        assert (severity, name) == (BY_ID[check_id].severity, BY_ID[check_id].name)
        failure = case.find("failure")
        if failure is not None:
            assert "Details: " in failure.text and "Fix: " in failure.text, failure.text
            failed[check_id] = failure
    assert set(failed) == PACK_IDS


# --- The pipelines themselves ----------------------------------------------------------------------------------


def _commands(path: str) -> list[str]:
    document = yaml.safe_load(_read(path))
    if path != GITLAB_PIPELINE:
        return [line for job in document["jobs"].values() for step in job["steps"]
                for line in step.get("run", "").splitlines() if line.strip()]
    return [line for job in document.values() if isinstance(job, dict)
            for key in ("before_script", "script") for line in job.get(key, [])]


@pytest.mark.parametrize("path,schema", [(GITHUB_WORKFLOW, "vendor.github-workflows"),
                                         (GITLAB_PIPELINE, "vendor.gitlab-ci"),
                                         *((variant, "vendor.github-workflows") for variant in GITHUB_VARIANTS)])
def test_pipelines_are_valid_and_run_what_the_readme_documents(path: str, schema: str) -> None:
    linted = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, path],
                            capture_output=True, text=True, timeout=300)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    yamllint = subprocess.run([sys.executable, "-m", "yamllint", "-d",
                               "{extends: default, rules: {line-length: {max: 120}, document-start: disable, "
                               "truthy: {check-keys: false}}}", path], capture_output=True, text=True, timeout=300)
    assert yamllint.returncode == 0, yamllint.stdout + yamllint.stderr
    commands = _commands(path)
    if path in GITHUB_VARIANTS:
        uses = [step["uses"] for job in yaml.safe_load(_read(path))["jobs"].values() for step in job["steps"]
                if "uses" in step]
        assert any(re.fullmatch(r"checkov-emr-security/checkov-emr-security@v\d+\.\d+\.\d+", u) for u in uses), uses
    else:
        assert any(c.startswith("checkov-emr -d . ") for c in commands)
        installs = [c for c in commands if c.startswith("pip install")]
        assert installs and all(re.search(r"checkov-emr-security@v\d+\.\d+\.\d+\"$", c) for c in installs), installs
    documented = _integration_sections()
    for command in commands:
        assert command in documented, f"{os.path.basename(path)} runs a command the README does not show: {command}"
        assert "--soft-fail" not in command  # findings fail the job


def test_github_workflow_uploads_the_sarif_it_writes_even_when_the_scan_fails() -> None:
    workflow = yaml.safe_load(_read(GITHUB_WORKFLOW))
    for path in (GITHUB_WORKFLOW, *GITHUB_VARIANTS):  # upload-sarif needs both on private repositories
        permissions = yaml.safe_load(_read(path))["permissions"]
        assert (permissions["security-events"], permissions["actions"]) == ("write", "read"), path
    steps = _workflow_steps()
    (scan,) = [step for step in steps if step.get("name") == "Scan"]
    (upload,) = [step for step in steps if step.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    sarif_file = upload["with"]["sarif_file"]
    assert f"-o sarif --output-file-path console,{sarif_file}" in scan["run"]
    assert "!cancelled()" in upload["if"] and steps.index(upload) > steps.index(scan)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as true
    assert "pull_request" in triggers


# --- IDE -------------------------------------------------------------------------------------------------------


def _pack_ids_in(completed: subprocess.CompletedProcess[str]) -> set[str]:
    return {r["check_id"] for r in records(completed)}


def test_sample_checkov_yaml_loads_every_check_of_the_pack() -> None:
    completed = plain_checkov("-f", os.path.join("examples", "terraform", "main.tf"), "--config-file", IDE_CONFIG,
                              "-o", "json")
    assert _pack_ids_in(completed) == RESOURCE_CHECK_IDS


def test_vscode_extension_invocation_loads_the_pack(tmp_path) -> None:
    """As the extension runs Checkov: from the workspace root, one file, the workspace .checkov.yaml."""
    installed_dir = checkov_emr("--checks-dir").stdout.strip()
    sample = _read(IDE_CONFIG)
    assert "\n  - checks\n" in sample
    _write(str(tmp_path / ".checkov.yaml"), sample.replace("\n  - checks\n", f"\n  - {installed_dir}\n"))
    shutil.copy(os.path.join(REPO, "examples", "terraform", "main.tf"), tmp_path / "main.tf")
    extension_like = ["-s", "--repo-id", "vscode/workspace", "-f", str(tmp_path / "main.tf"), "-o", "json"]
    completed = plain_checkov(*extension_like, "--config-file", str(tmp_path / ".checkov.yaml"), cwd=str(tmp_path))
    assert _pack_ids_in(completed) == RESOURCE_CHECK_IDS
    # the checkov.externalChecksDir setting instead of the file
    completed = plain_checkov(*extension_like, "--external-checks-dir", installed_dir, cwd=str(tmp_path))
    assert _pack_ids_in(completed) == RESOURCE_CHECK_IDS


def test_vscode_task_problem_matcher_reads_real_findings(failing_workspace) -> None:
    """The task's commands run for real; its matcher's regex must turn every finding into a located problem."""
    (task,) = json.loads(_read(VSCODE_TASKS))["tasks"]
    matcher = task["problemMatcher"]
    pattern, groups = re.compile(matcher["pattern"]["regexp"]), matcher["pattern"]
    workspace = os.path.join(failing_workspace, "..", "vscode-workspace")
    shutil.copytree(failing_workspace, workspace, ignore=shutil.ignore_patterns("*.sarif", "*.xml"))
    output = ""
    for command in task["command"].split("; "):
        output += _run_command(command, workspace).stdout
    problems = [match for match in map(pattern.match, output.splitlines()) if match]
    assert {match.group(groups["code"]) for match in problems} == PACK_IDS
    for match in problems:
        assert os.path.isfile(os.path.join(workspace, match.group(groups["file"]))), match.group(0)
        assert int(match.group(groups["line"])) >= 1 and match.group(groups["severity"]) in ("warning", "notice")
        message = match.group(groups["message"])
        assert message and "%0A" not in message, match.group(0)
    assert any(".EnableInTransitEncryption is false" in match.group(groups["message"]) for match in problems)


def test_github_action_metadata_is_valid_and_scans_like_the_workflow() -> None:
    schema = json.loads(_read(os.path.join(REPO, "tests", "schemas", "github-action.json")))
    action = yaml.safe_load(_read(ACTION))
    jsonschema.validators.validator_for(schema)(schema).validate(action)
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {"directory", "flags", "soft-fail", "sarif-file"}
    steps = action["runs"]["steps"]
    assert any('pip install --quiet "$GITHUB_ACTION_PATH"' in step.get("run", "") for step in steps)  # its own ref
    scan = next(step["run"] for step in steps if step.get("id") == "scan")
    assert '-o cli -o sarif --output-file-path "console,$SARIF_FILE"' in scan and "--github-annotations" in scan
    assert 'checkov-emr ${DIRECTORY:+-d "$DIRECTORY"} $FLAGS ' in scan  # an empty directory scans only the flags' files
    for step in steps:
        if "uses" in step:
            assert re.search(r"@v\d+$", step["uses"]), step["uses"]  # pinned, never a branch


# --- Terminal --------------------------------------------------------------------------------------------------


def _on_terminal(*args: str, env: dict[str, str]) -> str:
    """Runs checkov-emr with a pseudo-terminal as its standard output and error; returns what it drew."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    process = subprocess.Popen([sys.executable, "-m", "checkov_emr_security.cli", *args], cwd=REPO,
                               stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    drawn = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        drawn += chunk
    process.wait(timeout=600)
    os.close(leader)
    return drawn.decode("utf-8", "replace")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pseudo-terminal test")
def test_progress_shows_on_a_terminal_and_not_in_ci_or_pipes() -> None:
    args = ("-d", os.path.join("tests", "fixtures", "terraform"), "--framework", "terraform", "--compact")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "LOG_LEVEL")}
    assert "[ terraform framework ]" in _on_terminal(*args, env=env)
    assert "framework ]" not in _on_terminal(*args, env={**env, "CI": "true"})
    piped = checkov_emr(*args)
    assert "framework ]" not in piped.stdout + piped.stderr


# --- README ----------------------------------------------------------------------------------------------------


def test_readme_documents_each_integration() -> None:
    documented = _integration_sections()
    hook = yaml.safe_load(_read(os.path.join(REPO, ".pre-commit-hooks.yaml")))[0]
    snippet = re.search(r"```yaml\n(repos:\n.*?)```", documented, re.DOTALL)
    assert snippet, "no .pre-commit-config.yaml snippet"
    config = yaml.safe_load(snippet.group(1))
    assert config["repos"][0]["hooks"][0]["id"] == hook["id"]
    assert re.fullmatch(r"v\d+\.\d+\.\d+", config["repos"][0]["rev"])  # pre-commit warns about a branch
    for expected in ("examples/ci/github-actions.yml", "examples/ci/gitlab-ci.yml", "examples/ide/.checkov.yaml",
                     "checkov.externalChecksDir", "--config-file", "security-hub:EMR.3", "--pre-commit",
                     "cdk synth", "cdktf synth", "--download-external-modules true"):
        assert expected in documented, expected
