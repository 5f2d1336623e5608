"""Registers CKV_EMRSEC_1-8 for CloudFormation, SAM and CDK-synthesized templates."""
from emrsec.checkov_checks import register_cloudformation

register_cloudformation()
