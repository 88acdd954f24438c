"""Test helpers shared by the test areas (tests never import other test modules)."""
