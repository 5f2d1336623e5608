"""Checkov's Terraform variable rendering, left out where only this pack's checks read what it renders.

Checkov renders every variable, local and module output into every block of the graph it builds for `-d`
(the graph's `render_variables`): on a module repository that is most of its time (docs/performance.md).
The pack's checks do not read those values: they evaluate each HCL resource from its source, once per chain
of module callers (`emrsec.terraform_scope`). They fall back to Checkov's rendered value only where the
scanned file cannot be told apart among several scan roots or files given with -f (this is used for one
folder only), or where the resource is missing from the configuration files the pack reads. Expanding
for_each and count renders what it needs by itself, before and apart from this step, so the same resources
reach the checks, with the same addresses. Where that expansion fails, a resource reaches the checks with its
count unrendered, which rendering would have turned into 0 for an instance that creates nothing (Checkov then
skips it): the pack is told which module instance it is checking (`emrsec.terraform_input.CHECKED_INSTANCE`)
and reads that instance's count itself. Rendering stays where its result still decides (`needed`).

Checkov's expansion of a count or for_each that is not a literal copies the whole graph but the other resources
and renders all of it, to read those few arguments: on a module repository whose resources are all counted
(`count = var.create ? 1 : 0`) that costs as much as the rendering left out. A value flows into a block only from
the blocks it refers to, so the copy holds those alone (`_dependencies_only`): the arguments render the same.
"""
from __future__ import annotations

import functools
import os
from collections import defaultdict
from typing import Any, Optional

from checkov.common.util.data_structures_utils import pickle_deepcopy
from checkov.terraform.graph_builder.foreach.abstract_handler import ForeachAbstractHandler
from checkov.terraform.graph_builder.graph_components.block_types import BlockType
from checkov.terraform.graph_builder.graph_components.module import Module
from checkov.terraform.graph_builder.local_graph import TerraformLocalGraph
from checkov.terraform.graph_manager import TerraformGraphManager
from checkov.terraform.modules.module_objects import TFDefinitionKey
from checkov.terraform.runner import Runner
from emrsec.catalog import TERRAFORM_RESOURCES
from emrsec.terraform_input import CHECKED_INSTANCE

PACK_TYPES = frozenset(t for types in TERRAFORM_RESOURCES.values() for t in types)


def needed(module: Module) -> bool:
    """Whether the pack's results depend on rendered values: a resource it reads in a `.hcl` file (Checkov reads
    those, Terraform and the pack do not), or count / for_each on a module call (Checkov names the instances of
    the resources in it from rendered values)."""
    for block in module.blocks:
        pack_resource = block.block_type == BlockType.RESOURCE and block.name.split(".")[0] in PACK_TYPES
        if pack_resource and block.path.endswith(".hcl"):
            return True
        if block.block_type == BlockType.MODULE and {"count", "for_each"} & block.attributes.keys():
            return True
    return False


def _calls(key: Any) -> tuple[tuple[str, str], ...]:
    """The module calls of a Checkov definition key, as (calling folder, module name), outermost first."""
    calls = []
    module = getattr(key, "tf_source_modules", None)
    while module is not None:
        calls.append((os.path.realpath(os.path.dirname(module.path)), module.name))
        module = module.nested_tf_module
    return tuple(reversed(calls))


def _dependencies_only(handler: ForeachAbstractHandler, blocks_to_render: list[int]) -> TerraformLocalGraph:
    """The graph Checkov renders to read the count / for_each of `blocks_to_render`: those blocks and the blocks
    they refer to, directly or not (an edge leads from the block that refers to the block referred to, whose
    value the renderer copies back along it), with the edges between them."""
    graph = handler.local_graph
    kept: set[int] = set()
    pending = list(blocks_to_render)
    while pending:
        index = pending.pop()
        if index not in kept:
            kept.add(index)
            pending += [edge.dest for edge in graph.out_edges.get(index, [])]
    sub_graph = TerraformLocalGraph(graph.module)
    sub_graph.vertices = [pickle_deepcopy(block) if index in kept else {}  # type: ignore[misc]
                          for index, block in enumerate(graph.vertices)]
    sub_graph.edges = [edge for edge in graph.edges if edge.origin in kept and edge.dest in kept]
    sub_graph.in_edges, sub_graph.out_edges = defaultdict(list), defaultdict(list)
    for index in kept:  # as Checkov's graph has them: every block a key, with or without edges
        sub_graph.in_edges[index], sub_graph.out_edges[index] = [], []
    for edge in sub_graph.edges:
        sub_graph.in_edges[edge.dest].append(edge)
        sub_graph.out_edges[edge.origin].append(edge)
    return sub_graph


class _RenderingWhereNeeded(TerraformLocalGraph):
    def build_graph(self, render_variables: bool) -> None:
        super().build_graph(render_variables and needed(self.module))


def skip_rendering() -> None:
    """Terraform graphs built from a folder render only where `needed`, unless a caller asks for rendering by
    name (the plan runner's enrichment does) or builds another kind of graph."""
    build = TerraformGraphManager.build_graph_from_source_directory

    @functools.wraps(build)
    def where_needed(self: TerraformGraphManager, source_dir: str,
                     local_graph_class: type[TerraformLocalGraph] = TerraformLocalGraph,
                     render_variables: Optional[bool] = None, **kwargs: Any) -> Any:
        if render_variables is None and local_graph_class is TerraformLocalGraph:
            local_graph_class = _RenderingWhereNeeded
        return build(self, source_dir, local_graph_class, render_variables is not False, **kwargs)

    TerraformGraphManager.build_graph_from_source_directory = where_needed  # type: ignore[method-assign,assignment]
    run_block = Runner.run_block

    @functools.wraps(run_block)
    def naming_the_instance(self: Runner, entities: Any, definition_context: Any, full_file_path: TFDefinitionKey,
                            *args: Any, **kwargs: Any) -> Any:
        token = CHECKED_INSTANCE.set(_calls(full_file_path))
        try:
            return run_block(self, entities, definition_context, full_file_path, *args, **kwargs)
        finally:
            CHECKED_INSTANCE.reset(token)

    Runner.run_block = naming_the_instance  # type: ignore[method-assign]
    ForeachAbstractHandler._build_sub_graph = _dependencies_only  # type: ignore[method-assign]
