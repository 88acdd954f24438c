"""Entity tags for features: the same record gives the same tag whatever the output CRS or format.

The implementation lives in :mod:`geozones.store.records` because the stores check
``If-Match`` inside their write transactions; this module is the API's name for it.
"""

from __future__ import annotations

from geozones.store.records import plain_value, record_etag

__all__ = ["record_etag", "plain_value"]
