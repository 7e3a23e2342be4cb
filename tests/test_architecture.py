"""The layering rules of ARCHITECTURE.md and the exported schema."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_layers_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_exported_schema_is_current():
    from server.schema import schema

    exported = (ROOT / "schema.graphql").read_text()
    assert exported == schema.as_str() + "\n", (
        "schema.graphql is out of date: run `.venv/bin/python -m server.schema.export`"
    )


def test_contract_names_are_in_the_schema():
    from server.schema import schema

    text = schema.as_str()
    for piece in ("viewer: Viewer!", "schools(first: Int = 50, after: String = null): SchoolConnection!",
                  "enum OrganisationKind", "enum PupilAccess", "isAdministrator: Boolean!",
                  "pupilAccess: PupilAccess", "laCode: String", "academyChain: Organisation",
                  "localAuthority: Organisation!", "totalCount: Int!", "hasNextPage: Boolean!"):
        assert piece in text, piece


def test_every_operation_document_is_valid():
    from graphql import parse, validate

    from server.operations import documents
    from server.schema import schema

    for name, document in documents().items():
        errors = validate(schema._schema, parse(document))
        assert not errors, (name, errors)
