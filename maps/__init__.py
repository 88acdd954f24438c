"""Folium map builders: take GeoDataFrames, return folium.Map (used by the API and the CLI).

The builders only draw: areas, distances and other derived attributes are computed before
(:func:`geozones.analysis.sites.enrich_sites`); the frames are reprojected to EPSG:4326 here,
at the map edge. May import: the core (``geozones.crs``, ``schema``) and ``geozones.maps.data``;
never the store, ``analysis`` computations, ``api`` or ``cli``.

- :func:`investor_map` -- zones by status and kind with escaped bilingual popups;
- :func:`planner_map` -- a scenario over its baseline, exclusions and a suitability raster;
- :func:`render_html` -- the page, with vendored assets served or inlined (works offline);
- :func:`print_map` -- PNG/PDF print maps (matplotlib) in the same styles.
"""

from __future__ import annotations

__all__ = ["investor_map", "planner_map", "render_html", "print_map", "scenario_changes", "static_path"]


def __getattr__(name: str):
    try:
        return _load(name)
    except ImportError as exc:
        if name not in __all__:
            raise
        raise ImportError(
            f"geozones maps need folium, branca and matplotlib: pip install 'geozones[maps]' ({exc})"
        ) from exc


def _load(name: str):
    if name == "investor_map":
        from geozones.maps.investor import investor_map

        return investor_map
    if name in ("planner_map", "scenario_changes"):
        from geozones.maps import planner

        return getattr(planner, name)
    if name == "render_html":
        from geozones.maps._base import render_html

        return render_html
    if name == "print_map":
        from geozones.maps.printmap import print_map

        return print_map
    if name == "static_path":
        from geozones.maps._assets import static_path

        return static_path
    raise AttributeError(name)
