"""The .graphql documents the pages send; outside tools may use them as examples."""

from __future__ import annotations

import functools
import re
from pathlib import Path

_OPERATION = re.compile(r"^(query|mutation|subscription)\s+(\w+)", re.MULTILINE)


@functools.cache
def documents() -> dict[str, str]:
    """Operation name → the whole document of its file (fragments included)."""
    found: dict[str, str] = {}
    for path in sorted(Path(__file__).parent.glob("*.graphql")):
        text = path.read_text()
        for match in _OPERATION.finditer(text):
            name = match.group(2)
            if name in found:
                raise RuntimeError(f"operation {name} is defined twice")
            found[name] = text
    return found


def document(name: str) -> str:
    return documents()[name]
