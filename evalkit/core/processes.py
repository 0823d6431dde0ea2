"""Child Python processes that must run this very evalkit: the report notebook's kernel and the
analysis beside it."""

from __future__ import annotations

import os
import site
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
"""The folder holding the evalkit package: site-packages, or a checkout."""


def child_environment() -> dict[str, str]:
    """This environment, with this evalkit importable by a child Python even from an uninstalled
    checkout (the child inherits the environment; nothing else reaches it before it starts)."""
    site_dirs = {str(Path(p).resolve()) for p in [*site.getsitepackages(), site.getusersitepackages()]}
    if ROOT in site_dirs:  # installed normally: the child finds it anyway
        return dict(os.environ)
    return os.environ | {"PYTHONPATH": os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p)}
