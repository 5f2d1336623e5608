"""checkov-emr leaves out Checkov's variable rendering on one folder; findings stay those of plain Checkov."""
from __future__ import annotations

import pathlib

from checkov_runs import checkov_emr, findings, plain_checkov_with_pack

CONFIGURATION = """
variable "in_transit" {
  type    = bool
  default = false
}

resource "aws_emr_security_configuration" "hcl" {
  name          = "hcl"
  configuration = jsonencode({
    EncryptionConfiguration = {
      EnableAtRestEncryption    = true
      EnableInTransitEncryption = var.in_transit
    }
  })
}
"""


def test_rendering_stays_for_pack_resources_in_hcl_files(tmp_path: pathlib.Path) -> None:
    """Terraform ignores .hcl files and so does the pack's reader: Checkov's rendered value decides there."""
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n', encoding="utf-8")
    (tmp_path / "emr.hcl").write_text(CONFIGURATION, encoding="utf-8")
    found = findings(checkov_emr("-d", str(tmp_path), "-o", "json"))
    assert found and found == findings(plain_checkov_with_pack("-d", str(tmp_path)))


def test_module_instances_without_rendering_match_plain_checkov(tmp_path: pathlib.Path) -> None:
    """Two roots calling one module by the same name, with other inputs: one address, two input sets."""
    module = tmp_path / "modules" / "emr"
    module.mkdir(parents=True)
    (module / "main.tf").write_text(CONFIGURATION.replace('"hcl"', '"this"'), encoding="utf-8")
    for root, in_transit in (("dev", "false"), ("prod", "true")):
        (tmp_path / root).mkdir()
        (tmp_path / root / "main.tf").write_text(
            f'module "emr" {{\n  source     = "../modules/emr"\n  in_transit = {in_transit}\n}}\n', encoding="utf-8")
    found = findings(checkov_emr("-d", str(tmp_path), "-o", "json"))
    assert found and found == findings(plain_checkov_with_pack("-d", str(tmp_path)))
