# A passing security configuration (the published remediation for Security Hub EMR.3/EMR.4) and a
# cluster that uses it, next to a legacy configuration that fails: run `checkov-emr -d examples`.

resource "aws_kms_key" "emr" {
  description         = "EMR at-rest encryption"
  enable_key_rotation = true
}

# expect aws_emr_security_configuration.encrypted => PASSED:1-7,11
resource "aws_emr_security_configuration" "encrypted" {
  name = "emr-encrypted"
  configuration = jsonencode({
    EncryptionConfiguration = {
      EnableAtRestEncryption    = true
      EnableInTransitEncryption = true
      AtRestEncryptionConfiguration = {
        S3EncryptionConfiguration = {
          EncryptionMode = "SSE-KMS"
          AwsKmsKey      = aws_kms_key.emr.arn
        }
        LocalDiskEncryptionConfiguration = {
          EncryptionKeyProviderType = "AwsKms"
          AwsKmsKey                 = aws_kms_key.emr.arn
          EnableEbsEncryption       = true
        }
      }
      InTransitEncryptionConfiguration = {
        TLSCertificateConfiguration = {
          CertificateProviderType = "PEM"
          S3Object                = "s3://my-emr-config/certs/my-certs.zip"
        }
      }
    }
  })
}

# The Terraform registry's own example: SSE-S3 only, no local-disk or in-transit encryption.
# expect aws_emr_security_configuration.legacy => PASSED:1,3,4,7 FAILED:2,5,6 UNKNOWN:11
resource "aws_emr_security_configuration" "legacy" {
  name          = "emrsc_legacy"
  configuration = <<EOF
{
  "EncryptionConfiguration": {
    "AtRestEncryptionConfiguration": {
      "S3EncryptionConfiguration": {
        "EncryptionMode": "SSE-S3"
      },
      "LocalDiskEncryptionConfiguration": {
        "EncryptionKeyProviderType": "AwsKms",
        "AwsKmsKey": "arn:aws:kms:us-west-2:187416307283:alias/tf_emr_test_key"
      }
    },
    "EnableInTransitEncryption": false,
    "EnableAtRestEncryption": true
  }
}
EOF
}

# expect aws_emr_cluster.analytics => PASSED:8,10
resource "aws_emr_cluster" "analytics" {
  name                   = "analytics"
  release_label          = "emr-7.2.0"
  applications           = ["Spark"]
  service_role           = "EMR_DefaultRole"
  security_configuration = aws_emr_security_configuration.encrypted.name

  ec2_attributes {
    instance_profile = "EMR_EC2_DefaultRole"
  }

  master_instance_group {
    instance_type = "m5.xlarge"
  }
}
