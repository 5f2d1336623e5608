"""Repositories shaped like public EMR module repositories, where every folder holds or calls an EMR resource.

Each repository has a wrapper module at its root over `modules/security-configuration`, `modules/cluster` and
`modules/iam`; 5-10 `examples/<name>` roots calling the wrapper (`../../`) with other inputs, some of them twice;
and terragrunt-style `envs/<env>` trees calling the submodules (`../../modules/...`) directly, some of them
with two security configurations. Inputs are literals, defaults of the wrapper's variables, or variables of
the calling root with defaults, so the same module body is read with several input sets, passing and failing.
The first repository is written as terraform-aws-modules writes its modules: every resource behind
`count = var.create ? 1 : 0`, outputs read through `try(aws_x.this[0].name, null)`, and a `disabled` example
that creates nothing.
"""
from __future__ import annotations

import random

from bench.corpora.common import KMS_KEY, fill, write
from bench.corpora.terraform import tf_iam, tf_locals, tf_module_variables, tf_security_groups, tf_versions

REPOSITORIES = ["terraform-aws-emr", "terraform-aws-emr-cluster", "emr-data-platform"]
EXAMPLES = ["complete", "minimal", "at-rest-only", "sse-s3", "no-ebs-encryption", "multiple-clusters",
            "private-subnets", "instance-fleets", "unencrypted", "studio"]
DISABLED = "disabled"  # the example of a counted repository that sets create = false
ENVIRONMENTS = ["dev", "staging", "prod"]

# The wrapper's encryption inputs per kind of configuration; a missing input takes the wrapper's default
# (everything encrypted).
KINDS: dict[str, dict[str, str]] = {
    "strict": {},
    "explicit": {"enable_at_rest_encryption": "true", "enable_in_transit_encryption": "true",
                 "s3_encryption_mode": '"SSE-KMS"', "enable_ebs_encryption": "true"},
    "at_rest_only": {"enable_in_transit_encryption": "false"},
    "sse_s3": {"s3_encryption_mode": '"SSE-S3"'},
    "no_ebs": {"enable_ebs_encryption": "false"},
    "none": {"enable_at_rest_encryption": "false", "enable_in_transit_encryption": "false"},
}

ENCRYPTION_VARIABLES = """
    variable "enable_at_rest_encryption" {
      description = "Encrypt EMRFS data in S3 and local disks"
      type        = bool
      default     = true
    }

    variable "enable_in_transit_encryption" {
      description = "TLS between cluster nodes"
      type        = bool
      default     = true
    }

    variable "s3_encryption_mode" {
      description = "SSE-S3, SSE-KMS or CSE-KMS"
      type        = string
      default     = "SSE-KMS"
    }

    variable "enable_ebs_encryption" {
      type    = bool
      default = true
    }

    variable "certificate_s3_object" {
      description = "S3 URI of the zip holding the PEM certificates"
      type        = string
      default     = "s3://corp-emr-certificates/certs.zip"
    }
    """

CREATE_VARIABLE = """
    variable "create" {
      description = "Whether to create the module's resources"
      type        = bool
      default     = true
    }
    """

SIZE_VARIABLES = """
    variable "release_label" {
      type    = string
      default = "emr-7.2.0"
    }

    variable "core_instance_count" {
      type    = number
      default = 2
    }
    """


def _counted(counted: bool) -> str:
    """The first line of a counted resource's body."""
    return "count = var.create ? 1 : 0\n\n  " if counted else ""


def _instance(resource: str, counted: bool) -> str:
    """An attribute of the module's one resource: `try(x[0].attribute, null)` where it is counted."""
    address, attribute = resource.rsplit(".", 1)
    return f"try({address}[0].{attribute}, null)" if counted else resource


def _variables(counted: bool, extra: str = "") -> str:
    return tf_module_variables(fill(CREATE_VARIABLE) + "\n" + extra if counted else extra)


def _arguments(inputs: dict[str, str], indent: str = "  ") -> str:
    width = max(len(name) for name in inputs)
    return "\n".join(f"{indent}{name.ljust(width)} = {value}" for name, value in inputs.items())


