"""A QGIS project of the whole store: every layer, styled, grouped, in the provincial TM-3 CRS.

:func:`write_qgis_project` writes ``<name>.qgz`` (or ``.qgs``) and, beside it, a GeoPackage
``<name>.gpkg`` holding every store layer in the project CRS (with its default style in
``layer_styles``). The project XML follows the QGIS 3.22 LTR format and refers to the
GeoPackage by a relative path, so the two files can be moved together.
"""

from __future__ import annotations

import os
import uuid
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import Path
from xml.etree import ElementTree as ET

import geopandas as gpd
import pandas as pd
import pyogrio
import pyproj

from geozones import crs as _crs
from geozones.errors import UnsupportedFormatError

QGIS_VERSION = "3.22.16-Białowieża"

#: Layer-tree groups, in display order, and which store layers go in each (by name prefix).
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("zones", ("zones",)),
    ("scenarios", ("scenario_",)),
    ("infrastructure", ("infrastructure_",)),
    ("boundaries", ("boundaries_",)),
    ("tables", ("table_",)),
)

_GEOMETRY = {
    "Polygon": "Polygon",
    "MultiPolygon": "Polygon",
    "LineString": "Line",
    "MultiLineString": "Line",
    "Point": "Point",
    "MultiPoint": "Point",
}


def group_of(name: str) -> str:
    """The layer-tree group of a store layer (``"zones"``, ``"boundaries"``, ...)."""
    for group, prefixes in GROUPS:
        if name == "zones" and group == "zones":
            return group
        if any(name.startswith(p) for p in prefixes if p.endswith("_")):
            return group
    return "other"


def _spatialrefsys(parent: ET.Element, crs: pyproj.CRS) -> None:
    """A QGIS ``<spatialrefsys>``: QGIS 3.22 reads the WKT first, then the authority id."""
    srs = ET.SubElement(parent, "spatialrefsys", nativeFormat="Wkt")
    code = crs.to_epsg()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "you will likely lose information": QGIS only uses it as a fallback
        proj4 = crs.to_proj4() or ""
    acronym = next((p.split("=", 1)[1] for p in proj4.split() if p.startswith("+proj=")), "")
    ellipsoid_id = (crs.ellipsoid.to_json_dict().get("id") or {}) if crs.ellipsoid is not None else {}
    ET.SubElement(srs, "wkt").text = crs.to_wkt("WKT2_2019")
    ET.SubElement(srs, "proj4").text = proj4
    ET.SubElement(srs, "srsid").text = "0"
    ET.SubElement(srs, "srid").text = str(code or 0)
    ET.SubElement(srs, "authid").text = f"EPSG:{code}" if code else ""
    ET.SubElement(srs, "description").text = crs.name
    ET.SubElement(srs, "projectionacronym").text = acronym
    ET.SubElement(srs, "ellipsoidacronym").text = (
        f"{ellipsoid_id['authority']}:{ellipsoid_id['code']}" if ellipsoid_id else ""
    )
    ET.SubElement(srs, "geographicflag").text = "true" if crs.is_geographic else "false"


def _symbol(kind: str, color: str, name: str = "0") -> ET.Element:
    symbol = ET.Element("symbol", type=kind, name=name, alpha="1", clip_to_extent="1", force_rhr="0")
    if kind == "fill":
        layer_class, options = (
            "SimpleFill",
            {
                "color": color,
                "outline_color": "60,60,60,255",
                "outline_width": "0.5",
                "outline_width_unit": "MM",
                "style": "no",
                "outline_style": "solid",
            },
        )
    elif kind == "line":
        layer_class, options = (
            "SimpleLine",
            {"line_color": color, "line_width": "0.6", "line_width_unit": "MM", "line_style": "solid"},
        )
    else:
        layer_class, options = (
            "SimpleMarker",
            {"color": color, "outline_color": "35,35,35,255", "size": "3", "size_unit": "MM", "name": "circle"},
        )
    layer = ET.SubElement(symbol, "layer", {"class": layer_class, "enabled": "1", "locked": "0", "pass": "0"})
    option_map = ET.SubElement(layer, "Option", type="Map")
    for key, value in options.items():
        ET.SubElement(option_map, "Option", name=key, type="QString", value=value)
    return symbol


