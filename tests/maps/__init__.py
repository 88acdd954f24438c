"""Tests: maps."""
