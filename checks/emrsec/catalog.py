"""Every check's metadata, declared once: the Checkov classes, the docs pages, CLI and outputs render from here."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PROJECT_URL = "https://github.com/checkov-emr-security/checkov-emr-security"

SECURITY_CONFIGURATION = "security configuration"
CLUSTER = "cluster"
FILE = "file"  # a check on a scanned file as a whole, decided by checkov-emr after Checkov's runners ran

TERRAFORM_RESOURCE = {SECURITY_CONFIGURATION: "aws_emr_security_configuration", CLUSTER: "aws_emr_cluster"}
CLOUDFORMATION_RESOURCE = {SECURITY_CONFIGURATION: "AWS::EMR::SecurityConfiguration", CLUSTER: "AWS::EMR::Cluster"}
# The resources a check of each kind runs on: a cluster is also launched by a Step Functions createCluster task.
TERRAFORM_RESOURCES = {SECURITY_CONFIGURATION: ("aws_emr_security_configuration",),
                       CLUSTER: ("aws_emr_cluster", "aws_sfn_state_machine")}
CLOUDFORMATION_RESOURCES = {SECURITY_CONFIGURATION: ("AWS::EMR::SecurityConfiguration",),
                            CLUSTER: ("AWS::EMR::Cluster", "AWS::StepFunctions::StateMachine",
                                      "AWS::Serverless::StateMachine")}
FRAMEWORKS = ("terraform", "terraform_json", "terraform_plan", "cloudformation", "serverless")


class KmsKeyRef:
    """Stands for 'the ARN of a KMS key defined beside it' in examples; each format renders its own reference."""


class UnresolvedRef:
    """Stands for 'a value the scan cannot know' (an input without default) in examples; rendered per format."""


KMS_KEY = KmsKeyRef()
UNRESOLVED = UnresolvedRef()
CERTIFICATES = "s3://my-emr-config/certs/my-certs.zip"


@dataclass(frozen=True)
class CheckSpec:
    number: int
    name: str
    control: str  # the Security Hub control it implements, "" when it is stricter best practice
    severity: str  # a Checkov severity name
    resource: str  # SECURITY_CONFIGURATION, CLUSTER or FILE
    passes_when: str
    fix: str
    example: dict[str, Any]  # a passing configuration (or cluster property value) shown per format; none for FILE
    why: str = ""  # what the check protects against, for its documentation page
    failing_example: Any = None  # a configuration that fails, shown beside the passing one (None: rendered per kind)

    @property
    def id(self) -> str:
        return f"CKV_EMRSEC_{self.number}"

    @property
    def guideline(self) -> str:
        return f"{PROJECT_URL}/blob/main/docs/checks/{self.id}.md"


_S3_KMS = {"EncryptionMode": "SSE-KMS", "AwsKmsKey": KMS_KEY}
_LOCAL_KMS = {"EncryptionKeyProviderType": "AwsKms", "AwsKmsKey": KMS_KEY, "EnableEbsEncryption": True}
_TLS_PEM = {"TLSCertificateConfiguration": {"CertificateProviderType": "PEM", "S3Object": CERTIFICATES}}


def _at_rest(**parts: Any) -> dict[str, Any]:
    return {"EncryptionConfiguration": {"EnableAtRestEncryption": True, "AtRestEncryptionConfiguration": parts}}


FULL_EXAMPLE: dict[str, Any] = {"EncryptionConfiguration": {
    "EnableAtRestEncryption": True,
    "EnableInTransitEncryption": True,
    "AtRestEncryptionConfiguration": {"S3EncryptionConfiguration": _S3_KMS,
                                      "LocalDiskEncryptionConfiguration": _LOCAL_KMS},
    "InTransitEncryptionConfiguration": _TLS_PEM,
}}

CHECKS: tuple[CheckSpec, ...] = (
    CheckSpec(1, "EMR security configuration enables at-rest encryption (Security Hub EMR.3)", "EMR.3", "MEDIUM",
              SECURITY_CONFIGURATION,
              "EnableAtRestEncryption is on and S3 encryption or local-disk encryption is validly configured.",
              "Set EncryptionConfiguration.EnableAtRestEncryption to true and configure "
              "AtRestEncryptionConfiguration.S3EncryptionConfiguration (e.g. SSE-KMS with AwsKmsKey) "
              "or LocalDiskEncryptionConfiguration (AwsKms with AwsKmsKey).",
              _at_rest(S3EncryptionConfiguration=_S3_KMS),
              why="Without at-rest encryption, EMRFS data in S3 and the cluster's local disks are stored in the clear. "
                  "AWS Config's rule behind EMR.3 looks at the flag only; this check also wants a valid S3 or "
                  "local-disk section, since an enabled flag without one is rejected or encrypts nothing.",
              failing_example={"EncryptionConfiguration": {
                  "EnableAtRestEncryption": False,
                  "AtRestEncryptionConfiguration": {"S3EncryptionConfiguration": _S3_KMS}}}),
    CheckSpec(2, "EMR security configuration enables in-transit encryption with TLS (Security Hub EMR.4)", "EMR.4",
              "MEDIUM", SECURITY_CONFIGURATION,
              "EnableInTransitEncryption is on and TLSCertificateConfiguration is valid: PEM with S3Object; "
              "Custom with "
              "S3Object and CertificateProviderClass; EMR (EMR-managed certificates) needs nothing more.",
              "Set EncryptionConfiguration.EnableInTransitEncryption to true and "
              "InTransitEncryptionConfiguration.TLSCertificateConfiguration to "
              '{"CertificateProviderType": "PEM", "S3Object": "s3://<bucket>/<certs>.zip"}.',
              {"EncryptionConfiguration": {"EnableInTransitEncryption": True,
                                           "InTransitEncryptionConfiguration": _TLS_PEM}},
              why="Without in-transit encryption, data moves between cluster nodes and to S3 in the clear. AWS "
                  "Config's rule behind EMR.4 looks at the flag only; this check also wants a usable TLS "
                  "certificate provider, without which the cluster fails to start or is not encrypted.",
              failing_example={"EncryptionConfiguration": {
                  "EnableInTransitEncryption": True,
                  "InTransitEncryptionConfiguration": {"TLSCertificateConfiguration": {"CertificateProviderType": "PEM"}}}}),
    CheckSpec(3, "EMR security configuration encrypts S3 (EMRFS) data at rest", "EMR.3", "MEDIUM",
              SECURITY_CONFIGURATION,
              "EnableAtRestEncryption is on and S3EncryptionConfiguration is valid: SSE-S3; SSE-KMS or CSE-KMS with "
              "AwsKmsKey; CSE-Custom with S3Object and EncryptionKeyProviderClass; every Overrides entry valid the "
              "same way (and naming its BucketName).",
              "Set EncryptionConfiguration.EnableAtRestEncryption to true and "
              "AtRestEncryptionConfiguration.S3EncryptionConfiguration to "
              '{"EncryptionMode": "SSE-KMS", "AwsKmsKey": "<key ARN>"}.',
              _at_rest(S3EncryptionConfiguration=_S3_KMS),
              why="EMRFS data in S3 is the bulk of what a cluster reads and writes; the Security Hub EMR.3 "
                  "remediation encrypts it with a KMS key.",
              failing_example=_at_rest(S3EncryptionConfiguration={"EncryptionMode": "SSE-KMS"})),
    CheckSpec(4, "EMR security configuration encrypts local disks at rest", "EMR.3", "MEDIUM", SECURITY_CONFIGURATION,
              "EnableAtRestEncryption is on and LocalDiskEncryptionConfiguration is valid: AwsKms with AwsKmsKey, or "
              "Custom with S3Object and EncryptionKeyProviderClass.",
              "Set EncryptionConfiguration.EnableAtRestEncryption to true and "
              "AtRestEncryptionConfiguration.LocalDiskEncryptionConfiguration to "
              '{"EncryptionKeyProviderType": "AwsKms", "AwsKmsKey": "<key ARN>", "EnableEbsEncryption": true}.',
              _at_rest(LocalDiskEncryptionConfiguration=_LOCAL_KMS),
              why="Local disks hold shuffle data, spills and HDFS blocks; the Security Hub EMR.3 remediation "
                  "encrypts them with a KMS key.",
              failing_example=_at_rest(S3EncryptionConfiguration=_S3_KMS)),
    CheckSpec(5, "EMR security configuration encrypts EBS volumes", "", "LOW", SECURITY_CONFIGURATION,
              "Local-disk encryption passes CKV_EMRSEC_4 with the AwsKms provider and EnableEbsEncryption is on.",
              "Use LocalDiskEncryptionConfiguration.EncryptionKeyProviderType AwsKms with AwsKmsKey and set "
              "LocalDiskEncryptionConfiguration.EnableEbsEncryption to true.",
              _at_rest(LocalDiskEncryptionConfiguration=_LOCAL_KMS),
              why="Local-disk encryption covers instance-store volumes; EBS root and storage volumes are "
                  "encrypted only with EnableEbsEncryption (stricter than Security Hub).",
              failing_example=_at_rest(LocalDiskEncryptionConfiguration={**_LOCAL_KMS, "EnableEbsEncryption": False})),
    CheckSpec(6, "EMR security configuration encrypts S3 data with a KMS key", "", "LOW", SECURITY_CONFIGURATION,
              "CKV_EMRSEC_3 passes and the EncryptionMode is SSE-KMS or CSE-KMS, in every Overrides entry too.",
              "Set S3EncryptionConfiguration.EncryptionMode (and every Overrides entry's) to SSE-KMS or CSE-KMS "
              "with AwsKmsKey.",
              _at_rest(S3EncryptionConfiguration=_S3_KMS),
              why="SSE-S3 keys are managed by S3 alone; a KMS key adds key policies, auditing in CloudTrail and "
                  "revocation (stricter than Security Hub).",
              failing_example=_at_rest(S3EncryptionConfiguration={"EncryptionMode": "SSE-S3"})),
    CheckSpec(7, "EMR security configuration can be verified statically", "", "MEDIUM", SECURITY_CONFIGURATION,
              "The configuration and every flag, mode and section that checks 1-6 read resolve to values in the "
              "template (it fails exactly where those checks cannot decide).",
              "Write the values the encryption checks read as literals, or as variables/parameters with a default; "
              "references are fine for keys (AwsKmsKey), not for flags, modes or whole sections. "
              "Skip this check with a reason for reusable modules that take the configuration as input.",
              FULL_EXAMPLE,
              why="Checkov drops UNKNOWN results silently: without this check a configuration whose flags come "
                  "from an input without default, a data source or an import would pass unnoticed.",
              failing_example=UNRESOLVED),
    CheckSpec(8, "EMR cluster uses a security configuration", "", "MEDIUM", CLUSTER,
              "aws_emr_cluster.security_configuration / AWS::EMR::Cluster.SecurityConfiguration is set and "
              "non-empty (a reference to a security configuration counts).",
              "Set the cluster's security_configuration (Terraform) / SecurityConfiguration (CloudFormation) to the "
              "name of a security configuration that passes CKV_EMRSEC_1 and CKV_EMRSEC_2.",
              {},
              why="A cluster without a security configuration has neither at-rest nor in-transit encryption, and "
                  "a running cluster cannot be given one: it has to be re-created."),
    CheckSpec(9, "Every file that defines an EMR resource is scanned", "", "MEDIUM", FILE,
              "Every file that names an EMR security configuration or cluster could be read: it "
              "parses (Checkov's parsers and the pack's), is not Terraform 0.11 syntax, too large, binary or a YAML "
              "alias bomb, and holds no EMR resources Checkov leaves out (generated by Fn::ForEach of "
              "AWS::LanguageExtensions, or in a serverless ${file()} fragment Checkov drops). The file is the "
              "resource.",
              "Fix the error the finding quotes (Terraform 0.11 syntax: upgrade it with `terraform 0.12upgrade`), keep "
              "templates under 10 MB and free of YAML alias bombs, write generated EMR resources out (or move them "
              "into a template of their own); a file that is not deployed can be left out with --skip-path.",
              {},
              why="A file Checkov cannot read gives no findings at all: without this check a syntax error would "
                  "make every EMR resource in it pass the gate."),
    CheckSpec(10, "EMR cluster's security configuration encrypts at rest and in transit", "", "MEDIUM", CLUSTER,
              "The cluster's (or Step Functions createCluster task's) security configuration is defined in the project "
              "(by reference or by its name, through variables, locals, parameters and modules) and passes "
              "CKV_EMRSEC_1 and CKV_EMRSEC_2. Unknown when it names a configuration defined elsewhere.",
              "Name a security configuration of the project that passes CKV_EMRSEC_1 and CKV_EMRSEC_2 (a cluster "
              "cannot switch configuration: re-create it with the fixed one).",
              {},
              why="The data lives on the cluster: a cluster whose configuration leaves data at rest or in transit "
                  "unencrypted is where the exposure is, and it has to be re-created to take another configuration."),
    CheckSpec(11, "KMS keys used for EMR encryption are symmetric encryption keys", "", "MEDIUM",
              SECURITY_CONFIGURATION,
              "Every AwsKmsKey (S3, each Overrides entry, local disk, EMRWALEncryptionConfiguration) that leads to a "
              "key of the project (a KMS key, an alias of one, a replica key) is a SYMMETRIC_DEFAULT key with usage "
              "ENCRYPT_DECRYPT that is not disabled, and every literal is a KMS key identifier (key ID, key ARN, alias "
              "name, alias ARN). Unknown for keys defined elsewhere; passes when no key is named.",
              "Point AwsKmsKey at an enabled symmetric encryption key (KeySpec SYMMETRIC_DEFAULT, KeyUsage "
              "ENCRYPT_DECRYPT): EMR cannot encrypt with asymmetric, HMAC or disabled keys, and the cluster fails at "
              "launch.",
              _at_rest(S3EncryptionConfiguration=_S3_KMS, LocalDiskEncryptionConfiguration=_LOCAL_KMS),
              why="EMR encrypts with symmetric KMS keys only: an asymmetric, HMAC or disabled key, or an ARN that is "
                  "no KMS key, is accepted by the template and makes the cluster fail at launch, after deploy.",
              failing_example=_at_rest(S3EncryptionConfiguration={"EncryptionMode": "SSE-KMS",
                                                                  "AwsKmsKey": "arn:aws:s3:::my-emr-data"})),
)

BY_ID: dict[str, CheckSpec] = {spec.id: spec for spec in CHECKS}
RESOURCE_CHECKS = tuple(spec for spec in CHECKS if spec.resource != FILE)  # the ones Checkov runs as resource checks
UNSCANNED = BY_ID["CKV_EMRSEC_9"]
CLUSTER_NAMED = BY_ID["CKV_EMRSEC_8"]  # an undecided verdict of it is a warning: a cluster that may have none
