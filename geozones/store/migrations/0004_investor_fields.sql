-- Version 4: optional investor fields (issue 11), empty ("not published") unless a published source gives them.
ALTER TABLE zones
    ADD COLUMN IF NOT EXISTS land_price double precision CHECK (land_price >= 0),
    ADD COLUMN IF NOT EXISTS land_price_currency text CHECK (land_price_currency IN ('VND', 'USD')),
    ADD COLUMN IF NOT EXISTS land_price_unit text CHECK (land_price_unit IN ('m2', 'ha')),
    ADD COLUMN IF NOT EXISTS land_price_period text CHECK (land_price_period IN ('year', 'month', 'lease_term', 'purchase')),
    ADD COLUMN IF NOT EXISTS available_land_ha double precision CHECK (available_land_ha >= 0),
    ADD COLUMN IF NOT EXISTS leased_land_ha double precision CHECK (leased_land_ha >= 0),
    ADD COLUMN IF NOT EXISTS power_capacity_mva double precision CHECK (power_capacity_mva >= 0),
    ADD COLUMN IF NOT EXISTS water_capacity_m3_day double precision CHECK (water_capacity_m3_day >= 0),
    ADD COLUMN IF NOT EXISTS wastewater_capacity_m3_day double precision CHECK (wastewater_capacity_m3_day >= 0),
    ADD COLUMN IF NOT EXISTS incentives text,
    ADD COLUMN IF NOT EXISTS contact text,
    ADD COLUMN IF NOT EXISTS investor_info_sources text;
