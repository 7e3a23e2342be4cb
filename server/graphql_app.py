"""POST /graphql for outside tools (Bearer token) and signed-in browsers."""

from __future__ import annotations

import json

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from strawberry.asgi import GraphQL

from server.context import Context, build_context
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
