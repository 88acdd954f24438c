"""Open a geozones QGIS project in real QGIS (Debian python3-qgis, 3.22 LTR), report its cartography and
render its default view to a PNG.

Run with the system Python: ``/usr/bin/python3 tests/helpers/qgis_project_render.py project.qgz out.png``;
prints JSON: per layer its renderer, the colours of its symbols, whether labels are on (and their field,
whether overlapping labels are dropped), its field aliases, licence and visibility; the project CRS and
default extent; and how many pixels of the PNG are not background.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import QgsApplication, QgsMapRendererParallelJob, QgsMapSettings, QgsProject
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

app = QgsApplication([], False)
app.initQgis()
project = QgsProject.instance()
ok = project.read(sys.argv[1])
root = project.layerTreeRoot()
out = {"read": ok, "crs": project.crs().authid(), "layers": {}}
extent = project.viewSettings().defaultViewExtent()
out["extent"] = [extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum()]
visible = []
for layer in project.mapLayers().values():
    node = root.findLayer(layer.id())
    info = {"visible": bool(node and node.isVisible()), "spatial": layer.isSpatial()}
    if layer.isSpatial():
        renderer = layer.renderer()
        info["renderer"] = renderer.type()
        info["colors"] = sorted(
            {s.color().name() for s in renderer.symbols(__import__("qgis.core").core.QgsRenderContext())}
        )
        info["widths"] = sorted(
            {
                round(getattr(s, "width", lambda: 0)(), 2)
                for s in renderer.symbols(__import__("qgis.core").core.QgsRenderContext())
            }
        )
        if hasattr(renderer, "categories"):
            info["categories"] = [c.value() for c in renderer.categories()]
        info["labels"] = layer.labelsEnabled()
        if layer.labelsEnabled() and layer.labeling() is not None:
            settings = layer.labeling().settings()
            info["label_field"] = settings.fieldName
            info["label_display_all"] = settings.displayAll
        if info["visible"]:
            visible.append(layer)
    info["aliases"] = {f.name(): f.alias() for f in layer.fields() if f.alias()}
    info["licences"] = list(layer.metadata().licenses())
    info["rights"] = list(layer.metadata().rights())
    out["layers"][layer.name()] = info
order = [layer for layer in root.layerOrder() if layer in visible]
settings = QgsMapSettings()
settings.setLayers(order)
settings.setDestinationCrs(project.crs())
settings.setExtent(extent)
settings.setOutputSize(QSize(1200, 900))
settings.setBackgroundColor(QColor(255, 255, 255))
settings.setFlag(QgsMapSettings.DrawLabeling, True)
job = QgsMapRendererParallelJob(settings)
job.start()
job.waitForFinished()
image = job.renderedImage()
image.save(sys.argv[2], "PNG")
white = QColor(255, 255, 255).rgb()
painted = sum(1 for x in range(0, image.width(), 4) for y in range(0, image.height(), 4) if image.pixel(x, y) != white)
out["painted_share"] = painted / ((image.width() // 4) * (image.height() // 4))
print(json.dumps(out, ensure_ascii=False), flush=True)
os._exit(0)  # QGIS 3.22 can crash in exitQgis() when run headless
