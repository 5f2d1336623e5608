"""Terraform: module folders and root folders of ordinary resources, EMR resources written with literals, and
the reusable EMR module whose in-transit flag comes from its caller."""
from __future__ import annotations

import random
import textwrap
from typing import Optional

from bench.corpora.common import ACTIONS, KMS_KEY, PORTS, PURPOSES, SERVICES, fill, write


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


def tf_module_folder(rng: random.Random, root: str, folder: str, name: str, emr: Optional[str]) -> None:
    """A module folder of 10 files; `emr` ("literal" or "module") puts EMR resources in emr.tf."""
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


def tf_root_folder(rng: random.Random, root: str, folder: str, environment: str, stack: str,
                   modules: list[str], emr_module: Optional[str], emr_literal: bool) -> None:
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
