"""Checkov's Terraform variable rendering, left out where only this pack's checks read what it renders.

Checkov renders every variable, local and module output into every block of the graph it builds for `-d`
(the graph's `render_variables`): on a module repository that is most of its time (docs/performance.md).
The pack's checks do not read those values: they evaluate each HCL resource from its source, once per chain
of module callers (`emrsec.terraform_scope`). They fall back to Checkov's rendered value only where the
scanned file cannot be told apart among several scan roots or files given with -f (this is used for one
folder only), or where the resource is missing from the configuration files the pack reads: Checkov also reads
resources from `.hcl` files, which Terraform ignores (rendering stays on when one of them holds the pack's).
Expanding count / for_each renders the blocks it needs by itself, before and apart from this step, and
the resources' addresses are set either way, so the same resources reach the checks.
"""
from __future__ import annotations

import functools
import os
import re
from typing import Any

from checkov_emr_security.prescan import walked
from emrsec.catalog import TERRAFORM_RESOURCES

# A resource block of a type the pack's checks read.
_PACK_RESOURCE = re.compile(r'resource\s+"?(?:' + "|".join(t for types in TERRAFORM_RESOURCES.values() for t in types)
                            + r')\b')


def needed(folder: str) -> bool:
    """Whether a `.hcl` file Checkov reads under the folder declares a resource the pack's checks read."""
    for parent, dirs, names in os.walk(folder):
        dirs[:] = walked(dirs)
        for name in names:
            if name.endswith(".hcl"):
                try:
                    with open(os.path.join(parent, name), encoding="utf-8", errors="replace") as handle:
                        if _PACK_RESOURCE.search(handle.read()):
                            return True
                except OSError:
                    continue
    return False


def skip_rendering() -> None:
    """Terraform graphs built from a folder skip rendering unless a caller asks for it by name (the plan
    runner's enrichment does)."""
    from checkov.terraform.graph_builder.local_graph import TerraformLocalGraph
    from checkov.terraform.graph_manager import TerraformGraphManager

    build = TerraformGraphManager.build_graph_from_source_directory

    @functools.wraps(build)
    def unrendered(self: TerraformGraphManager, source_dir: str,
                   local_graph_class: type[TerraformLocalGraph] = TerraformLocalGraph,
                   render_variables: bool = False, **kwargs: Any) -> Any:
        return build(self, source_dir, local_graph_class, render_variables, **kwargs)

    TerraformGraphManager.build_graph_from_source_directory = unrendered  # type: ignore[method-assign]
