"""One documentation page per check (`docs/checks/CKV_EMRSEC_N.md`, also `checkov-emr --explain`), rendered
from the catalog (`emrsec.catalog`) by one template, so a check's metadata is declared once.

Run `python -m checkov_emr_security.docs` after changing the catalog; a test fails while a page is stale.
"""
from __future__ import annotations

import json
import os
import re
import sys
from typing import Any, Callable, Optional, Union

from checkov_emr_security import import_pack

import_pack()
from emrsec.catalog import (  # noqa: E402
    CHECKS, CLOUDFORMATION_RESOURCE, CLUSTER, FILE, FULL_EXAMPLE, KMS_KEY, PROJECT_URL, SECURITY_CONFIGURATION,
    TERRAFORM_RESOURCE, UNRESOLVED, CheckSpec)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGES_DIR = os.path.join("docs", "checks")
INDEX = os.path.join(PAGES_DIR, "README.md")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# The AWS Config rule behind each Security Hub control the catalog names; those rules read the flags only.
CONFIG_RULES = {"EMR.3": "emr-security-configuration-encryption-rest",
                "EMR.4": "emr-security-configuration-encryption-transit"}
REFERENCES = {
    SECURITY_CONFIGURATION: [
        ("Amazon EMR: encryption options",
         "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-data-encryption-options.html"),
        ("Amazon EMR: security configuration JSON",
         "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-create-security-configuration.html"),
        ("Terraform: aws_emr_security_configuration",
         "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/emr_security_configuration"),
        ("CloudFormation: AWS::EMR::SecurityConfiguration",
         "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-emr-securityconfiguration.html"),
    ],
    CLUSTER: [
        ("Amazon EMR: specify a security configuration for a cluster",
         "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-specify-security-configuration.html"),
        ("Terraform: aws_emr_cluster",
         "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/emr_cluster"),
        ("CloudFormation: AWS::EMR::Cluster",
         "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-emr-cluster.html"),
    ],
}
Example = Optional[str]  # a rendered snippet, None when the format cannot express the case


def _hcl(value: Any, indent: int) -> str:
    pad = "  " * indent
    if value is KMS_KEY:
        return "aws_kms_key.emr.arn"
    if isinstance(value, dict):
        width = max(len(k) for k in value)
        lines = [f"{pad}  {k.ljust(width)} = {_hcl(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + "\n".join(lines) + f"\n{pad}}}"
    return json.dumps(value)


def _yaml(value: Any, indent: int) -> str:
    pad = "  " * indent
    if isinstance(value, dict):
        return "".join(f"\n{pad}{k}:" + (_yaml(v, indent + 1) if isinstance(v, dict) else f" {_yaml(v, indent + 1)}")
                       for k, v in value.items())
    if value is KMS_KEY:
        return "!GetAtt EmrKey.Arn"
    return json.dumps(value)


def _typescript(value: Any, indent: int) -> str:
    pad = "  " * indent
    if value is KMS_KEY:
        return "key.keyArn"
    if isinstance(value, dict):
        lines = [f"{pad}  {k if _IDENTIFIER.match(k) else json.dumps(k)}: {_typescript(v, indent + 1)},"
                 for k, v in value.items()]
        return "{\n" + "\n".join(lines) + f"\n{pad}}}"
    return json.dumps(value).replace('"', "'")


def _configuration_terraform(configuration: Any) -> str:
    if configuration is UNRESOLVED:
        return ('variable "emr_configuration" {\n  type = string # no default: the scan cannot know the value\n}\n\n'
                'resource "aws_emr_security_configuration" "example" {\n  name          = "emr-encrypted"\n'
                "  configuration = var.emr_configuration\n}")
    return ('resource "aws_kms_key" "emr" {\n  description         = "EMR encryption"\n'
            '  enable_key_rotation = true\n}\n\n'
            'resource "aws_emr_security_configuration" "example" {\n  name = "emr-encrypted"\n'
            f"  configuration = jsonencode({_hcl(configuration, 1)})\n}}")


def _configuration_cloudformation(configuration: Any) -> str:
    resource = "  SecurityConfiguration:\n    Type: AWS::EMR::SecurityConfiguration\n    Properties:\n"
    if configuration is UNRESOLVED:
        return ("Parameters:\n  EmrConfiguration:\n    Type: String # no Default: the scan cannot know the value\n"
                f"Resources:\n{resource}      SecurityConfiguration: !Ref EmrConfiguration")
    return ("Resources:\n  EmrKey:\n    Type: AWS::KMS::Key\n    Properties:\n      EnableKeyRotation: true\n"
            f"{resource}      SecurityConfiguration:{_yaml(configuration, 4)}")


def _configuration_cdk(configuration: Any) -> str:
    construct = "new emr.CfnSecurityConfiguration(this, 'SecurityConfiguration', {\n  securityConfiguration: "
    if configuration is UNRESOLVED:
        return f"{construct}cdk.Fn.importValue('shared-emr-configuration'),\n}});"
    return ("const key = new kms.Key(this, 'EmrKey', { enableKeyRotation: true });\n"
            f"const securityConfiguration = {construct}{_typescript(configuration, 1)},\n}});")


