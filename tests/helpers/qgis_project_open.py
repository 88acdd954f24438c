"""Open a QGIS project in real QGIS (Debian python3-qgis, 3.22 LTR) and report every layer.

Run with the system Python: ``/usr/bin/python3 tests/qgis_project_open.py project.qgz``; prints JSON.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import Qgis, QgsApplication, QgsProject

app = QgsApplication([], False)
app.initQgis()
project = QgsProject.instance()
ok = project.read(sys.argv[1])
out = {"qgis": Qgis.QGIS_VERSION, "read": ok, "crs": project.crs().authid(), "layers": {}, "groups": {}}
for layer in project.mapLayers().values():
    renderer = layer.renderer() if hasattr(layer, "renderer") else None
    out["layers"][layer.name()] = {
        "valid": layer.isValid(),
        "crs": layer.crs().authid() if layer.isSpatial() else None,
        "count": layer.featureCount(),
        "spatial": layer.isSpatial(),
        "renderer": renderer.type() if renderer else None,
        "attr": renderer.classAttribute() if renderer and hasattr(renderer, "classAttribute") else None,
        "fields": [f.name() for f in layer.fields()],
        "source": layer.source(),
    }
for group in project.layerTreeRoot().findGroups():
    out["groups"][group.name()] = [child.name() for child in group.children()]
print(json.dumps(out, ensure_ascii=False), flush=True)
os._exit(0)  # QGIS 3.22 can crash in exitQgis() when run headless