def _security_configuration_module(rng: random.Random, root: str, folder: str, counted: bool) -> None:
    write(root, f"{folder}/main.tf", fill("""
        resource "aws_emr_security_configuration" "this" {
          @count@name = "${local.prefix}-security"

          configuration = jsonencode({
            EncryptionConfiguration = {
              EnableAtRestEncryption    = var.enable_at_rest_encryption
              EnableInTransitEncryption = var.enable_in_transit_encryption
              AtRestEncryptionConfiguration = {
                S3EncryptionConfiguration = {
                  EncryptionMode = var.s3_encryption_mode
                  AwsKmsKey      = var.kms_key_arn
                }
                LocalDiskEncryptionConfiguration = {
                  EncryptionKeyProviderType = "AwsKms"
                  AwsKmsKey                 = var.kms_key_arn
                  EnableEbsEncryption       = var.enable_ebs_encryption
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
        """, count=_counted(counted)))
    write(root, f"{folder}/variables.tf", _variables(counted, fill(ENCRYPTION_VARIABLES)))
    write(root, f"{folder}/locals.tf", tf_locals(rng, "emr"))
    write(root, f"{folder}/outputs.tf", fill("""
        output "name" {
          value = @name@
        }
        """, name=_instance("aws_emr_security_configuration.this.name", counted)))
    write(root, f"{folder}/versions.tf", tf_versions(rng))


def _cluster_module(rng: random.Random, root: str, folder: str, counted: bool) -> None:
    write(root, f"{folder}/main.tf", fill("""
        resource "aws_emr_cluster" "this" {
          @count@name                   = "${local.prefix}-cluster"
          release_label          = var.release_label
          applications           = ["Spark", "Hive"]
          service_role           = var.service_role_arn
          security_configuration = var.security_configuration

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
            instance_count = var.core_instance_count
          }

          tags = local.common_tags
        }
        """, count=_counted(counted)) + "\n" + tf_security_groups(rng))
    write(root, f"{folder}/variables.tf", _variables(counted, fill(SIZE_VARIABLES) + "\n" + fill("""
        variable "service_role_arn" {
          type = string
        }

        variable "security_configuration" {
          description = "Name of the EMR security configuration; null for none"
          type        = string
          default     = null
        }
        """)))
    write(root, f"{folder}/locals.tf", tf_locals(rng, "emr"))
    write(root, f"{folder}/outputs.tf", fill("""
        output "cluster_id" {
          value = @id@
        }
        """, id=_instance("aws_emr_cluster.this.id", counted)))


def _iam_module(rng: random.Random, root: str, folder: str) -> None:
    write(root, f"{folder}/main.tf", tf_iam(rng))
    write(root, f"{folder}/variables.tf", tf_module_variables())
    write(root, f"{folder}/locals.tf", tf_locals(rng, "emr"))
    write(root, f"{folder}/outputs.tf", fill("""
        output "service_role_arn" {
          value = aws_iam_role.lambda.arn
        }
        """))


def _wrapper(rng: random.Random, root: str, counted: bool) -> None:
    """The repository's root module: IAM, the security configuration and the cluster, wired together."""
    passed = ["name", "environment", "vpc_id", "subnet_ids", "kms_key_arn", "tags"] + (["create"] if counted else [])
    common = {name: f"var.{name}" for name in passed}
    encryption = {name: f"var.{name}" for name in ["enable_at_rest_encryption", "enable_in_transit_encryption",
                                                   "s3_encryption_mode", "enable_ebs_encryption",
                                                   "certificate_s3_object"]}
    cluster = {"release_label": "var.release_label", "core_instance_count": "var.core_instance_count",
               "service_role_arn": "module.iam.service_role_arn",
               "security_configuration": "module.security_configuration.name"}
    write(root, "main.tf", "\n".join([
        fill("""
            module "iam" {
              source = "./modules/iam"

            @arguments@
            }
            """, arguments=_arguments(common)),
        fill("""
            module "security_configuration" {
              source = "./modules/security-configuration"

            @arguments@
            }
            """, arguments=_arguments({**common, **encryption})),
        fill("""
            module "cluster" {
              source = "./modules/cluster"

            @arguments@
            }
            """, arguments=_arguments({**common, **cluster})),
    ]))
    write(root, "variables.tf", _variables(counted, fill(ENCRYPTION_VARIABLES) + "\n" + fill(SIZE_VARIABLES)))
    write(root, "outputs.tf", fill("""
        output "cluster_id" {
          value = module.cluster.cluster_id
        }

        output "security_configuration_name" {
          value = module.security_configuration.name
        }
        """))
    write(root, "versions.tf", tf_versions(rng))


def _provider(region: str) -> str:
    return fill("""
        provider "aws" {
          region = "@region@"
        }
        """, region=region)


def _network(rng: random.Random) -> dict[str, str]:
    network = f"{rng.getrandbits(48):012x}"
    return {"vpc_id": f'"vpc-0{network}"', "subnet_ids": f'["subnet-0{network}a", "subnet-0{network}b"]',
            "kms_key_arn": f'"{KMS_KEY}"'}


