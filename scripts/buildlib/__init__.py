"""Builders for the shipped data in ``data/`` (run them through ``scripts/build_data.py``).

Modules: :mod:`.output` (the one GeoJSON writer), :mod:`.common` (CRS helpers, paths, licences),
:mod:`.boundaries`, :mod:`.infrastructure`, :mod:`.zones`.
"""
