-- geozones PostGIS schema, version 1: zones, their edit history, other layers, store metadata.
-- {srid} is the storage CRS chosen when the store is created (default 4326; 9213/9215 for VN-2000 TM-3).
CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public;

CREATE TABLE geozones_meta (
    key text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO geozones_meta (key, value) VALUES ('data_version', '0'), ('srid', '{srid}');

CREATE TABLE zones (
    fid bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    name text NOT NULL,
    name_ascii text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('KCN', 'CCN', 'KCX')),
    zone_group text NOT NULL,
    phase text,
    province_pre2025 text NOT NULL,
    district_pre2025 text,
    province text NOT NULL,
    commune text,
    status text NOT NULL,
    status_year integer,
    area_published_ha double precision,
    area_qualifier text,
    investor text,
    occupancy_pct double precision CHECK (occupancy_pct BETWEEN 0 AND 100),
    decision text,
    decision_date date,
    established_year integer,
    target_year integer,
    sources text NOT NULL,
    geometry_quality text NOT NULL,
    location_basis text,
    site_lon double precision,
    site_lat double precision,
    notes text,
    geometry public.geometry(Geometry, {srid}) NOT NULL
        CHECK (public.GeometryType(geometry) IN ('POLYGON', 'MULTIPOLYGON'))
);
CREATE INDEX zones_geometry_gist ON zones USING gist (geometry);

CREATE TABLE zone_history (
    seq bigserial PRIMARY KEY,
    zone_id text NOT NULL,
    version integer NOT NULL,
    op text NOT NULL CHECK (op IN ('create', 'replace', 'update', 'delete', 'restore')),
    actor text NOT NULL,
    at timestamptz NOT NULL,
    etag_before text,
    etag_after text,
    before jsonb,
    after jsonb,
    UNIQUE (zone_id, version)
);

CREATE TABLE geozones_layers (
    name text PRIMARY KEY,
    table_name text NOT NULL UNIQUE,
    srid integer,
    columns jsonb NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now()
);
