"""Vendored Leaflet and plugin assets: served from ``/maps/static`` or inlined into one HTML file.

Folium links Leaflet, jQuery, Bootstrap and its plugins from CDNs, so a map opened without
internet would not work at all. The maps here use only Leaflet 1.9.3 (folium 0.20's version)
and three plugins, vendored under ``maps/static/`` with their licence files:

=====================  ========  ==========================================
asset                  licence   source (npm)
=====================  ========  ==========================================
leaflet/               BSD-2     leaflet@1.9.3
leaflet-fullscreen/    MIT       leaflet.fullscreen@3.0.0
leaflet-measure/       MIT       leaflet-measure@2.1.7
leaflet-search/        MIT       leaflet-search@2.9.7
geozones/              MIT       this project (styles, popups, API loading)
=====================  ========  ==========================================
"""

from __future__ import annotations

import base64
import mimetypes
import re
from geozones.errors import MissingFileError
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
#: Placeholder base URL written into rendered HTML, replaced when the page is finalised.
PLACEHOLDER = "geozones-static:/"

#: Link name -> local file, for every asset a geozones map needs.
JS: dict[str, str] = {
    "leaflet": "leaflet/leaflet.js",
    "Control.Fullscreen.js": "leaflet-fullscreen/Control.FullScreen.js",
    "leaflet_measure_js": "leaflet-measure/leaflet-measure.min.js",
    "Leaflet.Search.js": "leaflet-search/leaflet-search.min.js",
    "geozones_js": "geozones/geozones-maps.js",
}
CSS: dict[str, str] = {
    "leaflet_css": "leaflet/leaflet.css",
    "Control.FullScreen.css": "leaflet-fullscreen/Control.FullScreen.css",
    "leaflet_measure_css": "leaflet-measure/leaflet-measure.css",
    "Leaflet.Search.css": "leaflet-search/leaflet-search.min.css",
    "geozones_css": "geozones/geozones-maps.css",
}


def local_links(names: dict[str, str], wanted: list[str]) -> list[tuple[str, str]]:
    """``[(name, placeholder URL)]`` for the named assets (what folium's ``default_js`` holds)."""
    return [(name, PLACEHOLDER + names[name]) for name in wanted]


def static_path(relative: str) -> Path:
    """The vendored file for a URL path below ``/maps/static/``; ``FileNotFoundError`` outside it."""
    path = (STATIC_DIR / relative).resolve()
    if STATIC_DIR not in path.parents or not path.is_file():
        raise MissingFileError(f"no static map asset {relative!r}")
    return path


_SCRIPT = re.compile(r'<script src="' + re.escape(PLACEHOLDER) + r'([^"]+)"></script>')
_LINK = re.compile(r'<link rel="stylesheet" href="' + re.escape(PLACEHOLDER) + r'([^"]+)"/>')
_CSS_URL = re.compile(r"url\((['\"]?)(?!data:|#|https?:)([^)'\"]+)\1\)")


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _inline_css(relative: str) -> str:
    path = static_path(relative)

    def replace(match: re.Match) -> str:
        target = (path.parent / match.group(2)).resolve()
        return f"url({_data_uri(target)})" if target.is_file() else "none"

    return "<style>\n" + _CSS_URL.sub(replace, path.read_text(encoding="utf-8")) + "\n</style>"


def _inline_js(relative: str) -> str:
    code = static_path(relative).read_text(encoding="utf-8").replace("</script", "<\\/script")
    return "<script>\n" + code + "\n</script>"


def finalise(html: str, base_url: str | None) -> str:
    """Point the placeholder links at ``base_url`` (served maps) or inline every asset (``None``)."""
    if base_url is not None:
        return html.replace(PLACEHOLDER, base_url.rstrip("/") + "/")
    html = _SCRIPT.sub(lambda m: _inline_js(m.group(1)), html)
    return _LINK.sub(lambda m: _inline_css(m.group(1)), html)
