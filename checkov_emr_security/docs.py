"""README sections and `checkov-emr --explain`, rendered from the catalog (`emrsec.catalog`): one source of truth.

Run `python -m checkov_emr_security.docs` to rewrite the generated part of README.md; a test fails when it is stale.
"""
from __future__ import annotations

import json
import os
import re
import sys
from typing import Any, Callable

from checkov_emr_security import import_pack

import_pack()
from emrsec.catalog import CHECKS, CLUSTER, FILE, KMS_KEY, CheckSpec  # noqa: E402

README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")
START, END = "<!-- generated:checks:start -->", "<!-- generated:checks:end -->"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


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


def terraform_example(spec: CheckSpec) -> str:
    if spec.resource == CLUSTER:
        return ('resource "aws_emr_cluster" "example" {\n  name          = "analytics"\n  release_label = "emr-7.2.0"\n'
                '  service_role  = aws_iam_role.emr_service.arn\n'
                '  security_configuration = aws_emr_security_configuration.example.name\n  # ...\n}')
    return ('resource "aws_kms_key" "emr" {\n  description         = "EMR encryption"\n'
            '  enable_key_rotation = true\n}\n\n'
            'resource "aws_emr_security_configuration" "example" {\n  name = "emr-encrypted"\n'
            f"  configuration = jsonencode({_hcl(spec.example, 1)})\n}}")


def cloudformation_example(spec: CheckSpec) -> str:
    if spec.resource == CLUSTER:
        return ("Resources:\n  Cluster:\n    Type: AWS::EMR::Cluster\n    Properties:\n      Name: analytics\n"
                "      ReleaseLabel: emr-7.2.0\n      SecurityConfiguration: !Ref SecurityConfiguration\n      # ...")
    return ("Resources:\n  EmrKey:\n    Type: AWS::KMS::Key\n    Properties:\n      EnableKeyRotation: true\n"
            "  SecurityConfiguration:\n    Type: AWS::EMR::SecurityConfiguration\n    Properties:\n"
            f"      SecurityConfiguration:{_yaml(spec.example, 4)}")


def cdk_example(spec: CheckSpec) -> str:
    if spec.resource == CLUSTER:
        return ("new emr.CfnCluster(this, 'Cluster', {\n  name: 'analytics',\n  releaseLabel: 'emr-7.2.0',\n"
                "  securityConfiguration: securityConfiguration.ref,\n  // ...\n});")
    return ("const key = new kms.Key(this, 'EmrKey', { enableKeyRotation: true });\n"
            "const securityConfiguration = new emr.CfnSecurityConfiguration(this, 'SecurityConfiguration', {\n"
            f"  securityConfiguration: {_typescript(spec.example, 1)},\n}});")


EXAMPLES: dict[str, tuple[str, Callable[[CheckSpec], str]]] = {
    "Terraform": ("hcl", terraform_example),
    "CloudFormation": ("yaml", cloudformation_example),
    "CDK (TypeScript)": ("ts", cdk_example),
}


def check_table() -> str:
    rows = [f"| [{s.id}](#{s.anchor}) | {s.name} | {s.control or '-'} | {s.severity} |" for s in CHECKS]
    return "\n".join(["| ID | Name | Security Hub | Severity |", "|---|---|---|---|", *rows])


def check_section(spec: CheckSpec, heading: str = "###") -> str:
    if spec.control:
        control = f"Security Hub {spec.control}"
    else:
        control = "fail closed, `checkov-emr` only" if spec.resource == FILE else "stricter best practice"
    parts = [f"{heading} {spec.id}", "", f"**{spec.name}** ({control}, severity {spec.severity})", "",
             f"Passes when: {spec.passes_when}", "", f"Fix: {spec.fix}", ""]
    examples = () if spec.resource == FILE else EXAMPLES.items()  # a file check has no resource to show
    for title, (language, render) in examples:
        parts += [f"{title}:", "", f"```{language}", render(spec), "```", ""]
    return "\n".join(parts)


def generated() -> str:
    return "\n".join([START, check_table(), "", *(check_section(spec) for spec in CHECKS), END])


def write_readme(path: str = README) -> None:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    start, end = text.index(START), text.index(END) + len(END)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text[:start] + generated() + text[end:])


if __name__ == "__main__":
    write_readme(sys.argv[1] if len(sys.argv) > 1 else README)
