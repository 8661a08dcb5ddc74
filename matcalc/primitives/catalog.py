"""Every primitive registered: importing this module loads the records (element-wise, then
the rest), in the order the README and `--help` list them."""
from __future__ import annotations

from . import REGISTRY
from . import scalar, arrays  # noqa: F401  (each registers its records)

__all__ = ["REGISTRY"]
