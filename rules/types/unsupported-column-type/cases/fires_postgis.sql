-- PostGIS columns (the extension itself is reported by ZN6xx unsupported-extension).
CREATE TABLE public.parcels (
    id integer NOT NULL,
    boundary public.geometry(MultiPolygon,4326),
    centroid public.geography(Point,4326),
    tiles public.raster[]
);
