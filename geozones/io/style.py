"""Shared cartographic style: status colours and kind outlines, for QGIS, web and print maps."""

from __future__ import annotations

from xml.sax.saxutils import escape

from geozones.schema import KINDS, STATUSES

#: Fill colour per status (hex), used by the QGIS style, the web maps and print maps.
STATUS_COLORS: dict[str, str] = {
    "planned": "#9ecae1",
    "established": "#fdd835",
    "site_clearance": "#fb8c00",
    "under_construction": "#8e44ad",
    "operating": "#2e7d32",
    "retired": "#9e9e9e",
}

#: Outline per kind: (colour, width in mm, dash pattern name for QGIS / dash array for Leaflet).
KIND_OUTLINES: dict[str, tuple[str, float, str, str | None]] = {
    "KCN": ("#212121", 0.6, "solid", None),
    "CCN": ("#424242", 0.4, "dash", "6 4"),
    "KCX": ("#b71c1c", 0.6, "dot", "2 4"),
    "CNTT": ("#0d47a1", 0.6, "dash dot", "8 3 2 3"),
    "KKTCK": ("#4a148c", 0.8, "dash dot dot", "10 3 2 3 2 3"),
}


def _rgba(hex_color: str, alpha: int = 255) -> str:
    value = hex_color.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{alpha}"


def _symbol(index: int, fill: str) -> str:
    return f"""      <symbol type="fill" name="{index}" alpha="0.8" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" type="QString" value="{_rgba(fill)}"/>
            <Option name="outline_color" type="QString" value="35,35,35,255"/>
            <Option name="outline_style" type="QString" value="solid"/>
            <Option name="outline_width" type="QString" value="0.4"/>
            <Option name="outline_width_unit" type="QString" value="MM"/>
            <Option name="style" type="QString" value="solid"/>
          </Option>
        </layer>
      </symbol>"""


def qgis_status_qml(lang: str = "en") -> str:
    """QGIS QML style: a categorised renderer on ``status`` with one colour per status.

    Readable by QGIS 3.22 LTR and later (``<Option type="Map">`` symbol layers).
    """
    categories, symbols = [], []
    for index, (status, color) in enumerate(STATUS_COLORS.items()):
        label = escape(STATUSES[status][lang], {'"': "&quot;"})
        categories.append(f'      <category render="true" symbol="{index}" value="{status}" label="{label}"/>')
        symbols.append(_symbol(index, color))
    return f"""<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.22.0-Białowieża" styleCategories="Symbology|Labeling">
  <renderer-v2 type="categorizedSymbol" attr="status" forceraster="0" symbollevels="0" enableorderby="0">
    <categories>
{chr(10).join(categories)}
    </categories>
    <symbols>
{chr(10).join(symbols)}
    </symbols>
  </renderer-v2>
  <labeling type="simple">
    <settings calloutType="simple">
      <text-style fieldName="name" fontSize="9" textColor="20,20,20,255" isExpression="0"/>
      <text-buffer bufferDraw="1" bufferSize="0.8" bufferColor="255,255,255,255"/>
      <placement placement="0"/>
    </settings>
  </labeling>
  <layerGeometryType>2</layerGeometryType>
</qgis>
"""


