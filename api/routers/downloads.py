"""Downloads: a whole store layer as a file (GeoPackage with the QGIS style, RFC 7946 GeoJSON, CSV+WKT).

The file is written by geozones.io into a private temporary directory, sent, and the
directory is removed once the response has been sent (or at once if writing fails).
"""

from __future__ import annotations

import shutil
import tempfile
from enum import Enum
from pathlib import Path
from typing import Annotated

import pyproj
from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from starlette.background import BackgroundTask
from starlette.responses import FileResponse

from geozones.api.dependencies import StoreDep
from geozones.api.errors import InvalidParameter, NotFound
from geozones.api.serialize import ORJSONResponse
from geozones.store import ZoneStore

router = APIRouter(prefix="/downloads", tags=["downloads"])

#: Layers offered for download: the zones and every geometry layer family of the store.
PREFIXES = ("boundaries_", "infrastructure_", "scenario_")


class DownloadFormat(str, Enum):
    gpkg = "gpkg"
    geojson = "geojson"
    csv = "csv"


MEDIA_TYPES = {
    DownloadFormat.gpkg: "application/geopackage+sqlite3",
    DownloadFormat.geojson: "application/geo+json",
    DownloadFormat.csv: "text/csv; charset=utf-8",
}


def downloadable(store: ZoneStore) -> list[str]:
    """Names of the store layers that can be downloaded."""
    return [n for n in store.layers() if n == "zones" or n.startswith(PREFIXES)]


def parse_crs(value: str) -> pyproj.CRS:
    """``EPSG:9213``, ``9213``, an OGC CRS URI or ``OGC:CRS84`` -> a CRS (400 when unknown)."""
    text = value.strip()
    if text.startswith(("http://www.opengis.net/def/crs/", "https://www.opengis.net/def/crs/")):
        authority, _version, code = text.rstrip("/").split("/")[-3:]
        text = f"{authority}:{code}"
    try:
        crs = pyproj.CRS.from_user_input(int(text) if text.isdigit() else text)
    except (pyproj.exceptions.CRSError, ValueError) as exc:
        raise InvalidParameter(f"crs: {value!r} is not a CRS pyproj knows (e.g. EPSG:9213, EPSG:4326)") from exc
    if not (crs.is_projected or crs.is_geographic):
        raise InvalidParameter(f"crs: {value!r} is neither a projected nor a geographic 2D CRS")
    return crs


def _is_wgs84(crs: pyproj.CRS) -> bool:
    return crs.equals(pyproj.CRS.from_epsg(4326), ignore_axis_order=True)


@router.get(
    "",
    summary="Layers that can be downloaded",
    response_class=ORJSONResponse,
    responses={
        200: {
            "description": "Success",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["layers"],
                        "properties": {"layers": {"type": "array", "items": {"type": "object"}}},
                    }
                }
            },
        }
    },
)
def list_downloads(request: Request, store: StoreDep) -> ORJSONResponse:
    """Each downloadable layer with one link per format."""
    base = str(request.url_for("download_layer", collectionId="__id__"))
    layers = [
        {
            "id": name,
            "links": [
                {
                    "href": f"{base.replace('__id__', name)}?f={fmt.value}",
                    "rel": "enclosure",
                    "type": MEDIA_TYPES[fmt],
                    "title": f"{name} as {fmt.value}",
                }
                for fmt in DownloadFormat
            ],
        }
        for name in downloadable(store)
    ]
    return ORJSONResponse({"layers": layers})


def _write(frame, path: Path, fmt: DownloadFormat, layer: str, crs: pyproj.CRS | None) -> None:
    from geozones import io

    if fmt is DownloadFormat.gpkg:
        io.to_geopackage(frame, path, layer, crs=crs)
    elif fmt is DownloadFormat.geojson:
        io.to_geojson(frame, path)
    else:
        io.to_file(frame, path, crs=crs)


@router.get(
    "/{collectionId}",
    name="download_layer",
    summary="Download a layer as GeoPackage, GeoJSON or CSV",
    response_class=FileResponse,
    responses={
        200: {
            "content": {t: {} for t in MEDIA_TYPES.values()},
            "description": "The layer as a file (Content-Disposition: attachment)",
        },
        400: {"description": "Bad format or CRS"},
        404: {"description": "No such layer"},
    },
)
def download_layer(
    store: StoreDep,
    collection_id: Annotated[str, PathParam(alias="collectionId", description="Store layer, e.g. zones.")],
    f: Annotated[
        DownloadFormat,
        Query(description="gpkg (with the QGIS style), geojson (RFC 7946) or csv (WKT geometry column)."),
    ] = DownloadFormat.gpkg,
    crs: Annotated[
        str | None,
        Query(
            description="Output CRS for gpkg and csv, e.g. EPSG:9213 (VN-2000 / "
            "TM-3 106-30) or EPSG:9215; GeoJSON is always WGS84."
        ),
    ] = None,
) -> FileResponse:
    """The whole layer as a file. GeoPackages of zones carry the status style as the layer's
    default QGIS style (``layer_styles``); CSVs hold the geometry as WKT in a ``wkt`` column."""
    layers = downloadable(store)
    if collection_id not in layers:
        raise NotFound(f"no downloadable layer {collection_id!r}; layers: {', '.join(layers)}")
    target = parse_crs(crs) if crs is not None else None
    is_geojson = f is DownloadFormat.geojson
    if is_geojson and target is not None and not _is_wgs84(target):
        raise InvalidParameter(
            "crs: RFC 7946 GeoJSON is always WGS84 longitude/latitude; use f=gpkg or f=csv for another CRS"
        )
    frame = store.layer(collection_id)
    suffix = f".{f.value}"
    tmpdir = Path(tempfile.mkdtemp(prefix="geozones-download-"))
    path = tmpdir / f"{collection_id}{suffix}"
    try:
        _write(frame, path, f, collection_id, None if is_geojson else target)
    except BaseException:
        shutil.rmtree(tmpdir, ignore_errors=True)
        raise
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[f],
        filename=path.name,
        background=BackgroundTask(shutil.rmtree, tmpdir, ignore_errors=True),
    )
