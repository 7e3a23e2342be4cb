"""The per-operation context shared by /graphql and the pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from server.auth.viewer import Viewer
from server.loaders import Loaders
from server.permissions.scope import Scope, scope


@dataclass
class Context:
    viewer: Viewer
    request: Any = None
    response: Any = None
    loaders: Loaders = field(default_factory=Loaders)
    # Cookies a mutation asks the page to set (None: clear); pages apply them.
    set_cookies: dict[str, str | None] = field(default_factory=dict)

    @property
    def scope(self) -> Scope:
        return scope(self.viewer)


def build_context(request, viewer: Viewer | None = None, response=None) -> Context:
    """A new context for each execute: loaders never carry a stale cache across operations."""
    if viewer is None:
        viewer = getattr(request.state, "viewer", None) or Viewer()
    return Context(viewer=viewer, request=request, response=response)
