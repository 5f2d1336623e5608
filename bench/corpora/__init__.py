"""The generated repositories, one generator per corpus: `CORPORA[name](root, seed, quick)` writes it under root.

The same seed gives the same files. The generators per form are in terraform.py, cloudformation.py and cdk.py;
modules.py writes a repository shaped like a public EMR module repository.
"""
from __future__ import annotations

import json
import os
import random
from typing import Callable

from bench.corpora.cdk import cdk_app
from bench.corpora.cloudformation import cfn_template, to_yaml
from bench.corpora.common import COMPONENTS, DOMAINS, ENVIRONMENTS, write
from bench.corpora.modules import generate_modules
from bench.corpora.terraform import (tf_emr_literal, tf_iam, tf_locals, tf_module_folder, tf_module_variables,
                                     tf_root_folder, tf_s3, tf_security_groups)


def generate_pr(root: str, seed: int, quick: bool) -> None:
    """5 changed files (whatever `quick`): an EMR security configuration and its cluster, with ordinary resources beside it."""
    rng = random.Random(f"{seed}-pr")
    s3, buckets = tf_s3(rng)
    write(root, "infra/analytics/emr.tf", tf_emr_literal(random.Random(f"{seed}-pr-emr"), buckets[0]))
    write(root, "infra/analytics/s3.tf", s3)
    write(root, "infra/analytics/iam.tf", tf_iam(rng) + "\n" + tf_security_groups(rng))
    write(root, "infra/analytics/variables.tf", tf_module_variables() + "\n" + tf_locals(rng, "analytics"))
    write(root, "cloudformation/reporting/queues.yaml", to_yaml(cfn_template(rng, "reporting", False, False)))


def generate_monorepo(root: str, seed: int, quick: bool) -> None:
    """Terraform root folders calling local modules, CloudFormation templates and CDK apps; about 1% EMR."""
    rng = random.Random(f"{seed}-monorepo")
    roots_count, modules_count = (3, 9) if quick else (40, 160)
    templates_count, apps_count = (15, 2) if quick else (300, 10)
    names = sorted(f"{domain}-{component}" for domain in DOMAINS for component in COMPONENTS)
    rng.shuffle(names)
    modules = ["emr-analytics"] + names[:modules_count - 1]
    literal_emr = set(rng.sample(modules[1:], max(2, modules_count * 12 // 160)))
    callable_modules = sorted(set(modules[1:]) - literal_emr)
    for name in modules:
        emr = "module" if name == "emr-analytics" else "literal" if name in literal_emr else None
        tf_module_folder(rng, root, f"terraform/modules/{name}", name, emr)
    stacks = sorted(rng.sample(DOMAINS, (roots_count + len(ENVIRONMENTS) - 1) // len(ENVIRONMENTS) + 1))
    folders = [(env, stack) for env in ENVIRONMENTS for stack in stacks]
    folders = [("prod", "analytics")] + [f for f in folders if f != ("prod", "analytics")][:roots_count - 1]
    for index, (environment, stack) in enumerate(folders):
        called = rng.sample(callable_modules, rng.randint(2, 4))
        tf_root_folder(rng, root, f"terraform/live/{environment}/{stack}", environment, stack, called,
                       emr_module="emr-analytics" if index == 0 else None, emr_literal=index == 1)
    emr_templates = set(rng.sample(range(templates_count), max(1, round(templates_count / 75))))
    for index in range(templates_count):
        team = f"{rng.choice(DOMAINS)}-{rng.choice(COMPONENTS)}"
        extension = rng.choice([".yaml", ".yaml", ".yml", ".json", ".template"])
        template = cfn_template(rng, team, index in emr_templates, as_json=extension == ".json")
        text = json.dumps(template, indent=2) if extension == ".json" else to_yaml(template)
        write(root, f"cloudformation/{team.split('-')[0]}/{team}-{index:03d}{extension}", text)
    emr_apps = set(rng.sample(range(apps_count), max(1, apps_count * 3 // 10)))
    for index in range(apps_count):
        name = f"{names[-1 - index]}"
        cdk_app(rng, root, f"cdk/{name}", name, index in emr_apps)


# A commit in the monorepo touching one EMR file: the EMR module, a file beside it, and the variables of the root
# folder that sets the module's in-transit flag (the hook also scans the EMR files these can affect).
HOOK_COMMIT = ["terraform/modules/emr-analytics/emr.tf", "terraform/modules/emr-analytics/s3.tf",
               "terraform/live/prod/analytics/variables.tf"]

CORPORA: dict[str, Callable[[str, int, bool], None]] = {
    "pr": generate_pr,
    "monorepo": generate_monorepo,
    "modules": generate_modules,
}


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
