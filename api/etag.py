"""Entity tags for features: the same record gives the same tag whatever the output CRS or format."""

from __future__ import annotations

import hashlib
import math

import orjson
import shapely


def _plain(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def record_etag(properties: dict, geometry) -> str:
    """A strong ETag (quoted) for one stored record: its attributes and its geometry's WKB.

    Parameters
    ----------
    properties : dict
        Attribute values as stored (dates, numpy scalars and NaN are normalised).
    geometry : shapely geometry or None
        In the storage CRS.
    """
    digest = hashlib.sha256()
    digest.update(orjson.dumps({k: _plain(v) for k, v in sorted(properties.items())}, default=str))
    if geometry is not None and not shapely.is_empty(geometry):
        digest.update(shapely.to_wkb(geometry, hex=False, output_dimension=2, byte_order=1))
    return f'"{digest.hexdigest()[:32]}"'
