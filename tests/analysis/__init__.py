"""Tests: analysis."""
