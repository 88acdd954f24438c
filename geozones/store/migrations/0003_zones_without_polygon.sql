-- Version 3: a zone may have no polygon yet (only a site marker, as some shipped records): geometry is optional.
ALTER TABLE zones ALTER COLUMN geometry DROP NOT NULL;
ALTER TABLE zones DROP CONSTRAINT zones_geometry_check;
ALTER TABLE zones ADD CONSTRAINT zones_geometry_check
    CHECK (geometry IS NULL OR public.GeometryType(geometry) IN ('POLYGON', 'MULTIPOLYGON'));
