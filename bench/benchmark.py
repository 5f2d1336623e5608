#!/usr/bin/env python3
"""checkov-emr against plain Checkov with the pack loaded, on generated repositories.

    python bench/benchmark.py [--runs N] [--quick] [--seed S] [--keep]

Generates two corpora from the seed in a temporary folder (the same seed gives the same files):

- pr: a pull-request-sized change, 5 files, one with an EMR security configuration;
- monorepo: 200 Terraform folders of 10 files (root folders under terraform/live calling local modules under
  terraform/modules), 300 CloudFormation templates and 10 CDK cdk.out folders; about 1% of the files hold EMR
  resources, passing and failing, one of them in a module called from a root folder with a variable.

Runs `checkov-emr -d CORPUS -o json` and plain `checkov -d CORPUS --external-checks-dir checks --check
'CKV_EMRSEC_*' --framework ... --skip-download -o json` on each corpus, alternating, N times, and prints wall
time (min, median) and peak RSS of each, with the ratios checkov-emr / checkov. Exits 1 if the two do not
report the same (file, resource, check id, result) findings, 2 if a scan crashes. Then times the policy alone
(`emrsec.policy.evaluate` on a typical configuration). `--quick` generates fewer files (for the test suite).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import timeit
from typing import Any, Callable, Optional

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from checkov_emr_security import checks_dir, import_pack

import_pack()
from emrsec.catalog import FRAMEWORKS  # noqa: E402  (importable once the pack's folder is on sys.path)

BIN = os.path.dirname(sys.executable)
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
KMS_KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TARGETS = {"pr": 0.5, "monorepo": 0.2}  # median time ratio checkov-emr / checkov
MEMORY_TARGET = 1.0
POLICY_TARGET_US = 50.0

DOMAINS = ["payments", "orders", "catalog", "search", "identity", "billing", "ledger", "inventory", "shipping",
           "notifications", "reporting", "ingest", "media", "profile", "pricing", "fraud", "support", "marketing",
           "recommendations", "checkout"]
COMPONENTS = ["api", "worker", "store", "events", "stream", "cache", "batch", "gateway"]
ENVIRONMENTS = ["prod", "staging", "dev", "sandbox"]
PURPOSES = ["artifacts", "exports", "uploads", "archive", "reports", "logs", "snapshots", "events", "staging", "raw"]
SERVICES = ["lambda", "ecs-tasks", "ec2", "states", "events", "glue"]
ACTIONS = ["s3:GetObject", "s3:PutObject", "sqs:SendMessage", "sqs:ReceiveMessage", "dynamodb:GetItem",
           "dynamodb:PutItem", "dynamodb:Query", "kms:Decrypt", "sns:Publish", "logs:PutLogEvents"]
PORTS = [(443, "HTTPS"), (8080, "application"), (5432, "PostgreSQL"), (6379, "Redis"), (9092, "Kafka")]


def fill(template: str, **values: Any) -> str:
    """The template (HCL, dedented) with each @name@ replaced."""
    text = textwrap.dedent(template).lstrip("\n")
    for name, value in values.items():
        text = text.replace(f"@{name}@", str(value))
    return text


def write(root: str, relative: str, text: str) -> None:
    path = os.path.join(root, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


# ---------------------------------------------------------------- Terraform


def tf_versions(rng: random.Random) -> str:
    return fill("""
        terraform {
          required_version = ">= 1.5.0"

          required_providers {
            aws = {
              source  = "hashicorp/aws"
              version = "~> 5.@minor@"
            }
          }
        }
        """, minor=rng.randint(30, 70))


def tf_module_variables(extra: str = "") -> str:
    return fill("""
        variable "name" {
          description = "Name prefix of every resource"
          type        = string
        }

        variable "environment" {
          description = "prod, staging, dev or sandbox"
          type        = string
        }

        variable "tags" {
          description = "Tags added to every resource"
          type        = map(string)
          default     = {}
        }

        variable "vpc_id" {
          type = string
        }

        variable "subnet_ids" {
          type = list(string)
        }

        variable "kms_key_arn" {
          description = "Customer managed key for S3, SQS, SNS, DynamoDB and logs"
          type        = string
        }

        variable "log_retention_days" {
          type    = number
          default = 30
        }
        """) + extra


def tf_root_variables(rng: random.Random, environment: str, stack: str, extra: str = "") -> str:
    return fill("""
        variable "name" {
          type    = string
          default = "@stack@"
        }

        variable "environment" {
          type    = string
          default = "@environment@"
        }

        variable "region" {
          type    = string
          default = "@region@"
        }

        variable "vpc_id" {
          type    = string
          default = "vpc-0@hex@"
        }

        variable "subnet_ids" {
          type    = list(string)
          default = ["subnet-0@hex@a", "subnet-0@hex@b"]
        }

        variable "kms_key_arn" {
          type    = string
          default = "@key@"
        }

        variable "tags" {
          type    = map(string)
          default = {}
        }
        """, stack=stack, environment=environment, region=rng.choice(["us-east-1", "eu-west-1", "us-west-2"]),
                hex=f"{rng.getrandbits(48):012x}", key=KMS_KEY) + extra


def tf_locals(rng: random.Random, service: str) -> str:
    return fill("""
        locals {
          prefix = "${var.name}-${var.environment}"

          common_tags = merge(var.tags, {
            Service     = "@service@"
            Environment = var.environment
            ManagedBy   = "terraform"
            CostCenter  = "cc-@cost@"
          })
        }
        """, service=service, cost=rng.randint(1000, 9999))


def tf_s3(rng: random.Random) -> tuple[str, list[str]]:
    ids = rng.sample(PURPOSES, rng.randint(1, 3))
    blocks = [fill("""
        resource "aws_s3_bucket" "@id@" {
          bucket = "${local.prefix}-@id@"
          tags   = local.common_tags
        }

        resource "aws_s3_bucket_versioning" "@id@" {
          bucket = aws_s3_bucket.@id@.id

          versioning_configuration {
            status = "Enabled"
          }
        }

        resource "aws_s3_bucket_server_side_encryption_configuration" "@id@" {
          bucket = aws_s3_bucket.@id@.id

          rule {
            apply_server_side_encryption_by_default {
              sse_algorithm     = "aws:kms"
              kms_master_key_id = var.kms_key_arn
            }
            bucket_key_enabled = true
          }
        }

        resource "aws_s3_bucket_public_access_block" "@id@" {
          bucket                  = aws_s3_bucket.@id@.id
          block_public_acls       = true
          block_public_policy     = true
          ignore_public_acls      = true
          restrict_public_buckets = true
        }
        """, id=bucket) for bucket in ids]
    return "\n".join(blocks), ids


def tf_iam(rng: random.Random) -> str:
    roles = ["lambda"] + rng.sample([s for s in SERVICES if s != "lambda"], rng.randint(0, 2))
    blocks = []
    for service in roles:
        role = service.replace("-", "_")
        actions = ", ".join(f'"{a}"' for a in sorted(rng.sample(ACTIONS, rng.randint(1, 4))))
        blocks.append(fill("""
            resource "aws_iam_role" "@role@" {
              name = "${local.prefix}-@service@"

              assume_role_policy = jsonencode({
                Version = "2012-10-17"
                Statement = [{
                  Effect    = "Allow"
                  Action    = "sts:AssumeRole"
                  Principal = { Service = "@service@.amazonaws.com" }
                }]
              })

              tags = local.common_tags
            }

            resource "aws_iam_role_policy" "@role@" {
              name = "${local.prefix}-@service@-access"
              role = aws_iam_role.@role@.id

              policy = jsonencode({
                Version = "2012-10-17"
                Statement = [{
                  Effect   = "Allow"
                  Action   = [@actions@]
                  Resource = "arn:aws:*:*:*:${local.prefix}-*"
                }]
              })
            }
            """, role=role, service=service, actions=actions))
    blocks.append(fill("""
        resource "aws_iam_role_policy_attachment" "lambda_basic" {
          role       = aws_iam_role.lambda.name
          policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
        }
        """))
    return "\n".join(blocks)


def tf_security_groups(rng: random.Random) -> str:
    blocks = []
    for group in ["app"] + rng.sample(["db", "cache", "internal"], rng.randint(0, 2)):
        port, what = rng.choice(PORTS)
        blocks.append(fill("""
            resource "aws_security_group" "@group@" {
              name        = "${local.prefix}-@group@"
              description = "@what@ traffic for ${local.prefix}"
              vpc_id      = var.vpc_id

              ingress {
                description = "@what@ from the VPC"
                from_port   = @port@
                to_port     = @port@
                protocol    = "tcp"
                cidr_blocks = ["10.@net@.0.0/16"]
              }

              egress {
                description = "All outbound"
                from_port   = 0
                to_port     = 0
                protocol    = "-1"
                cidr_blocks = ["0.0.0.0/0"]
              }

              tags = local.common_tags
            }
            """, group=group, what=what, port=port, net=rng.randint(0, 255)))
    return "\n".join(blocks)


def tf_lambda(rng: random.Random) -> str:
    blocks = []
    for function in rng.sample(["handler", "consumer", "scheduler", "resizer", "notifier"], rng.randint(1, 2)):
        blocks.append(fill("""
            resource "aws_cloudwatch_log_group" "@function@" {
              name              = "/aws/lambda/${local.prefix}-@function@"
              retention_in_days = var.log_retention_days
              kms_key_id        = var.kms_key_arn
            }

            resource "aws_lambda_function" "@function@" {
              function_name = "${local.prefix}-@function@"
              role          = aws_iam_role.lambda.arn
              handler       = "@function@.main"
              runtime       = "@runtime@"
              filename      = "${path.module}/build/@function@.zip"
              timeout       = @timeout@
              memory_size   = @memory@
              kms_key_arn   = var.kms_key_arn

              environment {
                variables = {
                  STAGE     = var.environment
                  LOG_LEVEL = "INFO"
                }
              }

              vpc_config {
                subnet_ids         = var.subnet_ids
                security_group_ids = [aws_security_group.app.id]
              }

              tracing_config {
                mode = "Active"
              }

              tags       = local.common_tags
              depends_on = [aws_cloudwatch_log_group.@function@]
            }
            """, function=function, runtime=rng.choice(["python3.12", "nodejs20.x", "java21"]),
                           timeout=rng.choice([15, 30, 60, 300]), memory=rng.choice([256, 512, 1024])))
    return "\n".join(blocks)


def tf_queues(rng: random.Random) -> str:
    blocks = []
    for queue in rng.sample(["jobs", "events", "retries", "exports"], rng.randint(1, 2)):
        blocks.append(fill("""
            resource "aws_sqs_queue" "@queue@_dlq" {
              name                      = "${local.prefix}-@queue@-dlq"
              message_retention_seconds = 1209600
              kms_master_key_id         = var.kms_key_arn
            }

            resource "aws_sqs_queue" "@queue@" {
              name                       = "${local.prefix}-@queue@"
              visibility_timeout_seconds = @visibility@
              kms_master_key_id          = var.kms_key_arn

              redrive_policy = jsonencode({
                deadLetterTargetArn = aws_sqs_queue.@queue@_dlq.arn
                maxReceiveCount     = 5
              })

              tags = local.common_tags
            }

            resource "aws_sns_topic" "@queue@" {
              name              = "${local.prefix}-@queue@"
              kms_master_key_id = var.kms_key_arn
            }

            resource "aws_sns_topic_subscription" "@queue@" {
              topic_arn = aws_sns_topic.@queue@.arn
              protocol  = "sqs"
              endpoint  = aws_sqs_queue.@queue@.arn
            }
            """, queue=queue, visibility=rng.choice([30, 60, 120])))
    return "\n".join(blocks)


def tf_dynamodb(rng: random.Random) -> str:
    blocks = []
    for table in rng.sample(["items", "sessions", "state", "audit"], rng.randint(1, 2)):
        blocks.append(fill("""
            resource "aws_dynamodb_table" "@table@" {
              name         = "${local.prefix}-@table@"
              billing_mode = "PAY_PER_REQUEST"
              hash_key     = "pk"
              range_key    = "sk"

              attribute {
                name = "pk"
                type = "S"
              }

              attribute {
                name = "sk"
                type = "S"
              }

              point_in_time_recovery {
                enabled = true
              }

              server_side_encryption {
                enabled     = true
                kms_key_arn = var.kms_key_arn
              }

              tags = local.common_tags
            }
            """, table=table))
    return "\n".join(blocks)


def tf_module_outputs(buckets: list[str]) -> str:
    return fill("""
        output "bucket_name" {
          value = aws_s3_bucket.@bucket@.bucket
        }

        output "lambda_role_arn" {
          value = aws_iam_role.lambda.arn
        }

        output "security_group_id" {
          value = aws_security_group.app.id
        }
        """, bucket=buckets[0])


EMR_CLUSTER = """
    resource "aws_emr_cluster" "@name@" {
      name                   = "${local.prefix}-@name@"
      release_label          = "emr-7.2.0"
      applications           = ["Spark", "Hive"]
      service_role           = aws_iam_role.lambda.arn
      security_configuration = @security@
      log_uri                = "s3://${aws_s3_bucket.@bucket@.bucket}/emr-logs/"

      ec2_attributes {
        subnet_id                         = var.subnet_ids[0]
        instance_profile                  = "EMR_EC2_DefaultRole"
        emr_managed_master_security_group = aws_security_group.app.id
        emr_managed_slave_security_group  = aws_security_group.app.id
      }

      master_instance_group {
        instance_type = "m5.xlarge"
      }

      core_instance_group {
        instance_type  = "m5.2xlarge"
        instance_count = @count@

        ebs_config {
          size                 = 256
          type                 = "gp3"
          volumes_per_instance = 1
        }
      }

      tags = local.common_tags
    }
    """

TF_EMR_CONFIGURATIONS = {
    # every check passes
    "strict": """
        jsonencode({
            EncryptionConfiguration = {
              EnableAtRestEncryption    = true
              EnableInTransitEncryption = true
              AtRestEncryptionConfiguration = {
                S3EncryptionConfiguration = {
                  EncryptionMode = "SSE-KMS"
                  AwsKmsKey      = var.kms_key_arn
                }
                LocalDiskEncryptionConfiguration = {
                  EncryptionKeyProviderType = "AwsKms"
                  AwsKmsKey                 = var.kms_key_arn
                  EnableEbsEncryption       = true
                }
              }
              InTransitEncryptionConfiguration = {
                TLSCertificateConfiguration = {
                  CertificateProviderType = "PEM"
                  S3Object                = "s3://corp-emr-certificates/${var.environment}/certs.zip"
                }
              }
            }
          })""",
    # no in-transit encryption
    "at_rest_only": """
        jsonencode({
            EncryptionConfiguration = {
              EnableAtRestEncryption    = true
              EnableInTransitEncryption = false
              AtRestEncryptionConfiguration = {
                S3EncryptionConfiguration = {
                  EncryptionMode = "SSE-KMS"
                  AwsKmsKey      = var.kms_key_arn
                }
                LocalDiskEncryptionConfiguration = {
                  EncryptionKeyProviderType = "AwsKms"
                  AwsKmsKey                 = var.kms_key_arn
                }
              }
            }
          })""",
    # heredoc JSON, S3 with SSE-S3
    "heredoc_sse_s3": """
        <<EOF
        {
          "EncryptionConfiguration": {
            "EnableAtRestEncryption": true,
            "EnableInTransitEncryption": true,
            "AtRestEncryptionConfiguration": {
              "S3EncryptionConfiguration": {"EncryptionMode": "SSE-S3"},
              "LocalDiskEncryptionConfiguration": {
                "EncryptionKeyProviderType": "AwsKms",
                "AwsKmsKey": "@key@",
                "EnableEbsEncryption": true
              }
            },
            "InTransitEncryptionConfiguration": {
              "TLSCertificateConfiguration": {
                "CertificateProviderType": "PEM",
                "S3Object": "s3://corp-emr-certificates/certs.zip"
              }
            }
          }
        }
        EOF""",
    # nothing encrypted
    "none": """
        jsonencode({
            EncryptionConfiguration = {
              EnableAtRestEncryption    = false
              EnableInTransitEncryption = false
            }
          })""",
}


def tf_emr_literal(rng: random.Random, bucket: str) -> str:
    """A security configuration written with literals (one of several, passing or failing) and a cluster."""
    kind = rng.choice(sorted(TF_EMR_CONFIGURATIONS))
    configuration = textwrap.dedent(TF_EMR_CONFIGURATIONS[kind]).strip("\n").replace("@key@", KMS_KEY)
    uses_configuration = rng.random() < 0.75  # else CKV_EMRSEC_8 fails
    text = fill("""
        resource "aws_emr_security_configuration" "@kind@" {
          name          = "${local.prefix}-@dashed@"
          configuration = @configuration@
        }
        """, kind=kind, dashed=kind.replace("_", "-"), configuration=configuration)
    security = f"aws_emr_security_configuration.{kind}.name" if uses_configuration else "null"
    return text + "\n" + fill(EMR_CLUSTER, name="analytics", security=security, bucket=bucket,
                              count=rng.randint(2, 8))


def tf_emr_module(bucket: str) -> str:
    """The reusable EMR module: in-transit encryption comes from the caller."""
    return fill("""
        resource "aws_emr_security_configuration" "this" {
          name = "${local.prefix}-security"

          configuration = jsonencode({
            EncryptionConfiguration = {
              EnableAtRestEncryption    = true
              EnableInTransitEncryption = var.enable_in_transit_encryption
              AtRestEncryptionConfiguration = {
                S3EncryptionConfiguration = {
                  EncryptionMode = "SSE-KMS"
                  AwsKmsKey      = var.kms_key_arn
                }
                LocalDiskEncryptionConfiguration = {
                  EncryptionKeyProviderType = "AwsKms"
                  AwsKmsKey                 = var.kms_key_arn
                  EnableEbsEncryption       = true
                }
              }
              InTransitEncryptionConfiguration = {
                TLSCertificateConfiguration = {
                  CertificateProviderType = "PEM"
                  S3Object                = var.certificate_s3_object
                }
              }
            }
          })
        }
        """) + "\n" + fill(EMR_CLUSTER, name="this", security="aws_emr_security_configuration.this.name",
                           bucket=bucket, count=4)


EMR_MODULE_VARIABLES = """
variable "enable_in_transit_encryption" {
  description = "TLS between cluster nodes"
  type        = bool
}

