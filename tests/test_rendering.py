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


def test_counted_resources_without_rendering_match_plain_checkov(tmp_path: pathlib.Path) -> None:
    """terraform-aws-modules' layout: `count = var.create ? 1 : 0` in a submodule, a wrapper passing `create` on,
    and examples calling the wrapper, one with create = false. Checkov expands the count where its own sub-graph
    resolves it; the disabled example's resource reaches the checks with its count unrendered, and plain Checkov
    skips it only once rendering has made that count 0: so must checkov-emr, without rendering."""
    submodule = tmp_path / "modules" / "security-configuration"
    submodule.mkdir(parents=True)
    (submodule / "main.tf").write_text(
        'variable "create" {\n  type    = bool\n  default = true\n}\n'
        + CONFIGURATION.replace('"hcl" {', '"this" {\n  count = var.create ? 1 : 0\n'), encoding="utf-8")
    (tmp_path / "main.tf").write_text(
        'variable "create" {\n  type    = bool\n  default = true\n}\n\n'
        'variable "in_transit" {\n  type    = bool\n  default = true\n}\n\n'
        'module "security_configuration" {\n  source     = "./modules/security-configuration"\n'
        '  create     = var.create\n  in_transit = var.in_transit\n}\n', encoding="utf-8")
    for example, inputs in (("complete", ""), ("plain-text", "in_transit = false"), ("disabled", "create = false")):
        (tmp_path / "examples" / example).mkdir(parents=True)
        (tmp_path / "examples" / example / "main.tf").write_text(
            f'module "emr" {{\n  source = "../../"\n  {inputs}\n}}\n', encoding="utf-8")
    found = findings(checkov_emr("-d", str(tmp_path), "-o", "json"))
    assert found == findings(plain_checkov_with_pack("-d", str(tmp_path)))
    # one address for both examples that create one; the disabled one's unexpanded `...this` is not reported
    assert {resource for _, resource, _, _ in found} == {
        "module.emr.module.security_configuration.aws_emr_security_configuration.this[0]"}


def test_counts_and_for_each_read_through_locals_and_modules_match_plain_checkov(tmp_path: pathlib.Path) -> None:
    """Checkov expands a count or for_each that is not a literal by rendering the blocks it refers to (checkov-emr
    copies only those): through locals, a module's variables and its caller's, a list's length, a map."""
    module = tmp_path / "modules" / "emr"
    module.mkdir(parents=True)
    (module / "main.tf").write_text(
        'variable "names" {\n  type = list(string)\n}\n\n'
        'variable "settings" {\n  type = map(bool)\n}\n\n'
        'locals {\n  enabled = { for name, on in var.settings : name => on if on }\n}\n\n'
        + CONFIGURATION.replace('variable "in_transit" {\n  type    = bool\n  default = false\n}\n', '')
        .replace('"hcl" {', '"counted" {\n  count = length(var.names)\n').replace("var.in_transit", "true")
        + CONFIGURATION.replace('variable "in_transit" {\n  type    = bool\n  default = false\n}\n', '')
        .replace('"hcl" {', '"each" {\n  for_each = local.enabled\n').replace("var.in_transit", "each.value")
        + '\nresource "aws_s3_bucket" "logs" {\n  bucket = "logs-${length(var.names)}"\n}\n', encoding="utf-8")
    for root, names, settings in (("dev", '["a"]', "{ a = true, b = false }"), ("prod", "[]", "{ c = true }")):
        (tmp_path / root).mkdir()
        (tmp_path / root / "main.tf").write_text(
            f'locals {{\n  names = {names}\n}}\n\nmodule "emr" {{\n  source   = "../modules/emr"\n'
            f'  names    = local.names\n  settings = {settings}\n}}\n', encoding="utf-8")
    found = findings(checkov_emr("-d", str(tmp_path), "-o", "json"))
    assert found == findings(plain_checkov_with_pack("-d", str(tmp_path)))
    # prod's count is 0; Checkov leaves a for_each over a for expression unexpanded, with or without rendering
    assert {resource for _, resource, _, _ in found} == {
        "module.emr.aws_emr_security_configuration.counted[0]", "module.emr.aws_emr_security_configuration.each"}
