"""Tests: io."""
