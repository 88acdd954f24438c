"""Tests: packaging (the wheel, installed outside the repository)."""