def _single_symbol(kind: str, color: str) -> ET.Element:
    renderer = ET.Element("renderer-v2", type="singleSymbol", forceraster="0", symbollevels="0", enableorderby="0")
    symbols = ET.SubElement(renderer, "symbols")
    symbols.append(_symbol(kind, color))
    return renderer


#: Style per group: (symbol kind -> colour) for single-symbol layers.
_COLORS = {"boundaries": "90,90,90,255", "infrastructure": "200,60,30,255", "other": "30,90,200,255"}


#: Roads by class: (label, colour, width mm), widest first. Documented in docs/gis-files.md.
ROAD_CLASSES = {
    "national_highway": ("Quốc lộ / National highway", "211,84,0,255", "1.0"),
    "provincial_road": ("Đường tỉnh / Provincial road", "240,170,40,255", "0.6"),
}

#: Labels per layer: (field, size pt, colour, placement, priority 0-10) -- QGIS 3.22 placement 0 around
#: a point / 1 over the centroid / 2 along a line; overlapping labels are not drawn (``displayAll="0"``),
#: every labelled layer is an obstacle, and where labels compete the higher priority wins (zones first).
LABELS = {
    "zones": ("name", "9", "20,20,20,255", "1", "10"),
    "boundaries_districts": ("name", "8", "84,110,122,255", "1", "3"),
    "boundaries_provinces": ("name", "12", "38,50,56,255", "1", "6"),
    "infrastructure_border_gates": ("name", "8", "183,28,28,255", "0", "8"),
    "infrastructure_roads": ("ref", "7", "130,50,0,255", "2", "4"),
}


def _labeling(name: str) -> ET.Element | None:
    spec = LABELS.get(name)
    if spec is None and name.startswith("scenario_"):
        spec = LABELS["zones"]
    if spec is None:
        return None
    field, size, color, placement, priority = spec
    labeling = ET.Element("labeling", type="simple")
    settings = ET.SubElement(labeling, "settings", calloutType="simple")
    ET.SubElement(
        settings,
        "text-style",
        fieldName=field,
        fontSize=size,
        fontFamily="Noto Sans",
        textColor=color,
        isExpression="0",
        fontSizeUnit="Point",
    )
    ET.SubElement(settings, "text-buffer", bufferDraw="1", bufferSize="0.8", bufferColor="255,255,255,255")
    ET.SubElement(
        settings,
        "placement",
        placement=placement,
        priority=priority,
        dist="1",
        repeatDistance="60" if placement == "2" else "0",
        repeatDistanceUnits="MM",
    )
    ET.SubElement(
        settings,
        "rendering",
        displayAll="0",  # a label that would overlap another is left out: collision handling
        obstacle="1",
        obstacleType="1",
        labelPerPart="0",
        mergeLines="1" if placement == "2" else "0",
        upsidedownLabels="0",
        drawLabels="1",
    )
    return labeling


def _categorized(attr: str, kind: str, classes: Mapping[str, tuple[str, str, str]]) -> ET.Element:
    renderer = ET.Element(
        "renderer-v2", type="categorizedSymbol", attr=attr, forceraster="0", symbollevels="0", enableorderby="0"
    )
    categories = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for index, (value, (label, color, width)) in enumerate(classes.items()):
        ET.SubElement(categories, "category", render="true", symbol=str(index), value=value, label=label)
        symbol = _symbol(kind, color, str(index))
        for option in symbol.iter("Option"):
            if option.get("name") == "line_width":
                option.set("value", width)
        symbols.append(symbol)
    return renderer


