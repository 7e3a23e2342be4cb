"""The pages' own documents are parsed and validated once; other documents every time."""

from unittest import mock

import graphql
import pytest
import strawberry.schema.schema as strawberry_schema

from server.operations import document
from server.schema.extensions import KnownDocuments
from tests.factories import api_token, make_school, make_user


async def post_graphql(client, query, variables=None, *, token, operation_name=None):
    body = {"query": query, "variables": variables or {}}
    if operation_name:
        body["operationName"] = operation_name
    return await client.post("/graphql", json=body, headers={"authorization": f"Bearer {token}"})


async def _viewer_and_token():
    school = await make_school()
    user = await make_user(school)
    return user, await api_token(user)


def _counting(name, real):
    calls = []

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    return calls, mock.patch.object(strawberry_schema, name, counted)


async def test_a_page_document_is_parsed_and_validated_once(client):
    user, token = await _viewer_and_token()
    text = document("Viewer")
    KnownDocuments.parsed.pop(text, None)
    KnownDocuments.valid.discard(text)
    parses, parse_patch = _counting("parse", graphql.parse)
    validations, validate_patch = _counting("validate_document", strawberry_schema.validate_document)
    with parse_patch, validate_patch:
        for _ in range(3):
            r = await post_graphql(client, text, token=token, operation_name="Viewer")
            assert r.json()["data"]["viewer"]["username"] == user.login_name
    assert (len(parses), len(validations)) == (1, 1)


async def test_other_documents_are_parsed_and_validated_every_time(client):
    _, token = await _viewer_and_token()
    parses, parse_patch = _counting("parse", graphql.parse)
    validations, validate_patch = _counting("validate_document", strawberry_schema.validate_document)
    with parse_patch, validate_patch:
        for _ in range(3):
            r = await post_graphql(client, "{ viewer { username } }", token=token)
            assert "errors" not in r.json()
    assert (len(parses), len(validations)) == (3, 3)
    assert "{ viewer { username } }" not in KnownDocuments.parsed


@pytest.mark.parametrize("known", [True, False])
async def test_a_known_document_still_checks_its_variables(client, known):
    _, token = await _viewer_and_token()
    text = document("TargetAggregates") + ("" if known else " ")
    for _ in range(2):
        r = await post_graphql(client, text, {"keyStage": "KS9", "yearGroup": 11}, token=token,
                               operation_name="TargetAggregates")
        error = r.json()["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "'KS9' does not exist in 'KeyStage'" in error["message"]
