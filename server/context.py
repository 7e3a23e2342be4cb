"""The per-operation context shared by /graphql and the pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from server.auth.viewer import Viewer
from server.loaders import Loaders
from server.models.enums import AccessVia
from server.permissions.scope import Scope, scope
from server.services.audit import Actor


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

    @property
    def actor(self) -> Actor:
        """Who acts, for the audit log: the viewer's account, through what (a session when
        nothing else is known), the API token and the address."""
        viewer = self.viewer
        return Actor(
            account=viewer.account,
            via=viewer.via or AccessVia.SESSION,
            api_token_id=viewer.api_token.id if viewer.api_token else None,
            ip_address=viewer.ip_address,
        )


def build_context(request, viewer: Viewer | None = None, response=None) -> Context:
    """A new context for each execute: loaders never carry a stale cache across operations."""
    if viewer is None:
        viewer = getattr(request.state, "viewer", None) or Viewer()
    return Context(viewer=viewer, request=request, response=response)