variable "certificate_s3_object" {
  description = "S3 URI of the zip holding the PEM certificates"
  type        = string
}
"""


def tf_module_folder(rng: random.Random, root: str, folder: str, name: str, emr: Optional[str]) -> int:
    """A module folder of 10 files; `emr` ("literal" or "module") puts EMR resources in emr.tf. Returns 10."""
    service = name.split("-")[0]
    s3, buckets = tf_s3(rng)
    files = {
        "versions.tf": tf_versions(rng),
        "variables.tf": tf_module_variables(EMR_MODULE_VARIABLES if emr == "module" else ""),
        "locals.tf": tf_locals(rng, service),
        "s3.tf": s3,
        "iam.tf": tf_iam(rng),
        "security_groups.tf": tf_security_groups(rng),
        "lambda.tf": tf_lambda(rng),
        "queues.tf": tf_queues(rng),
        "dynamodb.tf": tf_dynamodb(rng),
        "outputs.tf": tf_module_outputs(buckets),
    }
    if emr:
        del files["dynamodb.tf"]
        files["emr.tf"] = tf_emr_module(buckets[0]) if emr == "module" else tf_emr_literal(rng, buckets[0])
    for file_name, text in files.items():
        write(root, f"{folder}/{file_name}", text)
    return len(files)


def tf_root_folder(rng: random.Random, root: str, folder: str, environment: str, stack: str,
                   modules: list[str], emr_module: Optional[str], emr_literal: bool) -> int:
    """A root folder of 10 files calling `modules` (and `emr_module` with a variable)."""
    up = "/".join([".."] * (folder.count("/")))  # from terraform/live/<env>/<stack> up to terraform/
    calls = [fill("""
        module "@id@" {
          source = "@up@/modules/@module@"

          name        = "${var.name}-@short@"
          environment = var.environment
          vpc_id      = var.vpc_id
          subnet_ids  = var.subnet_ids
          kms_key_arn = var.kms_key_arn
          tags        = local.common_tags
        }
        """, id=module.replace("-", "_"), up=up, module=module, short=module.split("-")[-1]) for module in modules]
    extra_variables = ""
    if emr_module:
        calls.append(fill("""
            module "emr" {
              source = "@up@/modules/@module@"

              name                         = "${var.name}-emr"
              environment                  = var.environment
              vpc_id                       = var.vpc_id
              subnet_ids                   = var.subnet_ids
              kms_key_arn                  = var.kms_key_arn
              tags                         = local.common_tags
              enable_in_transit_encryption = var.emr_in_transit_encryption
              certificate_s3_object        = "s3://corp-emr-certificates/${var.environment}/certs.zip"
            }
            """, up=up, module=emr_module))
        extra_variables = fill("""

            variable "emr_in_transit_encryption" {
              description = "Turned off while the certificates are rotated"
              type        = bool
              default     = false
            }
            """)
    s3, buckets = tf_s3(rng)
    files = {
        "main.tf": "\n".join(calls),
        "providers.tf": fill("""
            provider "aws" {
              region = var.region

              default_tags {
                tags = {
                  Environment = var.environment
                  Repository  = "platform-monorepo"
                }
              }
            }
            """),
        "backend.tf": fill("""
            terraform {
              backend "s3" {
                bucket         = "corp-terraform-state"
                key            = "@environment@/@stack@/terraform.tfstate"
                region         = "us-east-1"
                dynamodb_table = "terraform-locks"
                encrypt        = true
              }
            }
            """, environment=environment, stack=stack),
        "versions.tf": tf_versions(rng),
        "variables.tf": tf_root_variables(rng, environment, stack, extra_variables),
        "locals.tf": tf_locals(rng, stack),
        "data.tf": fill("""
            data "aws_caller_identity" "current" {}

            data "aws_region" "current" {}

            data "aws_iam_policy_document" "assume_ec2" {
              statement {
                actions = ["sts:AssumeRole"]

                principals {
                  type        = "Service"
                  identifiers = ["ec2.amazonaws.com"]
                }
              }
            }
            """),
        "s3.tf": s3,
        "iam.tf": tf_iam(rng),
        "outputs.tf": "\n".join(fill("""
            output "@id@_bucket" {
              value = module.@id@.bucket_name
            }
            """, id=module.replace("-", "_")) for module in modules),
    }
    if emr_literal:
        del files["data.tf"], files["outputs.tf"]  # still 10 files: the cluster needs a security group
        files["security_groups.tf"] = tf_security_groups(rng)
        files["emr.tf"] = tf_emr_literal(rng, buckets[0])
    for file_name, text in files.items():
        write(root, f"{folder}/{file_name}", text)
    return len(files)


# ---------------------------------------------------------------- CloudFormation and CDK


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


def cdk_app(rng: random.Random, root: str, folder: str, name: str, emr: bool) -> int:
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
    return len(files)


# ---------------------------------------------------------------- corpora


def generate_pr(root: str, seed: int) -> int:
    """5 changed files: an EMR security configuration and its cluster, with ordinary resources beside it."""
    rng = random.Random(f"{seed}-pr")
    s3, buckets = tf_s3(rng)
    write(root, "infra/analytics/emr.tf", tf_emr_literal(random.Random(f"{seed}-pr-emr"), buckets[0]))
    write(root, "infra/analytics/s3.tf", s3)
    write(root, "infra/analytics/iam.tf", tf_iam(rng) + "\n" + tf_security_groups(rng))
    write(root, "infra/analytics/variables.tf", tf_module_variables() + "\n" + tf_locals(rng, "analytics"))
    write(root, "cloudformation/reporting/queues.yaml", to_yaml(cfn_template(rng, "reporting", False, False)))
    return 5


def generate_monorepo(root: str, seed: int, quick: bool) -> int:
    rng = random.Random(f"{seed}-monorepo")
    roots_count, modules_count = (3, 9) if quick else (40, 160)
    templates_count, apps_count = (15, 2) if quick else (300, 10)
    names = sorted(f"{domain}-{component}" for domain in DOMAINS for component in COMPONENTS)
    rng.shuffle(names)
    modules = ["emr-analytics"] + names[:modules_count - 1]
    literal_emr = set(rng.sample(modules[1:], max(2, modules_count * 12 // 160)))
    callable_modules = sorted(set(modules[1:]) - literal_emr)
    files = 0
    for name in modules:
        emr = "module" if name == "emr-analytics" else "literal" if name in literal_emr else None
        files += tf_module_folder(rng, root, f"terraform/modules/{name}", name, emr)
    stacks = sorted(rng.sample(DOMAINS, (roots_count + len(ENVIRONMENTS) - 1) // len(ENVIRONMENTS) + 1))
    folders = [(env, stack) for env in ENVIRONMENTS for stack in stacks]
    folders = [("prod", "analytics")] + [f for f in folders if f != ("prod", "analytics")][:roots_count - 1]
    for index, (environment, stack) in enumerate(folders):
        called = rng.sample(callable_modules, rng.randint(2, 4))
        files += tf_root_folder(rng, root, f"terraform/live/{environment}/{stack}", environment, stack, called,
                                emr_module="emr-analytics" if index == 0 else None, emr_literal=index == 1)
    emr_templates = set(rng.sample(range(templates_count), max(1, round(templates_count / 75))))
    for index in range(templates_count):
        team = f"{rng.choice(DOMAINS)}-{rng.choice(COMPONENTS)}"
        extension = rng.choice([".yaml", ".yaml", ".yml", ".json", ".template"])
        template = cfn_template(rng, team, index in emr_templates, as_json=extension == ".json")
        text = json.dumps(template, indent=2) if extension == ".json" else to_yaml(template)
        write(root, f"cloudformation/{team.split('-')[0]}/{team}-{index:03d}{extension}", text)
        files += 1
    emr_apps = set(rng.sample(range(apps_count), max(1, apps_count * 3 // 10)))
    for index in range(apps_count):
        name = f"{names[-1 - index]}"
        files += cdk_app(rng, root, f"cdk/{name}", name, index in emr_apps)
    return files


def count_files(root: str) -> tuple[int, int]:
    """(files, files that name an EMR resource type)."""
    markers = ("aws_emr_security_configuration", "aws_emr_cluster", "AWS::EMR::SecurityConfiguration",
               "AWS::EMR::Cluster")
    total = emr = 0
    for folder, _, names in os.walk(root):
        for name in names:
            total += 1
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                text = handle.read()
            emr += any(marker in text for marker in markers)
    return total, emr


# ---------------------------------------------------------------- running


def tool_commands(corpus: str) -> dict[str, list[str]]:
    checkov_emr = os.path.join(BIN, "checkov-emr")
    emr = [checkov_emr] if os.access(checkov_emr, os.X_OK) else [sys.executable, "-m", "checkov_emr_security.cli"]
    return {
        "checkov-emr": [*emr, "-d", corpus, "-o", "json"],
        "checkov": [os.path.join(BIN, "checkov"), "-d", corpus, "--external-checks-dir", checks_dir(),
                    "--check", "CKV_EMRSEC_*", "--framework", *FRAMEWORKS, "--skip-download", "-o", "json"],
    }


def run_once(command: list[str]) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in KiB of the process tree's largest process, stdout); raises on a crash."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        if GNU_TIME:
            start = time.perf_counter()
            process = subprocess.Popen([GNU_TIME, "-f", "%M", "-o", rss.name, *command], stdout=out, stderr=err,
                                       cwd=REPO)
            code = process.wait()
            seconds = time.perf_counter() - start
            peak = int(rss.read().split()[-1])  # after "Command exited with non-zero status N" if any
        else:  # the child's rusage: ru_maxrss covers it and every descendant it waited for
            start = time.perf_counter()
            process = subprocess.Popen(command, stdout=out, stderr=err, cwd=REPO)
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - start
            code = process.returncode = os.waitstatus_to_exitcode(status)
            peak = usage.ru_maxrss
        out.seek(0)
        err.seek(0)
        if code not in (0, 1):
            tail = err.read().decode("utf-8", "replace")[-3000:]
            raise RuntimeError(f"{' '.join(command)} exited {code}:\n{tail}")
        return seconds, peak, out.read().decode("utf-8")


def findings(stdout: str, corpus: str) -> set[tuple[str, str, str, str]]:
    """(file relative to the corpus, resource, check id, result) of every reported record of the pack."""
    data = json.loads(stdout)
    found = set()
    for report in data if isinstance(data, list) else [data]:
        results = report.get("results", {})
        for key in ("passed_checks", "failed_checks", "skipped_checks"):
            for record in results.get(key, []):
                if not record["check_id"].startswith("CKV_EMRSEC_"):
                    continue
                path = record.get("file_abs_path") or os.path.join(corpus, record["file_path"].lstrip("/"))
                relative = os.path.relpath(os.path.realpath(path), os.path.realpath(corpus))
                found.add((relative, record["resource"], record["check_id"], record["check_result"]["result"]))
    return found


def policy_microseconds(quick: bool) -> float:
    """Microseconds per `evaluate` of a typical configuration (best of 5 repeats)."""
    from emrsec.policy import evaluate
    from emrsec.values import Variant

    variants = [Variant("", emr_configuration("strict", KMS_KEY))]
    evaluate(variants)
    number = 2000 if quick else 20000
    return min(timeit.repeat(lambda: evaluate(variants), number=number, repeat=5)) / number * 1e6


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each tool on each corpus (default 5)")
    parser.add_argument("--quick", action="store_true", help="a small monorepo (for tests)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the generated corpora and print where")
    options = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]  # the table after the progress
    log: Callable[[str], None] = lambda message: print(message, file=sys.stderr, flush=True)

    workspace = tempfile.mkdtemp(prefix="checkov-emr-bench-")
    try:
        corpora = {"pr": os.path.join(workspace, "pr"), "monorepo": os.path.join(workspace, "monorepo")}
        generate_pr(corpora["pr"], options.seed)
        generate_monorepo(corpora["monorepo"], options.seed, options.quick)
        sizes = {name: count_files(path) for name, path in corpora.items()}
        for name, (total, emr) in sizes.items():
            log(f"{name}: {total} files, {emr} naming an EMR resource ({100 * emr / total:.1f}%)")
        times: dict[tuple[str, str], list[float]] = {}
        peaks: dict[tuple[str, str], int] = {}
        found: dict[tuple[str, str], set[tuple[str, str, str, str]]] = {}
        for run in range(options.runs):
            for corpus, path in corpora.items():
                commands = list(tool_commands(path).items())
                for tool, command in commands if run % 2 == 0 else commands[::-1]:
                    try:
                        seconds, peak, stdout = run_once(command)
                    except RuntimeError as error:
                        print(f"scan failed: {error}")
                        return 2
                    times.setdefault((corpus, tool), []).append(seconds)
                    peaks[(corpus, tool)] = max(peaks.get((corpus, tool), 0), peak)
                    result = findings(stdout, path)
                    if found.setdefault((corpus, tool), result) != result:
                        print(f"findings of {tool} on {corpus} changed between runs")
                        return 1
                    log(f"run {run + 1}/{options.runs} {corpus:<8} {tool:<11} {seconds:7.1f} s "
                        f"{peak / 1024:7.0f} MiB {len(result)} findings")

        print(f"{'corpus':<9} {'files':>5}  {'tool':<11} {'runs':>4} {'min s':>7} {'median s':>8} "
              f"{'peak RSS MiB':>12} {'time ratio':>10} {'memory ratio':>12}")
        ratios = {}
        for corpus in corpora:
            emr_median = statistics.median(times[(corpus, "checkov-emr")])
            plain_median = statistics.median(times[(corpus, "checkov")])
            ratios[corpus] = (emr_median / plain_median, peaks[(corpus, "checkov-emr")] / peaks[(corpus, "checkov")])
            for tool in ("checkov-emr", "checkov"):
                ratio = f"{ratios[corpus][0]:>10.2f} {ratios[corpus][1]:>12.2f}" if tool == "checkov-emr" else \
                    f"{'':>10} {'':>12}"
                print(f"{corpus:<9} {sizes[corpus][0]:>5}  {tool:<11} {len(times[(corpus, tool)]):>4} "
                      f"{min(times[(corpus, tool)]):>7.2f} {statistics.median(times[(corpus, tool)]):>8.2f} "
                      f"{peaks[(corpus, tool)] / 1024:>12.0f} {ratio}")
        print()
        for corpus, (time_ratio, memory_ratio) in ratios.items():
            print(f"target {corpus}: time ratio {time_ratio:.3f} <= {TARGETS[corpus]} "
                  f"{'met' if time_ratio <= TARGETS[corpus] else 'NOT met'}; memory ratio {memory_ratio:.3f} <= "
                  f"{MEMORY_TARGET} {'met' if memory_ratio <= MEMORY_TARGET else 'NOT met'}")
        microseconds = policy_microseconds(options.quick)
        print(f"policy alone: {microseconds:.1f} us per configuration (emrsec.policy.evaluate; target < "
              f"{POLICY_TARGET_US:.0f} us {'met' if microseconds < POLICY_TARGET_US else 'NOT met'})")

        differing = [corpus for corpus in corpora if found[(corpus, "checkov-emr")] != found[(corpus, "checkov")]]
        for corpus in differing:
            emr, plain = found[(corpus, "checkov-emr")], found[(corpus, "checkov")]
            print(f"findings DIFFER on {corpus}:")
            for finding in sorted(emr - plain):
                print(f"  only checkov-emr: {finding}")
            for finding in sorted(plain - emr):
                print(f"  only checkov:     {finding}")
        empty = [corpus for corpus in corpora if not found[(corpus, "checkov")]]
        for corpus in empty:
            print(f"no findings on {corpus}: the comparison proves nothing")
        if differing or empty:
            return 1
        print("findings identical (file, resource, check id, result): " +
              ", ".join(f"{corpus} {len(found[(corpus, 'checkov')])}" for corpus in corpora))
        return 0
    finally:
        if options.keep:
            log(f"corpora kept in {workspace}")
        else:
            shutil.rmtree(workspace, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