# A passing cluster is shown with the configuration it names: the cluster checks judge that configuration too.
def _cluster_terraform(uses_configuration: bool) -> str:
    line = "  security_configuration = aws_emr_security_configuration.example.name\n" if uses_configuration else ""
    cluster = ('resource "aws_emr_cluster" "example" {\n  name          = "analytics"\n  release_label = "emr-7.2.0"\n'
               f"  service_role  = aws_iam_role.emr_service.arn\n{line}  # ...\n}}")
    return f"{_configuration_terraform(FULL_EXAMPLE)}\n\n{cluster}" if uses_configuration else cluster


def _cluster_cloudformation(uses_configuration: bool) -> str:
    line = "      SecurityConfiguration: !Ref SecurityConfiguration\n" if uses_configuration else ""
    cluster = ("  Cluster:\n    Type: AWS::EMR::Cluster\n    Properties:\n      Name: analytics\n"
               f"      ReleaseLabel: emr-7.2.0\n{line}      # ...")
    return f"{_configuration_cloudformation(FULL_EXAMPLE)}\n{cluster}" if uses_configuration else f"Resources:\n{cluster}"


def _cluster_cdk(uses_configuration: bool) -> str:
    line = "  securityConfiguration: securityConfiguration.ref,\n" if uses_configuration else ""
    cluster = f"new emr.CfnCluster(this, 'Cluster', {{\n  name: 'analytics',\n  releaseLabel: 'emr-7.2.0',\n{line}  // ...\n}});"
    return f"{_configuration_cdk(FULL_EXAMPLE)}\n{cluster}" if uses_configuration else cluster


_UNPARSABLE_TERRAFORM = ('resource "aws_emr_security_configuration" "example" {\n  name          = "emr-encrypted"\n'
                         "  configuration = # the value is missing: the file does not parse\n}")
_UNPARSABLE_CLOUDFORMATION = ("Resources:\n  SecurityConfiguration:\n    Type: AWS::EMR::SecurityConfiguration\n"
                              "    Properties:\n      SecurityConfiguration: {EncryptionConfiguration: {  # unclosed")


def _file(render: Callable[[Any], str], unparsable: Example) -> Callable[[CheckSpec, bool], Example]:
    """A file check: a file that does not parse fails, any file that parses passes."""
    return lambda spec, passing: render(FULL_EXAMPLE) if passing else unparsable


def _configuration(render: Callable[[Any], str]) -> Callable[[CheckSpec, bool], Example]:
    return lambda spec, passing: render(spec.example if passing else spec.failing_example) \
        if passing or spec.failing_example is not None else None


def _cluster(render: Callable[[bool], str]) -> Callable[[CheckSpec, bool], Example]:
    return lambda spec, passing: render(passing)


# format -> (code-block language, the renderer of each resource kind); a kind without one shows its value as JSON
FORMATS: dict[str, tuple[str, dict[str, Callable[[CheckSpec, bool], Example]]]] = {
    "Terraform": ("hcl", {SECURITY_CONFIGURATION: _configuration(_configuration_terraform),
                          CLUSTER: _cluster(_cluster_terraform),
                          FILE: _file(_configuration_terraform, _UNPARSABLE_TERRAFORM)}),
    "CloudFormation": ("yaml", {SECURITY_CONFIGURATION: _configuration(_configuration_cloudformation),
                                CLUSTER: _cluster(_cluster_cloudformation),
                                FILE: _file(_configuration_cloudformation, _UNPARSABLE_CLOUDFORMATION)}),
    "CDK (TypeScript)": ("ts", {SECURITY_CONFIGURATION: _configuration(_configuration_cdk),
                                CLUSTER: _cluster(_cluster_cdk)}),
}


def example(spec: CheckSpec, title: str, passing: bool) -> Example:
    """The check's passing or failing example in one format (None where the format has no renderer for its kind)."""
    render = FORMATS[title][1].get(spec.resource)
    return None if render is None else render(spec, passing)


def _json_values(spec: CheckSpec) -> list[str]:
    """A kind no format renders yet: its passing and failing values as JSON."""
    parts = []
    for label, value in (("Fails", spec.failing_example), ("Passes", spec.example)):
        if value is not None and not (label == "Passes" and not value):
            parts += [f"{label}:", "", "```json", json.dumps(value, indent=2, default=str), "```", ""]
    return parts


def _names(types: Union[str, tuple[str, ...], list[str], None]) -> list[str]:
    return [] if types is None else [types] if isinstance(types, str) else list(types)


def _resources(spec: CheckSpec) -> str:
    if spec.resource == FILE:
        return "every scanned file that names an EMR resource (`checkov-emr` only)"
    names = _names(TERRAFORM_RESOURCE.get(spec.resource)) + _names(CLOUDFORMATION_RESOURCE.get(spec.resource))
    return ", ".join(f"`{name}`" for name in names) or spec.resource