def _style_elements(name: str, geometry: str, frame: gpd.GeoDataFrame) -> list[ET.Element]:
    """Renderer and labels for a layer: zones and scenarios by status, roads by class, every reference
    layer with its own colour and line style (:data:`geozones.io.style.REFERENCE_STYLES`)."""
    from geozones.io.style import qgis_reference_qml, qgis_status_qml

    labeling = _labeling(name)
    if geometry == "Polygon" and "status" in frame.columns:
        status = ET.fromstring(qgis_status_qml().split("\n", 1)[1])
        renderer = status.find("renderer-v2")
        return [e for e in (renderer, labeling if labeling is not None else status.find("labeling")) if e is not None]
    if name == "infrastructure_roads" and "class" in frame.columns:
        return [e for e in (_categorized("class", "line", ROAD_CLASSES), labeling) if e is not None]
    reference = qgis_reference_qml(name, str(frame.geometry.geom_type.dropna().iloc[0]) if len(frame) else None)
    if reference is not None:
        renderer = ET.fromstring(reference.split("\n", 1)[1]).find("renderer-v2")
        return [e for e in (renderer, labeling) if e is not None]
    group = group_of(name)
    kind = {"Polygon": "fill", "Line": "line", "Point": "marker"}[geometry]
    color = _COLORS.get(group, _COLORS["other"])
    return [e for e in (_single_symbol(kind, color), labeling) if e is not None]


#: Vietnamese names of the attributes, shown by QGIS as field aliases (attribute table, forms, identify).
FIELD_ALIASES_VI = {
    "id": "Mã",
    "name": "Tên",
    "name_ascii": "Tên (không dấu)",
    "name_en": "Tên tiếng Anh",
    "kind": "Loại (KCN/CCN/KCX)",
    "zone_group": "Khu (nhóm giai đoạn)",
    "phase": "Giai đoạn",
    "province_pre2025": "Tỉnh (trước 1/7/2025)",
    "district_pre2025": "Huyện (trước 1/7/2025)",
    "province": "Tỉnh (từ 1/7/2025)",
    "commune": "Xã",
    "status": "Trạng thái",
    "status_year": "Năm của trạng thái",
    "area_published_ha": "Diện tích công bố (ha)",
    "area_qualifier": "Ghi chú diện tích",
    "investor": "Chủ đầu tư hạ tầng",
    "occupancy_pct": "Tỷ lệ lấp đầy (%)",
    "decision": "Quyết định",
    "decision_date": "Ngày quyết định",
    "established_year": "Năm thành lập",
    "target_year": "Năm mục tiêu",
    "sources": "Nguồn",
    "geometry_quality": "Chất lượng ranh giới",
    "location_basis": "Cơ sở vị trí",
    "notes": "Ghi chú",
    "class": "Cấp đường / loại",
    "ref": "Số hiệu",
    "level": "Cấp hành chính",
    "period": "Thời kỳ",
    "licence": "Giấy phép",
    "attribution": "Ghi công",
}

#: Layers left unchecked: one boundary period is shown (the pre-2025 provinces the zones name).
HIDDEN = ("boundaries_provinces_2025",)


