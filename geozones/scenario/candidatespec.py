"""Reading a scenario's ``candidates:`` block (ranking: :mod:`geozones.scenario.candidates`)."""

from __future__ import annotations

import re

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
#: Most candidate sites one scenario may name.
MAX_CANDIDATES = 200


def parse_candidates(value, builder) -> dict:
    """The validated ``candidates:`` block (``builder``: the scenario model's builder, for errors)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise builder.error("candidates must be a mapping with 'sites' (and optionally 'suitability')", "candidates")
    unknown = sorted(set(value) - {"suitability", "sites"})
    if unknown:
        raise builder.error(f"unknown field {unknown[0]!r} (known: sites, suitability)", f"candidates.{unknown[0]}")
    suitability = value.get("suitability")
    if suitability is not None and not isinstance(suitability, str):
        raise builder.error("suitability must be a file name", "candidates.suitability")
    sites = value.get("sites")
    if not isinstance(sites, list) or not sites:
        raise builder.error("candidates needs a non-empty 'sites' list", "candidates.sites")
    if len(sites) > MAX_CANDIDATES:
        raise builder.error(f"at most {MAX_CANDIDATES} candidate sites", "candidates.sites")
    out = []
    for i, site in enumerate(sites):
        where = f"candidates.sites[{i}]"
        if not isinstance(site, dict):
            raise builder.error("a site is a mapping (id, name, point + ha, or geometry)", where)
        extra = sorted(set(site) - {"id", "name", "point", "ha", "geometry", "source", "assumption"})
        if extra:
            raise builder.error(f"unknown field {extra[0]!r}", f"{where}.{extra[0]}")
        if not isinstance(site.get("id"), str) or not _SLUG.match(site["id"]):
            raise builder.error("id must be a lower-case slug", f"{where}.id")
        if not isinstance(site.get("name"), str):
            raise builder.error("name must be text", f"{where}.name")
        if "geometry" in site:
            if not isinstance(site["geometry"], (str, dict)):
                raise builder.error("geometry is WKT or GeoJSON (WGS84)", f"{where}.geometry")
        else:
            point, ha = site.get("point"), site.get("ha")
            if (
                not isinstance(point, list)
                or len(point) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in point)
            ):
                raise builder.error("point must be [lon, lat]", f"{where}.point")
            if isinstance(ha, bool) or not isinstance(ha, (int, float)) or not 0 < ha <= 10_000:
                raise builder.error("ha must be a positive area (at most 10 000 ha)", f"{where}.ha")
        out.append(dict(site))
    ids = [s["id"] for s in out]
    for dup in sorted({x for x in ids if ids.count(x) > 1}):
        raise builder.error(f"candidate id {dup!r} is used twice", "candidates.sites")
    return {"suitability": suitability, "sites": out}