def _control_link(control: str) -> str:
    return f"https://docs.aws.amazon.com/securityhub/latest/userguide/emr-controls.html#{control.lower().replace('.', '-')}"


def _why(spec: CheckSpec) -> list[str]:
    if spec.control:
        rule = CONFIG_RULES.get(spec.control)
        behind = f" (AWS Config rule `{rule}`)" if rule else ""
        control = f"Implements Security Hub [{spec.control}]({_control_link(spec.control)}){behind}."
    else:
        control = "No Security Hub control covers this: it is stricter best practice."
    return [spec.why, "", control] if spec.why else [control]


def _suppress(spec: CheckSpec) -> list[str]:
    if spec.resource == FILE:
        return ["A file finding has no resource to carry a skip comment: leave a file that is not deployed out of "
                "the scan with `--skip-path <file>`, or skip the check for the whole scan with "
                f"`--skip-check {spec.id}`."]
    terraform = _names(TERRAFORM_RESOURCE.get(spec.resource))
    cloudformation = _names(CLOUDFORMATION_RESOURCE.get(spec.resource))
    parts = ["With a reason, the Checkov way, inside the resource:", ""]
    if terraform:
        parts += ["```hcl", f'resource "{terraform[0]}" "example" {{',
                  f"  #checkov:skip={spec.id}:<why this resource is exempt>", "  # ...", "}", "```", ""]
    if cloudformation:
        parts += ["```yaml", "  Example:", f"    Type: {cloudformation[0]}", "    Metadata:", "      checkov:",
                  "        skip:", f"          - id: {spec.id}", "            comment: <why this resource is exempt>",
                  "```", ""]
    parts += [f"or for a whole scan, `--skip-check {spec.id}`. Checkov's `terraform_json` runner ignores skip "
              "comments in `.tf.json` files."]
    return parts


def page(spec: CheckSpec, heading: str = "#") -> str:
    """The check's page: what it checks, why, failing and passing examples per format, fix, suppression, references."""
    sub = heading + "#"
    parts = [f"{heading} {spec.id}: {spec.name}", "",
             f"Severity **{spec.severity}** · Security Hub {spec.control or 'none (stricter)'} · {_resources(spec)}",
             "", f"{sub} What it checks", "", f"Passes when: {spec.passes_when}", "",
             f"{sub} Why", "", *_why(spec), "", f"{sub} Examples", ""]
    rendered = False
    for title, (language, _) in FORMATS.items():
        failing, passing = example(spec, title, False), example(spec, title, True)
        if failing is None and passing is None:
            continue
        rendered = True
        parts += [f"{sub}# {title}", ""]
        for label, snippet in (("Fails", failing), ("Passes", passing)):
            if snippet is not None:
                parts += [f"{label}:", "", f"```{language}", snippet, "```", ""]
    if not rendered:
        parts += _json_values(spec)
    parts += [f"{sub} How to fix", "", spec.fix, "", f"{sub} How to suppress", "", *_suppress(spec), "",
              f"{sub} References", ""]
    if spec.control:
        parts.append(f"- [AWS Security Hub {spec.control}]({_control_link(spec.control)})")
    parts += [f"- [{title}]({url})" for title, url in REFERENCES.get(spec.resource, [])]
    parts.append(f"- [All checks of checkov-emr-security]({PROJECT_URL}/blob/main/docs/checks/README.md)")
    return "\n".join(parts) + "\n"


def index() -> str:
    rows = [f"| [{s.id}]({s.id}.md) | {s.name} | {s.control or '-'} | {s.severity} |" for s in CHECKS]
    return "\n".join(["# The checks", "", "Generated from `checks/emrsec/catalog.py` by "
                      "`python -m checkov_emr_security.docs`; do not edit by hand.", "",
                      "| ID | Name | Security Hub | Severity |", "|---|---|---|---|", *rows]) + "\n"


def pages() -> dict[str, str]:
    """Every generated file, by its path relative to the repository root."""
    return {INDEX: index(), **{os.path.join(PAGES_DIR, f"{spec.id}.md"): page(spec) for spec in CHECKS}}


def write(root: str = ROOT) -> None:
    """Writes every page and removes the pages of checks no longer in the catalog."""
    os.makedirs(os.path.join(root, PAGES_DIR), exist_ok=True)
    wanted = pages()
    for name in os.listdir(os.path.join(root, PAGES_DIR)):
        if os.path.join(PAGES_DIR, name) not in wanted:
            os.remove(os.path.join(root, PAGES_DIR, name))
    for path, text in wanted.items():
        with open(os.path.join(root, path), "w", encoding="utf-8") as handle:
            handle.write(text)


if __name__ == "__main__":
    write(sys.argv[1] if len(sys.argv) > 1 else ROOT)
