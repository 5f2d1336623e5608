"""What every corpus generator shares: the template filler, the writer and the vocabulary of names."""
from __future__ import annotations

import os
import textwrap
from typing import Any

KMS_KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

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
