"""CDK: a synthesized app (cdk.json, and cdk.out with its manifest, tree, asset manifest and stack template)."""
from __future__ import annotations

import json
import random

from bench.corpora.cloudformation import cfn_template
from bench.corpora.common import write


def cdk_app(rng: random.Random, root: str, folder: str, name: str, emr: bool) -> None:
    """A synthesized CDK app: cdk.json, and cdk.out with manifest, tree, asset manifest and stack template."""
    stack = "".join(part.capitalize() for part in name.split("-")) + "Stack"
    template = cfn_template(rng, name, emr, as_json=True)
    del template["AWSTemplateFormatVersion"]
    suffix = lambda: f"{rng.getrandbits(32):08X}"
    resources = {}
    for logical, resource in template["Resources"].items():
        cdk_id = logical + suffix()
        resource["Metadata"] = {"aws:cdk:path": f"{stack}/{logical}/Resource"}
        resources[cdk_id] = resource
    text = json.dumps(template["Resources"])  # references follow the CDK logical ids
    for logical, cdk_id in zip(list(template["Resources"]), list(resources)):
        text = text.replace(f'"{logical}"', f'"{cdk_id}"').replace("${" + logical + "}", "${" + cdk_id + "}")
    resources = json.loads(text)
    resources["CDKMetadata"] = {"Type": "AWS::CDK::Metadata", "Properties": {
        "Analytics": "v2:deflate64:H4sIAAAAAAAA/zPSMzQ11DNQTCwv1k1OydbNyczTqw4pSswrTs0rzs8rLkktKkktLsnPS9fJz0vVq8"},
        "Metadata": {"aws:cdk:path": f"{stack}/CDKMetadata/Default"}}
    template["Resources"] = resources
    template["Outputs"] = json.loads(json.dumps(template["Outputs"]).replace(
        '"ServiceRole"', '"' + next(k for k in resources if k.startswith("ServiceRole")) + '"'))
    template["Parameters"]["BootstrapVersion"] = {
        "Type": "AWS::SSM::Parameter::Value<String>", "Default": "/cdk-bootstrap/hnb659fds/version",
        "Description": "Version of the CDK Bootstrap resources in this environment, automatically retrieved from SSM"}
    template["Rules"] = {"CheckBootstrapVersion": {"Assertions": [{
        "Assert": {"Fn::Not": [{"Fn::Contains": [["1", "2", "3", "4", "5"], {"Ref": "BootstrapVersion"}]}]},
        "AssertDescription": "CDK bootstrap stack version 6 required. Please run 'cdk bootstrap' with a recent "
                             "version of the CDK CLI."}]}}
    asset_hash = f"{rng.getrandbits(256):064x}"
    manifest = {"version": "36.0.0", "artifacts": {
        f"{stack}.assets": {"type": "cdk:asset-manifest", "properties": {
            "file": f"{stack}.assets.json", "requiresBootstrapStackVersion": 6,
            "bootstrapStackVersionSsmParameter": "/cdk-bootstrap/hnb659fds/version"}},
        stack: {"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/unknown-region",
                "properties": {"templateFile": f"{stack}.template.json", "validateOnSynth": False,
                               "stackTemplateAssetObjectUrl":
                                   "s3://cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}/" + asset_hash + ".json",
                               "requiresBootstrapStackVersion": 6},
                "dependencies": [f"{stack}.assets"], "displayName": stack,
                "metadata": {f"/{stack}/{k}/Resource": [{"type": "aws:cdk:logicalId", "data": k}]
                             for k in resources if k != "CDKMetadata"}},
        "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}}}}
    assets = {"version": "36.0.0", "files": {asset_hash: {
        "source": {"path": f"{stack}.template.json", "packaging": "file"},
        "destinations": {"current_account-current_region": {
            "bucketName": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}", "objectKey": f"{asset_hash}.json",
            "assumeRoleArn": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-file-publishing-role"}}}},
        "dockerImages": {}}
    children = {}
    for cdk_id, resource in resources.items():
        if cdk_id == "CDKMetadata":
            continue
        construct = resource["Metadata"]["aws:cdk:path"].split("/")[1]
        properties = {key[0].lower() + key[1:]: value for key, value in resource.get("Properties", {}).items()}
        children[construct] = {"id": construct, "path": f"{stack}/{construct}", "children": {"Resource": {
            "id": "Resource", "path": f"{stack}/{construct}/Resource",
            "attributes": {"aws:cdk:cloudformation:type": resource["Type"],
                           "aws:cdk:cloudformation:props": properties},
            "constructInfo": {"fqn": "aws-cdk-lib.CfnResource", "version": "2.150.0"}}}}
    tree = {"version": "tree-0.1", "tree": {"id": "App", "path": "", "children": {
        stack: {"id": stack, "path": stack, "children": children,
                "constructInfo": {"fqn": "aws-cdk-lib.Stack", "version": "2.150.0"}}}}}
    files = {
        "cdk.json": json.dumps({"app": "npx ts-node --prefer-ts-exts bin/app.ts",
                                "context": {"@aws-cdk/core:stackRelativeExports": True}}, indent=2),
        "cdk.out/manifest.json": json.dumps(manifest, indent=2),
        "cdk.out/tree.json": json.dumps(tree, separators=(",", ":")),
        f"cdk.out/{stack}.assets.json": json.dumps(assets, indent=2),
        f"cdk.out/{stack}.template.json": json.dumps(template, indent=1),
        "cdk.out/cdk.out": json.dumps({"version": "36.0.0"}),
    }
    for file_name, text in files.items():
        write(root, f"{folder}/{file_name}", text)
