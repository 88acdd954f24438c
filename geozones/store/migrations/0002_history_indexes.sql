-- Version 2: find a zone's history and the latest changes quickly.
CREATE INDEX zone_history_zone ON zone_history (zone_id, version DESC);
CREATE INDEX zone_history_at ON zone_history (at DESC);
