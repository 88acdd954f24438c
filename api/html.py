"""Server-rendered HTML for the OGC resources (``f=html`` or ``Accept: text/html``), autoescaped jinja2."""

from __future__ import annotations

from functools import lru_cache

from fastapi.responses import HTMLResponse

_BASE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }} - geozones</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;margin:1.5rem auto;max-width:70rem;padding:0 1rem;color:#222}
table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;
vertical-align:top}th{background:#f3f3f3}nav a{margin-right:1rem}code{background:#f3f3f3;padding:0 .2rem}</style>
</head><body>
<nav>{% for crumb in crumbs %}<a href="{{ crumb[1] }}">{{ crumb[0] }}</a>{% endfor %}</nav>
<h1>{{ title }}</h1>
{% block body %}{% endblock %}
<h2>Links</h2><ul>{% for l in links %}<li><a href="{{ l.href }}">{{ l.title or l.rel }}</a>
 (<code>{{ l.rel }}</code>, {{ l.type }})</li>{% endfor %}</ul>
</body></html>"""

#: The landing page in the visitor's language (``tr``: catalogue texts; place names stay Vietnamese).
_LANDING_I18N = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ tr.title }} - geozones</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,"Noto Sans","Noto Sans CJK KR","Noto Sans CJK JP","Noto Sans CJK SC",sans-serif;
margin:1.5rem auto;max-width:70rem;padding:0 1rem;color:#222}code{background:#f3f3f3;padding:0 .2rem}
:lang(ko){word-break:keep-all}:lang(ja){line-break:strict}</style></head><body>
<nav>{% for code, name in langs %}<a href="{{ root }}/?f=html&amp;lang={{ code }}" lang="{{ code }}">{{ name }}</a>
{% if not loop.last %} · {% endif %}{% endfor %}</nav>
<h1>{{ tr.title }}</h1>
<h2>{{ tr.for_investors }}</h2><ul>
<li><a href="{{ root }}/maps/investor?lang={{ lang }}">{{ tr.explorer }}</a>. {{ tr.explorer_langs }}
{% for code, name in langs %}<a href="{{ root }}/maps/investor?lang={{ code }}" lang="{{ code }}">{{ name }}</a>
{% if not loop.last %} · {% endif %}{% endfor %}</li>
<li><a href="{{ root }}/downloads">{{ tr.downloads }}</a>: {{ tr.downloads_what }}</li>
<li>{{ tr.analysis }}: <a href="{{ root }}/analysis/totals">{{ tr.totals }}</a> ·
<a href="{{ root }}/analysis/reconcile">{{ tr.reconcile }}</a> · <a href="{{ root }}/analysis/indicators">{{ tr.indicators }}</a> ·
<a href="{{ root }}/analysis/proximity">{{ tr.proximity }}</a></li>
<li><a href="{{ root }}/maps/zones">{{ tr.zone_map }}</a></li>
<li><a href="{{ root }}/desk?lang={{ lang }}">{{ tr.desk }}</a></li></ul>
<h2>{{ tr.for_gis }}</h2><ul>
<li><a href="{{ root }}/collections?f=html">{{ tr.collections }}</a></li>
<li><a href="{{ root }}/api.html">{{ tr.api }}</a></li></ul>
<p>{{ tr.qgis }}</p>
</body></html>"""

_TEMPLATES = {
    "base.html": _BASE,
    "landing_i18n.html": _LANDING_I18N,
    "landing.html": """{% extends "base.html" %}{% block body %}<p>{{ doc.description }}</p>
<ul><li><a href="{{ root }}/collections?f=html">Collections</a></li>
<li><a href="{{ root }}/conformance?f=html">Conformance</a></li>
<li><a href="{{ root }}/api.html">API definition (OpenAPI 3.0)</a></li></ul>
<h2>For investors</h2><ul>
<li><a href="{{ root }}/maps/investor">Industrial site explorer</a> (map, list, filters, comparison, fact sheets):
{% for code, name in [("vi", "Tiếng Việt"), ("en", "English"), ("ko", "한국어"), ("ja", "日本語"), ("zh-Hans", "简体中文")] %}
<a href="{{ root }}/maps/investor?lang={{ code }}" lang="{{ code }}">{{ name }}</a>{% if not loop.last %} · {% endif %}{% endfor %}</li>
<li><a href="{{ root }}/downloads">Downloads</a> (JSON list of every layer as GeoPackage, GeoJSON, CSV)</li>
<li>Analysis (JSON): <a href="{{ root }}/analysis/totals">zone totals</a> · <a href="{{ root }}/analysis/reconcile">mapped vs published area</a> ·
<a href="{{ root }}/analysis/indicators">programme indicators</a> · <a href="{{ root }}/analysis/proximity">distances</a></li>
<li><a href="{{ root }}/maps/zones">Zone map</a></li></ul>
<p>In QGIS: Layer &gt; Add Layer &gt; Add WFS / OGC API - Features Layer, new connection with URL
<code>{{ root }}</code>.</p>{% endblock %}""",
    "conformance.html": """{% extends "base.html" %}{% block body %}<ul>{% for c in doc.conformsTo %}
<li><code>{{ c }}</code></li>{% endfor %}</ul>{% endblock %}""",
    "collections.html": """{% extends "base.html" %}{% block body %}<table><tr><th>Collection</th><th>Title</th>
<th>Description</th></tr>{% for c in doc.collections %}<tr><td><a href="{{ root }}/collections/{{ c.id }}?f=html">
{{ c.id }}</a></td><td>{{ c.title }}</td><td>{{ c.description }}</td></tr>{% endfor %}</table>{% endblock %}""",
    "collection.html": """{% extends "base.html" %}{% block body %}<p>{{ doc.description }}</p>
<p><a href="{{ root }}/collections/{{ doc.id }}/items?f=html">Browse the items</a> ·
<a href="{{ root }}/collections/{{ doc.id }}/queryables?f=html">Queryables</a></p>
<table><tr><th>Spatial extent (CRS84)</th><td>{{ doc.extent.spatial.bbox[0] | join(', ') }}</td></tr>
{% if doc.extent.temporal %}<tr><th>Temporal extent ({{ doc.extent.temporal.property }})</th>
<td>{{ doc.extent.temporal.interval[0] | map('string') | join(' / ') }}</td></tr>{% endif %}
<tr><th>Storage CRS</th><td><code>{{ doc.storageCrs }}</code></td></tr>
<tr><th>Output CRS</th><td>{% for c in doc.crs %}<code>{{ c }}</code><br>{% endfor %}</td></tr></table>
{% endblock %}""",
    "queryables.html": """{% extends "base.html" %}{% block body %}<table><tr><th>Property</th><th>Type</th>
<th>Description</th></tr>{% for name, q in doc.properties.items() %}<tr><td><code>{{ name }}</code></td>
<td>{{ q.type or q.format or '' }}{% if q.format and q.type %} ({{ q.format }}){% endif %}
{% if q.enum %}: {{ q.enum | join(', ') }}{% endif %}</td><td>{{ q.description or '' }}</td></tr>{% endfor %}
</table>{% endblock %}""",
    "items.html": """{% extends "base.html" %}{% block body %}<p>{{ doc.numberReturned }} of {{ doc.numberMatched }}
matching features.</p><table><tr><th>id</th>{% for c in columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for f in doc.features %}<tr><td><a href="{{ root }}/collections/{{ collection }}/items/{{ f.id | urlencode }}?f=html">
{{ f.id }}</a></td>{% for c in columns %}<td>{{ '' if f.properties[c] is none else f.properties[c] }}</td>
{% endfor %}</tr>{% endfor %}</table>{% endblock %}""",
    "item.html": """{% extends "base.html" %}{% block body %}<table>{% for k, v in doc.properties.items() %}
<tr><th>{{ k }}</th><td>{{ '' if v is none else v }}</td></tr>{% endfor %}
<tr><th>geometry</th><td>{{ doc.geometry_type }}</td></tr></table>{% endblock %}""",
}


@lru_cache(maxsize=1)
def _environment():
    import jinja2

    return jinja2.Environment(loader=jinja2.DictLoader(_TEMPLATES), autoescape=True)


def render(template: str, status_code: int = 200, headers: dict | None = None, **context) -> HTMLResponse:
    """Render one page (every value escaped)."""
    html = _environment().get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code, headers=headers)
