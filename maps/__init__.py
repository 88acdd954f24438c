"""Folium map builders: take GeoDataFrames, return folium.Map (used by the API and the CLI).

- :func:`investor_map` -- zones by status and kind with escaped bilingual popups;
- :func:`planner_map` -- a scenario over its baseline, exclusions and a suitability raster;
- :func:`render_html` -- the page, with vendored assets served or inlined (works offline);
- :func:`print_map` -- PNG/PDF print maps (matplotlib) in the same styles.
"""

from __future__ import annotations

__all__ = ["investor_map", "planner_map", "render_html", "print_map", "scenario_changes", "store_layers"]


def __getattr__(name: str):
    try:
        return _load(name)
    except ImportError as exc:
        if name not in __all__:
            raise
        raise ImportError(f"geozones maps need folium, branca and matplotlib: pip install 'geozones[maps]' ({exc})") \
            from exc


def _load(name: str):
    if name == "investor_map":
        from maps.investor import investor_map

        return investor_map
    if name in ("planner_map", "scenario_changes"):
        from maps import planner

        return getattr(planner, name)
    if name == "render_html":
        from maps._base import render_html

        return render_html
    if name == "print_map":
        from maps.printmap import print_map

        return print_map
    if name == "store_layers":
        from maps._data import store_layers

        return store_layers
    raise AttributeError(name)
