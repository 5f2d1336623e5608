"""CloudFormation: templates of ordinary resources, some with an EMR security configuration and cluster, written
as JSON or as YAML with short-form tags."""
from __future__ import annotations

import json
import random
from typing import Any

from bench.corpora.common import ACTIONS, ENVIRONMENTS, KMS_KEY, PORTS, PURPOSES


def cfn_resources(rng: random.Random, team: str) -> dict[str, Any]:
    """A handful of ordinary resources (long-form intrinsics; the YAML writer shortens some)."""
    resources: dict[str, Any] = {}
    role = "ServiceRole"
    resources[role] = {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "ManagedPolicyArns": ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
        "Policies": [{"PolicyName": "access", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": sorted(rng.sample(ACTIONS, rng.randint(1, 4))),
            "Resource": {"Fn::Sub": "arn:aws:*:${AWS::Region}:${AWS::AccountId}:" + team + "-*"}}]}}],
        "Tags": [{"Key": "Team", "Value": team}]}}
    for purpose in rng.sample(PURPOSES, rng.randint(1, 2)):
        resources[purpose.capitalize() + "Bucket"] = {"Type": "AWS::S3::Bucket", "Properties": {
            "BucketName": {"Fn::Sub": "${AWS::StackName}-" + purpose + "-${AWS::AccountId}"},
            "VersioningConfiguration": {"Status": "Enabled"},
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {
                "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Ref": "KmsKeyArn"}}}]},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                               "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
            "Tags": [{"Key": "Team", "Value": team}]}}
    port, what = rng.choice(PORTS)
    resources["AppSecurityGroup"] = {"Type": "AWS::EC2::SecurityGroup", "Properties": {
        "GroupDescription": f"{what} traffic for {team}", "VpcId": {"Ref": "VpcId"},
        "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
                                  "CidrIp": f"10.{rng.randint(0, 255)}.0.0/16", "Description": f"{what} from the VPC"}],
        "SecurityGroupEgress": [{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0", "Description": "All outbound"}]}}
    for function in rng.sample(["Handler", "Consumer", "Scheduler"], rng.randint(1, 2)):
        resources[function + "Function"] = {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "index.handler", "Role": {"Fn::GetAtt": [role, "Arn"]},
            "Timeout": rng.choice([15, 30, 60]), "MemorySize": rng.choice([256, 512, 1024]),
            "KmsKeyArn": {"Ref": "KmsKeyArn"}, "TracingConfig": {"Mode": "Active"},
            "Environment": {"Variables": {"STAGE": {"Ref": "Environment"}, "LOG_LEVEL": "INFO"}},
            "VpcConfig": {"SecurityGroupIds": [{"Ref": "AppSecurityGroup"}], "SubnetIds": {"Ref": "SubnetIds"}},
            "Code": {"ZipFile": "import json\n\ndef handler(event, context):\n    return {'statusCode': 200}\n"}}}
        resources[function + "LogGroup"] = {"Type": "AWS::Logs::LogGroup", "Properties": {
            "LogGroupName": {"Fn::Sub": "/aws/lambda/${" + function + "Function}"}, "RetentionInDays": 30,
            "KmsKeyId": {"Ref": "KmsKeyArn"}}}
    if rng.random() < 0.6:
        resources["JobsDeadLetterQueue"] = {"Type": "AWS::SQS::Queue", "Properties": {
            "MessageRetentionPeriod": 1209600, "KmsMasterKeyId": {"Ref": "KmsKeyArn"}}}
        resources["JobsQueue"] = {"Type": "AWS::SQS::Queue", "Properties": {
            "VisibilityTimeout": 60, "KmsMasterKeyId": {"Ref": "KmsKeyArn"},
            "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["JobsDeadLetterQueue", "Arn"]},
                              "maxReceiveCount": 5}}}
    if rng.random() < 0.5:
        resources["StateTable"] = {"Type": "AWS::DynamoDB::Table", "Properties": {
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": {"Ref": "KmsKeyArn"}}}}
    return resources


def emr_configuration(kind: str, key: Any) -> dict[str, Any]:
    at_rest = {"S3EncryptionConfiguration": {"EncryptionMode": "SSE-KMS", "AwsKmsKey": key},
               "LocalDiskEncryptionConfiguration": {"EncryptionKeyProviderType": "AwsKms", "AwsKmsKey": key,
                                                    "EnableEbsEncryption": True}}
    tls = {"TLSCertificateConfiguration": {"CertificateProviderType": "PEM",
                                           "S3Object": "s3://corp-emr-certificates/certs.zip"}}
    if kind == "strict":
        return {"EncryptionConfiguration": {"EnableAtRestEncryption": True, "EnableInTransitEncryption": True,
                                            "AtRestEncryptionConfiguration": at_rest,
                                            "InTransitEncryptionConfiguration": tls}}
    if kind == "at_rest_only":
        return {"EncryptionConfiguration": {"EnableAtRestEncryption": True, "EnableInTransitEncryption": False,
                                            "AtRestEncryptionConfiguration": at_rest}}
    if kind == "sse_s3_no_ebs":
        return {"EncryptionConfiguration": {
            "EnableAtRestEncryption": True, "EnableInTransitEncryption": True,
            "AtRestEncryptionConfiguration": {
                "S3EncryptionConfiguration": {"EncryptionMode": "SSE-S3"},
                "LocalDiskEncryptionConfiguration": {"EncryptionKeyProviderType": "AwsKms", "AwsKmsKey": key}},
            "InTransitEncryptionConfiguration": tls}}
    return {"EncryptionConfiguration": {"EnableAtRestEncryption": False, "EnableInTransitEncryption": False}}


def cfn_emr_resources(rng: random.Random, as_json_string: bool) -> dict[str, Any]:
    """A KMS key, a security configuration (passing or failing) and a cluster (with or without it)."""
    kind = rng.choice(["strict", "strict", "at_rest_only", "sse_s3_no_ebs", "none"])
    configuration: Any = emr_configuration(kind, {"Fn::GetAtt": ["EmrKey", "Arn"]})
    if as_json_string:
        configuration = json.dumps(emr_configuration(kind, KMS_KEY))
    cluster: dict[str, Any] = {
        "Name": {"Fn::Sub": "${AWS::StackName}-analytics"}, "ReleaseLabel": "emr-7.2.0",
        "Applications": [{"Name": "Spark"}, {"Name": "Hive"}], "JobFlowRole": "EMR_EC2_DefaultRole",
        "ServiceRole": "EMR_DefaultRole", "VisibleToAllUsers": True,
        "Instances": {"Ec2SubnetId": {"Fn::Select": [0, {"Ref": "SubnetIds"}]},
                      "MasterInstanceGroup": {"InstanceCount": 1, "InstanceType": "m5.xlarge"},
                      "CoreInstanceGroup": {"InstanceCount": rng.randint(2, 8), "InstanceType": "m5.2xlarge"}}}
    if rng.random() < 0.75:
        cluster["SecurityConfiguration"] = {"Ref": "EmrSecurityConfiguration"}
    return {
        "EmrKey": {"Type": "AWS::KMS::Key", "Properties": {"Description": "EMR encryption", "EnableKeyRotation": True}},
        "EmrSecurityConfiguration": {"Type": "AWS::EMR::SecurityConfiguration", "Properties": {
            "Name": {"Fn::Sub": "${AWS::StackName}-" + kind.replace("_", "-")},
            "SecurityConfiguration": configuration}},
        "EmrCluster": {"Type": "AWS::EMR::Cluster", "Properties": cluster},
    }


def cfn_template(rng: random.Random, team: str, emr: bool, as_json: bool) -> dict[str, Any]:
    resources = cfn_resources(rng, team)
    if emr:
        resources.update(cfn_emr_resources(rng, as_json_string=as_json and rng.random() < 0.5))
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"{team}: storage, functions and queues",
        "Parameters": {
            "Environment": {"Type": "String", "AllowedValues": ENVIRONMENTS, "Default": "dev"},
            "VpcId": {"Type": "AWS::EC2::VPC::Id"},
            "SubnetIds": {"Type": "List<AWS::EC2::Subnet::Id>"},
            "KmsKeyArn": {"Type": "String", "Default": KMS_KEY},
        },
        "Resources": resources,
        "Outputs": {"RoleArn": {"Value": {"Fn::GetAtt": ["ServiceRole", "Arn"]},
                                "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-role-arn"}}}},
    }


class _Short:
    """A short-form CloudFormation tag in YAML (!Ref X, !GetAtt X.Arn, !Sub "...")."""

    def __init__(self, tag: str, value: str) -> None:
        self.tag, self.value = tag, value


def _shorten(node: Any) -> Any:
    if isinstance(node, dict):
        if len(node) == 1:
            (key, value), = node.items()
            if key == "Ref" and isinstance(value, str):
                return _Short("!Ref", value)
            if key == "Fn::GetAtt" and isinstance(value, list):
                return _Short("!GetAtt", ".".join(value))
            if key == "Fn::Sub" and isinstance(value, str):
                return _Short("!Sub", value)
        return {key: _shorten(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_shorten(item) for item in node]
    return node


def to_yaml(template: dict[str, Any]) -> str:
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    Dumper.add_representer(_Short, lambda dumper, short: dumper.represent_scalar(short.tag, short.value))
    return yaml.dump(_shorten(template), Dumper=Dumper, sort_keys=False, default_flow_style=False, width=120)
