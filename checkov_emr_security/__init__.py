"""checkov-emr-security: Checkov checks for Amazon EMR security-configuration encryption."""
from __future__ import annotations

import os
import sys

__version__ = "0.1.0"


def checks_dir() -> str:
    """The folder to pass to `checkov --external-checks-dir`: the repository's checks/ or its installed copy."""
    installed = os.path.join(os.path.dirname(os.path.abspath(__file__)), "checks")
    if os.path.isdir(installed):
        return installed
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "checks")


def import_pack() -> None:
    """Makes the pack's own modules (`emrsec.*`) importable here, as Checkov does when it loads the folder."""
    if checks_dir() not in sys.path:
        sys.path.insert(0, checks_dir())
