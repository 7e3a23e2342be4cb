"""`python -m server.schema.export` writes schema.graphql at the project root."""

from pathlib import Path

from server.schema import schema

if __name__ == "__main__":
    target = Path(__file__).resolve().parents[2] / "schema.graphql"
    target.write_text(schema.as_str() + "\n")
    print(f"wrote {target}")
