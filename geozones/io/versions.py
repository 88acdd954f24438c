"""The version column of exported zone files: each zone's ETag when it was exported.

``geozones export`` writes every zone with an ``etag`` column (the store's ETag of the zone at
export time, the same value as the API's ``ETag`` header). ``geozones store import`` compares it
with the store's current ETag to refuse overwriting a zone edited since the file was exported
(:mod:`geozones.store.imports`); every other reader drops it (:func:`split_etags`).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

#: The column holding each zone's ETag at export time (10 characters at most: a shapefile name).
ETAG_COLUMN = "etag"


def split_etags(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, pd.Series | None]:
    """The frame without its ``etag`` column, and that column (None when the file has none).

    Upper-case ``ETAG`` (a dBASE tool's) counts too; empty cells are None.
    """
    column = next((c for c in frame.columns if str(c).lower() == ETAG_COLUMN), None)
    if column is None:
        return frame, None
    tags = frame[column].map(lambda v: v.strip() if isinstance(v, str) and v.strip() else None)
    return frame.drop(columns=column), tags.rename(ETAG_COLUMN)


__all__ = ["ETAG_COLUMN", "split_etags"]