def write_qgis_project(
    layers: Mapping[str, gpd.GeoDataFrame | pd.DataFrame],
    path: str | os.PathLike,
    *,
    crs: pyproj.CRS | str | int,
    title: str = "geozones",
    extent: tuple[float, float, float, float] | None = None,
) -> Path:
    """Write a QGIS project (``.qgz`` or ``.qgs``) and its data GeoPackage beside it.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame or DataFrame
        Store layers by name; tables (no geometry) become attribute-table layers.
    path : path-like
        ``project.qgz`` (zipped, what QGIS saves by default) or ``project.qgs``.
    crs : CRS-like
        Project CRS and the CRS the layers are written in (the provincial VN-2000 TM-3,
        e.g. ``"EPSG:9213"``).
    title : str
        Project title.
    extent : (xmin, ymin, xmax, ymax), optional
        The view the project opens on, in ``crs`` (the user's province); default: every layer.

    Returns
    -------
    pathlib.Path
        The project file. The data is in ``path.with_suffix(".gpkg")``.
    """
    from geozones.io import replace_atomically, write_gpkg_layer

    path = Path(path)
    if path.suffix.lower() not in (".qgz", ".qgs"):
        raise UnsupportedFormatError(f"{path.name}: a QGIS project is a .qgz or .qgs file")
    target = pyproj.CRS.from_user_input(crs)
    data = path.with_suffix(".gpkg")
    ordered = sorted(layers, key=lambda n: ([g for g, _ in GROUPS] + ["other"]).index(group_of(n)))

    def write_data(tmp: str) -> None:
        for name in ordered:
            frame = layers[name]
            if isinstance(frame, gpd.GeoDataFrame):
                _crs.require_crs(frame, name)
                write_gpkg_layer(frame.to_crs(target), tmp, name)
            else:
                table = pd.DataFrame(frame).reset_index(drop=True)
                pyogrio.write_dataframe(
                    table.astype(object).where(table.notna(), None),
                    tmp,
                    layer=name,
                    driver="GPKG",
                    layer_options={"OVERWRITE": "YES"},
                )

    replace_atomically(data, write_data)
    qgs = _project_xml(layers, ordered, data.name, target, title, extent)
    text = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(qgs, encoding="unicode")
    if path.suffix.lower() == ".qgs":
        replace_atomically(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    else:

        def write_zip(tmp: str) -> None:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr(path.with_suffix(".qgs").name, text.encode("utf-8"))

        replace_atomically(path, write_zip)
    return path


def _metadata(layer: ET.Element, name: str, frame) -> None:
    """QGIS layer metadata: title, abstract, licence and attribution (from the layer's own columns)."""
    meta = ET.SubElement(layer, "resourceMetadata")
    ET.SubElement(meta, "identifier").text = name
    ET.SubElement(meta, "title").text = name
    ET.SubElement(meta, "type").text = "dataset"
    ET.SubElement(meta, "language").text = "vie"

    def most(column: str) -> str | None:
        if column not in frame.columns:
            return None
        values = frame[column].dropna().astype(str)
        return values.value_counts().index[0] if len(values) else None

    licence = most("licence") or (
        "Tổng hợp của geozones từ các nguồn công bố ghi trong cột sources" if name == "zones" else None
    )
    attribution = most("attribution") or ("Xem cột sources của từng khu" if name == "zones" else None)
    ET.SubElement(meta, "abstract").text = f"geozones: {name}" + (f". {attribution}" if attribution else "")
    if attribution:
        ET.SubElement(meta, "rights").text = attribution
    licences = ET.SubElement(meta, "licenses")
    if licence:
        ET.SubElement(licences, "license").text = licence


def _aliases(layer: ET.Element, frame) -> None:
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    columns = [c for c in frame.columns if c != geometry]
    aliases = ET.SubElement(layer, "aliases")
    for index, column in enumerate(columns):
        ET.SubElement(aliases, "alias", field=str(column), index=str(index), name=FIELD_ALIASES_VI.get(str(column), ""))


def _view(root: ET.Element, crs: pyproj.CRS, extent) -> None:
    xmin, ymin, xmax, ymax = (f"{v:.3f}" for v in extent)
    canvas = ET.SubElement(root, "mapcanvas", name="theMapCanvas", annotationsVisible="1")
    ET.SubElement(canvas, "units").text = "meters" if not crs.is_geographic else "degrees"
    box = ET.SubElement(canvas, "extent")
    for tag, value in zip(("xmin", "ymin", "xmax", "ymax"), (xmin, ymin, xmax, ymax), strict=True):
        ET.SubElement(box, tag).text = value
    ET.SubElement(canvas, "rotation").text = "0"
    _spatialrefsys(ET.SubElement(canvas, "destinationsrs"), crs)
    settings = ET.SubElement(root, "ProjectViewSettings", UseProjectScales="0", rotation="0")
    ET.SubElement(settings, "Scales")
    default = ET.SubElement(settings, "DefaultViewExtent", xmin=xmin, ymin=ymin, xmax=xmax, ymax=ymax)
    _spatialrefsys(default, crs)


def _project_xml(layers, ordered: list[str], data_name: str, crs: pyproj.CRS, title: str, extent=None) -> ET.Element:
    root = ET.Element("qgis", projectname=title, version=QGIS_VERSION)
    ET.SubElement(root, "homePath", path="")
    ET.SubElement(root, "title").text = title
    ET.SubElement(root, "autotransaction", active="0")
    ET.SubElement(root, "evaluateDefaultValues", active="0")
    ET.SubElement(root, "trust", active="0")
    _spatialrefsys(ET.SubElement(root, "projectCrs"), crs)
    if extent is not None:
        _view(root, crs, extent)
    ids = {name: f"{name}_{uuid.uuid5(uuid.NAMESPACE_URL, 'geozones/' + name).hex}" for name in ordered}
    tree = ET.SubElement(root, "layer-tree-group")
    ET.SubElement(tree, "customproperties")
    groups: dict[str, ET.Element] = {}
    for name in ordered:
        group = group_of(name)
        if group not in groups:
            groups[group] = ET.SubElement(tree, "layer-tree-group", name=group, checked="Qt::Checked", expanded="1")
            ET.SubElement(groups[group], "customproperties")
        entry = ET.SubElement(
            groups[group],
            "layer-tree-layer",
            id=ids[name],
            name=name,
            source=f"./{data_name}|layername={name}",
            providerKey="ogr",
            checked="Qt::Checked" if group != "tables" and name not in HIDDEN else "Qt::Unchecked",
            expanded="0",
        )
        ET.SubElement(entry, "customproperties")
    project_layers = ET.SubElement(root, "projectlayers")
    for name in ordered:
        frame = layers[name]
        spatial = isinstance(frame, gpd.GeoDataFrame)
        geometry = "No geometry"
        if spatial:
            types = frame.geometry.geom_type.dropna().unique()
            geometry = _GEOMETRY.get(str(types[0]), "Polygon") if len(types) else "Polygon"
        layer = ET.SubElement(
            project_layers,
            "maplayer",
            type="vector",
            geometry=geometry,
            autoRefreshTime="0",
            autoRefreshEnabled="0",
            refreshOnNotifyEnabled="0",
            readOnly="0",
            hasScaleBasedVisibilityFlag="0",
            styleCategories="AllStyleCategories",
        )
        ET.SubElement(layer, "id").text = ids[name]
        ET.SubElement(layer, "datasource").text = f"./{data_name}|layername={name}"
        ET.SubElement(layer, "layername").text = name
        if spatial:
            _spatialrefsys(ET.SubElement(layer, "srs"), crs)
        ET.SubElement(layer, "provider", encoding="UTF-8").text = "ogr"
        _metadata(layer, name, frame)
        _aliases(layer, frame)
        if spatial:
            for element in _style_elements(name, geometry, frame):
                layer.append(element)
            if layer.find("labeling") is not None:
                layer.set("labelsEnabled", "1")
    order = ET.SubElement(root, "layerorder")
    for name in ordered:
        ET.SubElement(order, "layer", id=ids[name])
    properties = ET.SubElement(root, "properties")
    paths = ET.SubElement(properties, "Paths")
    ET.SubElement(paths, "Absolute", type="bool").text = "false"
    srs = ET.SubElement(properties, "SpatialRefSys")
    ET.SubElement(srs, "ProjectionsEnabled", type="int").text = "1"
    return root


__all__ = ["FIELD_ALIASES_VI", "GROUPS", "LABELS", "ROAD_CLASSES", "group_of", "write_qgis_project"]