def sld_status(layer_name: str = "zones") -> str:
    """An SLD 1.1 equivalent of :func:`qgis_status_qml` (for the ``styleSLD`` column)."""
    rules = []
    for status, color in STATUS_COLORS.items():
        rules.append(f"""<se:Rule><se:Name>{status}</se:Name>
<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc"><ogc:PropertyIsEqualTo><ogc:PropertyName>status</ogc:PropertyName>
<ogc:Literal>{status}</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
<se:PolygonSymbolizer><se:Fill><se:SvgParameter name="fill">{color}</se:SvgParameter></se:Fill>
<se:Stroke><se:SvgParameter name="stroke">#232323</se:SvgParameter></se:Stroke></se:PolygonSymbolizer></se:Rule>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor xmlns="http://www.opengis.net/sld" version="1.1.0" xmlns:se="http://www.opengis.net/se">
<NamedLayer><se:Name>{escape(layer_name)}</se:Name><UserStyle><se:Name>{escape(layer_name)}</se:Name>
<se:FeatureTypeStyle>{"".join(rules)}</se:FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>
"""


assert set(STATUS_COLORS) == set(STATUSES) and set(KIND_OUTLINES) == set(KINDS)


#: Reference layers (store layer name -> geometry kind, colour, width in mm, QGIS pen style). The web
#: and print maps use the same colours (``maps._base.OVERLAY_STYLES``).
REFERENCE_STYLES: dict[str, tuple[str, str, float, str]] = {
    "boundaries_provinces": ("fill", "#37474f", 0.7, "solid"),
    "boundaries_provinces_2025": ("fill", "#263238", 0.9, "solid"),
    "boundaries_districts": ("fill", "#78909c", 0.3, "dash"),
    "infrastructure_roads": ("line", "#d35400", 0.6, "solid"),
    "infrastructure_railways": ("line", "#212121", 0.5, "dash"),
    "infrastructure_power": ("marker", "#6a1b9a", 2.6, "solid"),
    "infrastructure_hydropower": ("marker", "#0277bd", 2.4, "solid"),
    "infrastructure_border_gates": ("marker", "#b71c1c", 2.8, "solid"),
    "infrastructure_protected_areas": ("marker", "#2e7d32", 2.8, "solid"),
    "infrastructure_destinations": ("marker", "#0d47a1", 2.4, "solid"),
    # the logistics corridor (issue-logistics): wider than the provincial layers, drawn lighter
    "infrastructure_corridor_roads": ("line", "#e67e22", 0.4, "solid"),
    "infrastructure_corridor_railways": ("line", "#616161", 0.4, "dash"),
    "infrastructure_logistics_destinations": ("marker", "#1565c0", 2.4, "solid"),
    "boundaries_population_districts": ("fill", "#b0bec5", 0.2, "dot"),
}
_GEOMETRY_KIND = {
    "Point": "marker",
    "MultiPoint": "marker",
    "LineString": "line",
    "MultiLineString": "line",
    "Polygon": "fill",
    "MultiPolygon": "fill",
}
_QGIS_GEOMETRY_TYPE = {"marker": 0, "line": 1, "fill": 2}


def reference_style(layer: str, geometry_type: str | None = None) -> tuple[str, str, float, str] | None:
    """(kind, colour, width mm, pen style) of a reference layer; by geometry type for unknown layers."""
    if layer in REFERENCE_STYLES:
        return REFERENCE_STYLES[layer]
    kind = _GEOMETRY_KIND.get(geometry_type or "")
    return None if kind is None else (kind, "#546e7a", 0.5 if kind != "marker" else 2.4, "solid")


def qgis_reference_qml(layer: str, geometry_type: str | None = None) -> str | None:
    """QGIS QML: a single-symbol style for a reference layer (outline-only polygons, lines, markers)."""
    style = reference_style(layer, geometry_type)
    if style is None:
        return None
    kind, color, width, pen = style
    if kind == "fill":
        body = f"""<layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" type="QString" value="{_rgba(color, 0)}"/>
            <Option name="style" type="QString" value="no"/>
            <Option name="outline_color" type="QString" value="{_rgba(color)}"/>
            <Option name="outline_style" type="QString" value="{pen}"/>
            <Option name="outline_width" type="QString" value="{width}"/>
            <Option name="outline_width_unit" type="QString" value="MM"/>
          </Option>
        </layer>"""
    elif kind == "line":
        body = f"""<layer class="SimpleLine" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="line_color" type="QString" value="{_rgba(color)}"/>
            <Option name="line_style" type="QString" value="{pen}"/>
            <Option name="line_width" type="QString" value="{width}"/>
            <Option name="line_width_unit" type="QString" value="MM"/>
          </Option>
        </layer>"""
    else:
        body = f"""<layer class="SimpleMarker" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" type="QString" value="{_rgba(color)}"/>
            <Option name="name" type="QString" value="circle"/>
            <Option name="outline_color" type="QString" value="255,255,255,255"/>
            <Option name="outline_width" type="QString" value="0.3"/>
            <Option name="outline_width_unit" type="QString" value="MM"/>
            <Option name="size" type="QString" value="{width}"/>
            <Option name="size_unit" type="QString" value="MM"/>
          </Option>
        </layer>"""
    return f"""<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.22.0-Białowieża" styleCategories="Symbology">
  <renderer-v2 type="singleSymbol" forceraster="0" symbollevels="0" enableorderby="0">
    <symbols>
      <symbol type="{kind}" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
        {body}
      </symbol>
    </symbols>
  </renderer-v2>
  <layerGeometryType>{_QGIS_GEOMETRY_TYPE[kind]}</layerGeometryType>
</qgis>
"""


def sld_reference(layer: str, geometry_type: str | None = None) -> str | None:
    """An SLD 1.1 equivalent of :func:`qgis_reference_qml` (same colour, width and dash)."""
    style = reference_style(layer, geometry_type)
    if style is None:
        return None
    kind, color, width, pen = style
    px = f"{width * 96 / 25.4:.2f}"  # mm at 96 dpi, SLD's pixels
    dash = '<se:SvgParameter name="stroke-dasharray">6 3</se:SvgParameter>' if pen == "dash" else ""
    stroke = (
        f'<se:Stroke><se:SvgParameter name="stroke">{color}</se:SvgParameter>'
        f'<se:SvgParameter name="stroke-width">{px}</se:SvgParameter>{dash}</se:Stroke>'
    )
    if kind == "fill":
        symbolizer = f"<se:PolygonSymbolizer>{stroke}</se:PolygonSymbolizer>"
    elif kind == "line":
        symbolizer = f"<se:LineSymbolizer>{stroke}</se:LineSymbolizer>"
    else:
        symbolizer = (
            "<se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>circle</se:WellKnownName>"
            f'<se:Fill><se:SvgParameter name="fill">{color}</se:SvgParameter></se:Fill>'
            '<se:Stroke><se:SvgParameter name="stroke">#ffffff</se:SvgParameter></se:Stroke></se:Mark>'
            f"<se:Size>{px}</se:Size></se:Graphic></se:PointSymbolizer>"
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor xmlns="http://www.opengis.net/sld" version="1.1.0" xmlns:se="http://www.opengis.net/se">
<NamedLayer><se:Name>{escape(layer)}</se:Name><UserStyle><se:Name>{escape(layer)}</se:Name>
<se:FeatureTypeStyle><se:Rule><se:Name>{escape(layer)}</se:Name>{symbolizer}</se:Rule></se:FeatureTypeStyle>
</UserStyle></NamedLayer></StyledLayerDescriptor>
"""


def default_style(layer: str, geometry_type: str | None, fmt: str) -> str | None:
    """A layer's default style as QGIS QML (``fmt="qml"``) or SLD 1.1 (``"sld"``): zones and scenario
    layers by status, reference layers by :data:`REFERENCE_STYLES`; None when it has none."""
    status = layer == "zones" or layer.startswith("scenario")
    if fmt == "qml":
        return qgis_status_qml() if status else qgis_reference_qml(layer, geometry_type)
    if fmt == "sld":
        return sld_status(layer) if status else sld_reference(layer, geometry_type)
    raise ValueError(f"unknown style format {fmt!r}; choose qml or sld")
