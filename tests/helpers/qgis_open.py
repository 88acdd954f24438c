"""Open GeoPackage layers in real QGIS (Debian python3-qgis, 3.22 LTR) and report what QGIS sees.

Run with the system Python: ``/usr/bin/python3 tests/qgis_open.py "file.gpkg|layer" ...``; prints JSON.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import Qgis, QgsApplication, QgsVectorLayer

app = QgsApplication([], False)
app.initQgis()
out = {"qgis": Qgis.QGIS_VERSION}
for spec in sys.argv[1:]:
    path, layer = spec.split("|")
    lyr = QgsVectorLayer(f"{path}|layername={layer}", layer, "ogr")
    renderer = lyr.renderer()
    out[spec] = {
        "valid": lyr.isValid(),
        "crs": lyr.crs().authid(),
        "count": lyr.featureCount(),
        "fields": [f.name() for f in lyr.fields()],
        "renderer": renderer.type() if renderer else None,
        "attr": renderer.classAttribute() if renderer and hasattr(renderer, "classAttribute") else None,
        "categories": len(renderer.categories()) if renderer and hasattr(renderer, "categories") else 0,
        "names": sorted(str(f["name"]) for f in lyr.getFeatures())[:3] if "name" in lyr.fields().names() else [],
        "symbol_color": renderer.symbol().color().name() if renderer and renderer.type() == "singleSymbol" else None,
        "invalid_geometries": sum(1 for f in lyr.getFeatures() if f.hasGeometry() and not f.geometry().isGeosValid()),
    }
print(json.dumps(out, ensure_ascii=False), flush=True)
os._exit(0)  # QGIS 3.22 can crash in exitQgis() when run headless; everything needed is printed
