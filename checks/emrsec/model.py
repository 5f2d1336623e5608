"""What the rules may ask of the rest of a scan unit (a template, a Terraform root binding, a file).

A reference is a value (`values.Ref`); the unit it was read in answers what it, or a literal name, leads to.
Every input form implements `Project`; the policy only calls these methods, so a rule never sees a format.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from emrsec.values import Variant

ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "ABSENT"})()  # a property that is not written


@dataclass(frozen=True)
class Launch:
    """Where a cluster is launched with a security configuration: an `aws_emr_cluster` / `AWS::EMR::Cluster`
    property, or a Step Functions createCluster state. `path` names the property as the format writes it
    (`security_configuration`, `SecurityConfiguration`, `States.Start.Parameters.SecurityConfiguration`)."""

    path: str
    value: Any  # ABSENT when not written


@dataclass(frozen=True)
class Setting:
    """One property of a KMS key, under the name its format gives it (`KeySpec`, `customer_master_key_spec`)."""

    name: str
    value: Any  # ABSENT when not written: the AWS default applies


@dataclass(frozen=True)
class KmsKey:
    address: str  # as messages name it: `aws_kms_key.emr`, `AWS::KMS::Key.EmrKey`
    spec: Setting
    usage: Setting
    enabled: Setting
    via: str = ""  # the alias or replica key the reference went through, for messages


@dataclass(frozen=True)
class Configuration:
    address: str  # as messages name it
    variants: tuple[Variant, ...]


class Project:
    """A unit in which nothing resolves: every reference and name leads outside the project."""

    def configuration(self, value: Any) -> Optional[Configuration]:
        """The security configuration a cluster's value (a reference or a name) leads to; None if not defined here."""
        return None

    def key(self, value: Any) -> Optional[KmsKey]:
        """The KMS key an `AwsKmsKey` value (a reference, an alias name or ARN) leads to; None if not defined here."""
        return None

    def users_of(self, address: str) -> list[str]:
        """The clusters and createCluster states of the unit that use the configuration at `address`."""
        return []


NOWHERE = Project()
