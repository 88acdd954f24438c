"""Small folium elements backed by the vendored ``geozones-maps.js`` (escaped popups, API loading)."""

from __future__ import annotations

import html

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from jinja2 import Template
from markupsafe import Markup

from geozones.maps._assets import CSS, JS, local_links
from geozones.maps.data import safe_json


class GeozonesAssets(JSCSSMixin, MacroElement):
    """Links Leaflet-independent geozones JS/CSS (styles, popups, loaders) into the page header."""

    _template = Template("")
    default_js = local_links(JS, ["geozones_js"])
    default_css = local_links(CSS, ["geozones_css"])


class ZoneLayer(Layer):
    """Zones as a Leaflet GeoJSON layer: embedded data, or fetched from an OGC API items URL.

    Parameters
    ----------
    config : dict
        :func:`maps._text.js_config` (labels, colours, outlines).
    data : dict, optional
        An embedded FeatureCollection (WGS84).
    url : str, optional
        Items URL to fetch instead (follows ``rel=next`` links).
    extras_url : str, optional
        JSON of derived attributes by zone id, merged into the fetched features.
    fit : bool
        Fit the map to the zones once they are loaded.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = geozones.zoneLayer({{ this.config_json }});
        {%- if this.data_json %}
        {{ this.get_name() }}.addData(geozones.prepare({{ this.data_json }}));
        geozones.markReady({{ this.get_name() }}.getLayers().length);
        {%- else %}
        geozones.loadZones({{ this.get_name() }}, {{ this._parent.get_name() }}, {{ this.url_json }},
                           {{ this.extras_json }}, {{ this.fit_json }});
        {%- endif %}
        {%- if this.search %}
        geozones.addSearch({{ this._parent.get_name() }}, {{ this.get_name() }}, {{ this.search_json }});
        {%- endif %}
        {% endmacro %}
    """)

    def __init__(
        self,
        config: dict,
        *,
        data: dict | None = None,
        url: str | None = None,
        extras_url: str | None = None,
        fit: bool = True,
        search: str | None = None,
        name: str = "zones",
        show: bool = True,
    ):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "ZoneLayer"
        self.config_json = Markup(safe_json(config))
        self.data_json = Markup(safe_json(data)) if data is not None else None
        self.url_json = Markup(safe_json(url))
        self.extras_json = Markup(safe_json(extras_url))
        self.fit_json = Markup("true" if fit else "false")
        self.search = search is not None
        self.search_json = Markup(safe_json(search))


class OverlayLayer(Layer):
    """A reference layer (boundaries, roads, grid, destinations, exclusions) with escaped tooltips."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = geozones.overlayLayer({{ this.data_json }}, {{ this.config_json }});
        {% endmacro %}
    """)

    def __init__(
        self,
        data: dict,
        name: str,
        style: dict,
        fields: list[str] | None = None,
        show: bool = True,
        class_name: str | None = None,
    ):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "OverlayLayer"
        style = dict(style, **({"className": class_name} if class_name else {}))
        self.data_json = Markup(safe_json(data))
        self.config_json = Markup(safe_json({"style": style, "fields": fields or ["name"]}))


class PlainBase(Layer):
    """A blank base layer: no tiles, no network (the default; works offline)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.gridLayer({attribution: {{ this.attribution }}});
        {% endmacro %}
    """)

    def __init__(self, name: str, attribution: str = ""):
        super().__init__(name=name, overlay=False, control=True, show=True)
        self._name = "PlainBase"
        self.attribution = Markup(safe_json(attribution))


class Attribution(MacroElement):
    """A line in the map's attribution control (kept whichever base layer is shown)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        if ({{ this._parent.get_name() }}.attributionControl) {
            {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text_json }});
        }
        {% endmacro %}
    """)

    def __init__(self, text: str):
        super().__init__()
        self._name = "Attribution"
        self.text_json = Markup(safe_json(html.escape(text)))


class FitBounds(MacroElement):
    """Fit the map to bounds at once, without a zoom animation (the first view shows every zone)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.fitBounds({{ this.bounds_json }}, {padding: [20, 20], animate: false});
        {% endmacro %}
    """)

    def __init__(self, bounds: list[list[float]]):
        super().__init__()
        self._name = "FitBounds"
        self.bounds_json = Markup(safe_json(bounds))


class HtmlControl(MacroElement):
    """A Leaflet control holding fixed HTML built (and escaped) on the Python side."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var control = L.control({position: {{ this.position_json }}});
            control.onAdd = function () {
                var div = L.DomUtil.create("div", {{ this.class_json }});
                div.innerHTML = {{ this.html_json }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            control.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, html_text: str, position: str = "bottomright", class_name: str = "gz-legend"):
        super().__init__()
        self._name = "HtmlControl"
        self.html_json = Markup(safe_json(html_text))
        self.position_json = Markup(safe_json(position))
        self.class_json = Markup(safe_json(class_name))


def swatch(
    fill: str | None,
    stroke: str,
    dash: str | None = None,
    width: float = 1.5,
    shape: str = "rect",
    pattern: bool = False,
) -> str:
    """A small inline SVG legend symbol."""
    dash_attr = f' stroke-dasharray="{html.escape(dash)}"' if dash else ""
    fill_attr = "url(#gz-hatch)" if pattern else (html.escape(fill) if fill else "none")
    if shape == "circle":
        body = f'<circle cx="9" cy="7" r="5" fill="{fill_attr}" stroke="{html.escape(stroke)}" stroke-width="{width}"{dash_attr}/>'
    elif shape == "line":
        body = f'<line x1="1" y1="7" x2="17" y2="7" stroke="{html.escape(stroke)}" stroke-width="{width}"{dash_attr}/>'
    else:
        body = (
            f'<rect x="1" y="1" width="16" height="12" fill="{fill_attr}" stroke="{html.escape(stroke)}" '
            f'stroke-width="{width}"{dash_attr}/>'
        )
    return f'<svg width="18" height="14" aria-hidden="true">{body}</svg>'


HATCH_DEFS = (
    '<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>'
    '<pattern id="gz-hatch" patternUnits="userSpaceOnUse" width="8" height="8" patternTransform="rotate(45)">'
    '<rect width="8" height="8" fill="#ff00aa" fill-opacity="0.25"/>'
    '<line x1="0" y1="0" x2="0" y2="8" stroke="#c2185b" stroke-width="3"/></pattern></defs></svg>'
)
