"""Registers the resource checks for Terraform, .tf.json (CDKTF) and Terraform plan JSON."""
from emrsec.checkov_checks import register_terraform

register_terraform()
