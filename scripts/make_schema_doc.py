"""Write docs/schema.md from geozones.schema (tests/test_schema_doc.py keeps it in sync).

Run: ``.venv/bin/python scripts/make_schema_doc.py``.
"""

from pathlib import Path

from geozones.schema import schema_markdown

if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "docs" / "schema.md"
    target.write_text(schema_markdown(), encoding="utf-8")
    print(f"wrote {target}")
