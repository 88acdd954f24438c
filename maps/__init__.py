"""Folium map builders: take GeoDataFrames, return folium.Map (used by the API and the CLI)."""
