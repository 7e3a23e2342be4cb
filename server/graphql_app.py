"""POST /graphql for outside tools (Bearer token) and signed-in browsers; subscriptions over
WebSocket (graphql-transport-ws) at the same path for outside tools with an API token."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from server.auth.tokens import account_for_token
from server.auth.viewer import Viewer, bearer_token
from server.context import Context, build_context
from server.models.enums import AccessVia
from server.pages.rendering import render
from server.schema import schema


class AspireGraphQL(GraphQL):
    async def get_context(self, request, response) -> Context:
        return build_context(request, response=response)

    def encode_json(self, data: object) -> bytes:
        # A large LA's targetAggregates answer is ~300 KB: orjson writes it ~10x faster.
        return orjson.dumps(data)


# multipart_uploads_enabled: the GraphQL multipart request convention (a file such as a
# CTF up to 5 MB as a form part, not base64 in the 64 KB JSON body). A browser session's
# multipart POST still passes the CSRF check (x-csrftoken header or a csrftoken part first);
# tools send a Bearer token and no cookie.
_api = AspireGraphQL(schema, graphql_ide=None, allow_queries_via_get=False,
                     multipart_uploads_enabled=True)



@dataclass
class SocketContext(Context):
    """A WebSocket's context: strawberry puts connection_init's payload here."""

    connection_params: dict | None = None
    token: str | None = None


class AspireSubscriptions(AspireGraphQL):
    """graphql-transport-ws only. Authenticated like the HTTP API, by API token only: in
    connection_init's payload (`{"authorization": "Bearer <token>"}`) or the handshake's
    Authorization header. Session cookies are not accepted here (a page on another site could
    open a socket with them), so there is no CSRF question."""

    async def get_context(self, request, response) -> SocketContext:
        ip = request.client.host if request.client else None
        return SocketContext(viewer=Viewer(via=AccessVia.TOKEN, ip_address=ip), request=request,
                             response=response, token=bearer_token(request.headers))

    async def on_ws_connect(self, context: SocketContext):
        params = context.connection_params or {}
        header = params.get("authorization") or params.get("Authorization")
        plain = (bearer_token({"authorization": header}) if isinstance(header, str) else None) \
            or context.token
        found = await account_for_token(plain) if plain else None
        if found is None:
            raise ConnectionRejectionError({"message": "Send an API token in connection_init's "
                                            "payload as authorization: 'Bearer <token>'.",
                                            "code": "UNAUTHENTICATED"})
        account, token = found
        context.viewer = Viewer(account=account, via=AccessVia.TOKEN, api_token=token,
                                ip_address=context.viewer.ip_address)
        context.token = plain
        return None


# The WebSocket side of /graphql: an ASGI app (an instance, so Starlette's WebSocketRoute hands
# it scope, receive and send rather than a WebSocket session).
graphql_websocket = AspireSubscriptions(
    schema, graphql_ide=None, allow_queries_via_get=False,
    subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
    connection_init_wait_timeout=timedelta(seconds=10), max_subscriptions_per_connection=10,
)


EXAMPLE_QUERY = """# Queries here run as you, with exactly your permissions.
# Outside tools send the same to POST /graphql with "Authorization: Bearer <token>".
query Example {
  viewer { username organisation { kind name urn laCode } }
  schools(first: 10) {
    totalCount
    edges { node { urn name localAuthority { name laCode } academyChain { name } } }
  }
}
"""


def _error(status: int, message: str, code: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status)


async def graphql_endpoint(request: Request) -> Response:
    viewer = request.state.viewer
    if request.method == "GET":
        if viewer.api_token is not None or request.query_params:
            return _error(405, "Send queries with POST; queries over GET are not accepted.", "BAD_USER_INPUT")
        if not viewer.is_authenticated:
            return RedirectResponse("/sign-in?next=/graphql", status_code=303)
        return render(request, "graphql/explorer.html", {"example_query": EXAMPLE_QUERY})
    if not viewer.is_authenticated:
        return _error(
            401,
            "Sign in, or send an API token as 'Authorization: Bearer <token>'.",
            "UNAUTHENTICATED",
        )
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        # The GraphQL multipart request convention (operations, map, then the files): for
        # uploads such as uploadCommonTransferFile. Strawberry reads and checks the parts.
        return await _run(_api, request)
    if content_type != "application/json":
        return _error(415, "Send the query as application/json, or multipart/form-data "
                      "(the GraphQL multipart request convention) to send a file.",
                      "BAD_USER_INPUT")
    body = await request.body()
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _error(400, "The request body is not valid JSON.", "BAD_USER_INPUT")
    if not isinstance(payload, dict):
        return _error(400, "Send one operation as a JSON object; batching is off.", "BAD_USER_INPUT")
    if not isinstance(payload.get("query"), str):
        return _error(400, "The JSON object needs a 'query' string.", "BAD_USER_INPUT")
    variables = payload.get("variables")
    if variables is not None and not isinstance(variables, dict):
        return _error(400, "'variables' must be a JSON object.", "BAD_USER_INPUT")
    return await _run(_api, request)


async def _run(view: AspireGraphQL, request: Request) -> Response:
    try:
        return await view.run(request)
    except HTTPException as error:
        return _error(error.status_code, error.reason, "BAD_USER_INPUT")
