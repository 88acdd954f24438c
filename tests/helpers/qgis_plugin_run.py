"""Install the geozones plugin zip into headless QGIS 3.22 (Debian python3-qgis) and run its algorithms.

``/usr/bin/python3 tests/helpers/qgis_plugin_run.py plugin.zip workdir zones_file scenario_file``;
GEOZONES_CLI and GEOZONES_STORE come from the environment. Prints JSON: the provider's algorithms and,
per algorithm run, its result and what QGIS makes of the layers it wrote.
"""

import json
import os
import sys
import zipfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.append("/usr/share/qgis/python/plugins")  # QGIS's own Processing framework
from qgis.core import QgsApplication, QgsProcessingFeedback, QgsVectorLayer

app = QgsApplication([], False)
app.initQgis()
from processing.core.Processing import Processing

Processing.initialize()
import processing

archive, work, zones_file, scenario_file = sys.argv[1:5]
zipfile.ZipFile(archive).extractall(work)
sys.path.insert(0, work)
import geozones_qgis

plugin = geozones_qgis.classFactory(None)
plugin.initProcessing()
registry = QgsApplication.processingRegistry()
out = {"algorithms": sorted(a.id() for a in registry.providerById("geozones").algorithms())}


def layers_of(path):
    import sqlite3

    with sqlite3.connect(path) as db:
        names = [r[0] for r in db.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'")]
    seen = {}
    for name in names:
        layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
        seen[name] = {"valid": layer.isValid(), "count": layer.featureCount(), "crs": layer.crs().authid()}
    return seen


feedback = QgsProcessingFeedback()
runs = {}
result = processing.run("geozones:validate", {"INPUT": zones_file}, feedback=feedback)
runs["validate"] = {"VALID": result["VALID"], "REPORT": result["REPORT"]}
result = processing.run("geozones:import", {"INPUT": zones_file, "DRY_RUN": True}, feedback=feedback)
runs["import"] = {"REPORT": result["REPORT"]}
export = os.path.join(work, "export.gpkg")
result = processing.run("geozones:export", {"LAYER": "zones", "CRS": "EPSG:9215", "OUTPUT": export}, feedback=feedback)
runs["export"] = layers_of(result["OUTPUT"])
proximity = os.path.join(work, "proximity.gpkg")
result = processing.run("geozones:proximity", {"OUTPUT": proximity}, feedback=feedback)
runs["proximity"] = layers_of(result["OUTPUT"])
scenario = os.path.join(work, "scenario.gpkg")
result = processing.run("geozones:scenario", {"INPUT": scenario_file, "OUTPUT": scenario}, feedback=feedback)
runs["scenario"] = layers_of(result["OUTPUT"])
out["runs"] = runs
print(json.dumps(out, ensure_ascii=False), flush=True)
os._exit(0)  # QGIS 3.22 can crash in exitQgis() when run headless
