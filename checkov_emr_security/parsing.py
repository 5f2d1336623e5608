"""One HCL parse per file for Checkov and the pack.

Checkov parses every Terraform file it reads (`hcl2.load`, in `checkov.terraform.parser_utils`), and the pack
parses the module folders again to evaluate resources from their source (`emrsec.terraform_scope.load_document`):
on a module repository that is a fifth of the scan. Both read the file as UTF-8 without a byte-order mark and
hand the text to the same parser, so the parse is shared, keyed by the text. Checkov changes what it gets
(it cleans definitions in place): it gets a copy.
"""
from __future__ import annotations

import copy
from typing import Any


def share_hcl_parses() -> None:
    import hcl2.api
    from emrsec.terraform_scope import parse_hcl

    parse = hcl2.api.loads

    def loads(text: str) -> Any:
        try:
            return copy.deepcopy(parse_hcl(text))
        except RecursionError:  # nested deeper than copying goes: parse again, as Checkov would have
            return parse(text)

    hcl2.api.loads = loads  # what `hcl2.load`, Checkov's entry, calls
