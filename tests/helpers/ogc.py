"""Assertions shared by the API tests."""

from __future__ import annotations


def assert_ogc_error(response, status: int, *words: str) -> None:
    """The response has ``status`` and an OGC exception body whose description contains ``words``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] and body["description"]
    for word in words:
        assert word in body["description"]
