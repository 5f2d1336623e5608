"""Registers the resource checks for CloudFormation, SAM and CDK-synthesized templates."""
from emrsec.checkov_checks import register_cloudformation

register_cloudformation()
