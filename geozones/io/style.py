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
}


def _rgba(hex_color: str, alpha: int = 255) -> str:
    value = hex_color.lstrip("#")
    r, g, b = (int(value[i:i + 2], 16) for i in (0, 2, 4))
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
<se:FeatureTypeStyle>{''.join(rules)}</se:FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>
"""


assert set(STATUS_COLORS) == set(STATUSES) and set(KIND_OUTLINES) == set(KINDS)
