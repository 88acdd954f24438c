-- Version 5: issue 21. Two zone kinds (CNTT concentrated IT park, KKTCK border-gate economic zone), the
-- commune after the 2025 reform and how precisely the site is known.
ALTER TABLE zones DROP CONSTRAINT IF EXISTS zones_kind_check;
ALTER TABLE zones ADD CONSTRAINT zones_kind_check CHECK (kind IN ('KCN', 'CCN', 'KCX', 'CNTT', 'KKTCK'));
ALTER TABLE zones
    ADD COLUMN IF NOT EXISTS commune_2025 text,
    ADD COLUMN IF NOT EXISTS location_precision text
        CHECK (location_precision IN ('1km', 'commune', 'district', 'none'));