def _example(rng: random.Random, root: str, name: str, calls: int) -> None:
    """An example root calling the wrapper `calls` times, each with its own kind of configuration."""
    blocks = [_provider(rng.choice(["us-east-1", "eu-west-1"]))]
    for index in range(calls):
        kind = rng.choice(sorted(KINDS))
        label = "emr" if calls == 1 else f"emr_{index + 1}"
        inputs = {"name": f'"ex-{name}-{index + 1}"', "environment": '"example"', **_network(rng), **KINDS[kind]}
        if name != "minimal":
            inputs["core_instance_count"] = str(rng.randint(2, 6))
        if name == DISABLED:
            inputs["create"] = "false"
        blocks.append(fill("""
            module "@label@" {
              source = "../../"

            @arguments@
            }
            """, label=label, arguments=_arguments(inputs)))
    write(root, f"examples/{name}/main.tf", "\n".join(blocks))
    write(root, f"examples/{name}/outputs.tf", "\n".join(fill("""
        output "@label@_cluster_id" {
          value = module.@label@.cluster_id
        }
        """, label="emr" if calls == 1 else f"emr_{index + 1}") for index in range(calls)))
    write(root, f"examples/{name}/versions.tf", tf_versions(rng))


def _environment(rng: random.Random, root: str, environment: str, configurations: int) -> None:
    """envs/<env>: terragrunt's state settings, and the submodules called with the environment's variables."""
    in_transit = "true" if environment == "prod" else rng.choice(["true", "false"])
    blocks = [_provider("us-east-1")]
    common = {"name": f'"emr-{environment}"', "environment": "var.environment", "vpc_id": "var.vpc_id",
              "subnet_ids": "var.subnet_ids", "kms_key_arn": "var.kms_key_arn"}
    blocks.append(fill("""
        module "iam" {
          source = "../../modules/iam"

        @arguments@
        }
        """, arguments=_arguments(common)))
    for index in range(configurations):
        suffix = "" if index == 0 else f"_{index + 1}"
        kind = KINDS[rng.choice(sorted(KINDS))] if index else {}
        encryption = {"enable_in_transit_encryption": "var.enable_in_transit_encryption", **kind}
        blocks.append(fill("""
            module "security_configuration@suffix@" {
              source = "../../modules/security-configuration"

            @arguments@
            }
            """, suffix=suffix, arguments=_arguments({**common, **encryption})))
        blocks.append(fill("""
            module "cluster@suffix@" {
              source = "../../modules/cluster"

            @arguments@
            }
            """, suffix=suffix, arguments=_arguments({
            **common, "service_role_arn": "module.iam.service_role_arn",
            "security_configuration": f"module.security_configuration{suffix}.name",
            "core_instance_count": str(rng.randint(2, 10))})))
    write(root, f"envs/{environment}/main.tf", "\n".join(blocks))
    network = _network(rng)
    write(root, f"envs/{environment}/variables.tf", "\n".join(fill("""
        variable "@name@" {
          type    = @type@
          default = @value@
        }
        """, name=name, type=kind, value=value) for name, kind, value in [
        ("environment", "string", f'"{environment}"'), ("vpc_id", "string", network["vpc_id"]),
        ("subnet_ids", "list(string)", network["subnet_ids"]), ("kms_key_arn", "string", network["kms_key_arn"]),
        ("enable_in_transit_encryption", "bool", in_transit)]))
    write(root, f"envs/{environment}/terragrunt.hcl", fill("""
        remote_state {
          backend = "s3"
          config = {
            bucket         = "corp-terraform-state"
            key            = "emr/@environment@/terraform.tfstate"
            region         = "us-east-1"
            dynamodb_table = "terraform-locks"
            encrypt        = true
          }
        }
        """, environment=environment))


def generate_modules(root: str, seed: int, quick: bool) -> None:
    """One repository (quick) or three, each a wrapper, its submodules, its examples and its environments."""
    rng = random.Random(f"{seed}-modules")
    for repository in REPOSITORIES[:1] if quick else REPOSITORIES:
        base = f"{root}/{repository}"
        counted = repository == REPOSITORIES[0]
        _wrapper(rng, base, counted)
        _security_configuration_module(rng, base, "modules/security-configuration", counted)
        _cluster_module(rng, base, "modules/cluster", counted)
        _iam_module(rng, base, "modules/iam")
        examples = rng.sample(EXAMPLES, 5 if quick else rng.randint(5, 10)) + ([DISABLED] if counted else [])
        for name in examples:
            _example(rng, base, name, calls=3 if name == "multiple-clusters" else rng.choice([1, 1, 1, 2]))
        for environment in ENVIRONMENTS:
            _environment(rng, base, environment, configurations=rng.choice([1, 2]))
