"""Load an XYZ vector tile source in real QGIS (Debian python3-qgis, 3.22 LTR), render it, report what QGIS saw.

Run with the system Python: ``/usr/bin/python3 tests/helpers/qgis_vector_tiles.py URL_TEMPLATE W S E N ZOOM``
(the template with ``{z}/{y}/{x}``, the extent in lon/lat, the zoom of the render); prints JSON: whether
the layer is valid, its CRS, and the number of pixels (of a 512 x 512 render, every second one
counted) QGIS painted in the style colour.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsProject,
    QgsRectangle,
    QgsVectorTileBasicRenderer,
    QgsVectorTileLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

app = QgsApplication([], False)
app.initQgis()
template, west, south, east, north = sys.argv[1], *map(float, sys.argv[2:6])
layer = QgsVectorTileLayer(f"type=xyz&url={template}&zmin=0&zmax=16", "tiles")
out = {"qgis": Qgis.QGIS_VERSION, "valid": layer.isValid(), "crs": layer.crs().authid()}
red = QColor(255, 0, 0)
renderer = QgsVectorTileBasicRenderer()
renderer.setStyles(QgsVectorTileBasicRenderer.simpleStyle(red, red, 0.5, red, 1.0, red, red, 3.0))
layer.setRenderer(renderer)
QgsProject.instance().addMapLayer(layer)

to_mercator = QgsCoordinateTransform(
    QgsCoordinateReferenceSystem("EPSG:4326"), QgsCoordinateReferenceSystem("EPSG:3857"), QgsProject.instance()
)
extent = to_mercator.transformBoundingBox(QgsRectangle(west, south, east, north))

settings = QgsMapSettings()
settings.setLayers([layer])
settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
settings.setExtent(extent)
settings.setOutputSize(QSize(512, 512))
settings.setBackgroundColor(QColor(255, 255, 255))
job = QgsMapRendererSequentialJob(settings)
job.start()
job.waitForFinished()
image = job.renderedImage()
painted = 0
for py in range(0, image.height(), 2):
    for px in range(0, image.width(), 2):
        c = QColor(image.pixel(px, py))
        if c.red() > 200 and c.green() < 80 and c.blue() < 80:
            painted += 1
out["painted"] = painted
out["errors"] = [str(e) for e in job.errors()]
print(json.dumps(out), flush=True)
os._exit(0)  # QGIS 3.22 can crash in exitQgis() when run headless
