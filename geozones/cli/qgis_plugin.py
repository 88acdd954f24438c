"""``geozones qgis-plugin build out.zip``: a QGIS plugin with a Processing provider for geozones.

The plugin (folder ``geozones_qgis`` in the zip, for QGIS 3.22 LTR and later) adds a *geozones*
provider to the Processing toolbox: validate a zone file, import it with a per-zone diff (dry
run first), export a store layer, proximity, and a scenario run. QGIS's own Python (the system
``python3`` with ``/usr/lib/python3/dist-packages``) never imports geozones: each algorithm runs
the ``geozones`` command line in a subprocess -- the one named by ``GEOZONES_CLI``, by the QGIS
setting ``geozones/cli`` or found on ``PATH`` -- and loads what it writes.

The plugin's files are kept here as text (they import ``qgis``, which geozones itself never
does) and written into the zip by :func:`build_plugin`; tests install the zip into headless
QGIS 3.22 and run its algorithms.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Annotated

import typer

from geozones.cli._output import Typer, console

PLUGIN_DIR = "geozones_qgis"

_METADATA = """[general]
name=geozones
qgisMinimumVersion=3.22
description=Industrial zones of northern Vietnam: validate, import with a diff, export, proximity, scenarios
about=Processing algorithms that run the geozones command line (pip install geozones) on your files and
    store: validate a survey file (schema, CRS, axis order, placement), import it showing each zone's change
    first, export store layers, proximity to roads, substations and border gates, and scenario runs.
version={version}
author=geozones
email=geozones@localhost
hasProcessingProvider=yes
experimental=False
tags=vietnam,industrial zones,VN-2000,planning
"""

_INIT = '''"""geozones for QGIS: a Processing provider that runs the geozones command line."""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    from .plugin import GeozonesPlugin

    return GeozonesPlugin(iface)
'''

_PLUGIN = '''"""Registers the geozones Processing provider (also without a GUI: initProcessing)."""

from qgis.core import QgsApplication

from .provider import GeozonesProvider


class GeozonesPlugin:
    def __init__(self, iface):
        self.iface = iface
        self.provider = None

    def initProcessing(self):
        self.provider = GeozonesProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):
        self.initProcessing()

    def unload(self):
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
'''

_PROVIDER = '''"""The geozones algorithms: each runs the geozones command line in a subprocess."""

import os
import shutil
import subprocess

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputBoolean,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
    QgsProcessingProvider,
    QgsSettings,
)


def geozones_command():
    """The geozones executable: $GEOZONES_CLI, the QGIS setting geozones/cli, or geozones on PATH."""
    found = os.environ.get("GEOZONES_CLI") or QgsSettings().value("geozones/cli", "") or shutil.which("geozones")
    if not found:
        raise QgsProcessingException(
            "the geozones command line was not found: pip install geozones, then set GEOZONES_CLI "
            "or the QGIS setting geozones/cli to its path"
        )
    return found


class _Cli(QgsProcessingAlgorithm):
    """Common parts: the optional store, running the command, reporting its output."""

    NAME = ""
    TITLE = ""
    HELP = ""

    def name(self):
        return self.NAME

    def displayName(self):
        return self.TITLE

    def group(self):
        return "geozones"

    def groupId(self):
        return "geozones"

    def shortHelpString(self):
        return self.HELP

    def createInstance(self):
        return type(self)()

    def add_store(self):
        self.addParameter(
            QgsProcessingParameterFile(
                "STORE", "geozones store (GeoPackage; empty: the default store)", optional=True, extension="gpkg"
            )
        )

    def run_cli(self, parameters, context, feedback, args, check=True):
        store = self.parameterAsFile(parameters, "STORE", context) if "STORE" in parameters else ""
        command = [geozones_command(), *(["--store", store] if store else []), *args]
        feedback.pushInfo(" ".join(command))
        done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", timeout=3600)
        text = (done.stdout + done.stderr).strip()
        for line in text.splitlines():
            feedback.pushInfo(line)
        if check and done.returncode != 0:
            raise QgsProcessingException(text or f"geozones exited with {done.returncode}")
        return done.returncode, text


class Validate(_Cli):
    NAME, TITLE = "validate", "Validate a zone file"
    HELP = "Schema, CRS, axis order and placement (province, district, overlaps, copies, id, area) of a zone file."

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFile("INPUT", "Zone file (shp, gpkg, geojson, tab, mif, ...)"))
        self.addParameter(QgsProcessingParameterString("ENCODING", "Text encoding (empty: detect)", optional=True))
        self.add_store()
        self.addOutput(QgsProcessingOutputBoolean("VALID", "Valid"))
        self.addOutput(QgsProcessingOutputString("REPORT", "Report"))

    def processAlgorithm(self, parameters, context, feedback):
        args = ["validate", self.parameterAsFile(parameters, "INPUT", context)]
        encoding = self.parameterAsString(parameters, "ENCODING", context)
        code, text = self.run_cli(parameters, context, feedback, args + (["--encoding", encoding] if encoding else []),
                              check=False)
        return {"VALID": code == 0, "REPORT": text}


class ImportWithDiff(_Cli):
    NAME, TITLE = "import", "Import zones (with a diff)"
    HELP = ("Shows each zone's change (added, changed fields, moved, removed); with 'Dry run' off, writes them. "
            "A zone edited in the store since the file was exported is refused unless 'Force' is on.")

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFile("INPUT", "Zone file"))
        self.addParameter(QgsProcessingParameterBoolean("DRY_RUN", "Dry run (show the diff, write nothing)", True))
        self.addParameter(QgsProcessingParameterBoolean("FORCE", "Force (overwrite edits made since export)", False))
        self.add_store()
        self.addOutput(QgsProcessingOutputString("REPORT", "Diff"))

    def processAlgorithm(self, parameters, context, feedback):
        args = ["store", "import", self.parameterAsFile(parameters, "INPUT", context)]
        if self.parameterAsBoolean(parameters, "DRY_RUN", context):
            args.append("--dry-run")
        if self.parameterAsBoolean(parameters, "FORCE", context):
            args.append("--force")
        return {"REPORT": self.run_cli(parameters, context, feedback, args)[1]}


class Export(_Cli):
    NAME, TITLE = "export", "Export a store layer"
    HELP = "A store layer (zones by default, with each zone's version for a safe re-import) to a file."

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterString("LAYER", "Store layer", "zones"))
        self.addParameter(QgsProcessingParameterCrs("CRS", "Output CRS (empty: the store's)", optional=True))
        self.add_store()
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT", "Output file", "GeoPackage (*.gpkg)"))

    def processAlgorithm(self, parameters, context, feedback):
        out = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        crs = self.parameterAsCrs(parameters, "CRS", context)
        args = ["export", out, "--layer", self.parameterAsString(parameters, "LAYER", context)]
        if crs.isValid():
            args += ["--crs", crs.authid()]
        self.run_cli(parameters, context, feedback, args)
        return {"OUTPUT": out}


class Proximity(_Cli):
    NAME, TITLE = "proximity", "Proximity of zones"
    HELP = "Distance from every zone to the nearest national highway, 110 kV substation and border gate."

    def initAlgorithm(self, config=None):
        self.add_store()
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT", "Output GeoPackage", "GeoPackage (*.gpkg)"))

    def processAlgorithm(self, parameters, context, feedback):
        out = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        self.run_cli(parameters, context, feedback, ["proximity", "--gpkg", out])
        return {"OUTPUT": out}


class ScenarioRun(_Cli):
    NAME, TITLE = "scenario", "Run a scenario"
    HELP = "A scenario file (.yaml/.toml): timeline, targets and each scenario's zones written to a GeoPackage."

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFile("INPUT", "Scenario file (.yaml, .toml)"))
        self.add_store()
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT", "Output GeoPackage", "GeoPackage (*.gpkg)"))
        self.addOutput(QgsProcessingOutputString("REPORT", "Report"))

    def processAlgorithm(self, parameters, context, feedback):
        out = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        args = ["scenario", "run", self.parameterAsFile(parameters, "INPUT", context), "--out", out, "--no-save"]
        return {"OUTPUT": out, "REPORT": self.run_cli(parameters, context, feedback, args)[1]}


class GeozonesProvider(QgsProcessingProvider):
    def id(self):
        return "geozones"

    def name(self):
        return "geozones"

    def longName(self):
        return "geozones: industrial zones of northern Vietnam"

    def loadAlgorithms(self):
        for algorithm in (Validate, ImportWithDiff, Export, Proximity, ScenarioRun):
            self.addAlgorithm(algorithm())
'''


def plugin_files(version: str) -> dict[str, str]:
    """File name (inside ``geozones_qgis/``) -> text of the plugin."""
    return {
        "metadata.txt": _METADATA.format(version=version),
        "__init__.py": _INIT,
        "plugin.py": _PLUGIN,
        "provider.py": _PROVIDER,
    }


def build_plugin(out: str | Path) -> Path:
    """Write the plugin zip (QGIS: Plugins > Manage and Install Plugins > Install from ZIP)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        number = version("geozones")
    except PackageNotFoundError:  # pragma: no cover - a source checkout without install
        number = "0.0.0"
    out = Path(out)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in plugin_files(number).items():
            archive.writestr(f"{PLUGIN_DIR}/{name}", text)
    return out


plugin_app = Typer(name="qgis-plugin", help="The geozones QGIS plugin (Processing provider).", no_args_is_help=True)


@plugin_app.command("build")
def build_command(
    out: Annotated[Path, typer.Argument(help="The plugin zip to write, e.g. geozones_qgis.zip.")],
) -> None:
    """Build the QGIS plugin zip: install it in QGIS 3.22+ with Plugins > Install from ZIP."""
    path = build_plugin(out)
    console.print(f"wrote {path}: QGIS plugin '{PLUGIN_DIR}' (Processing provider 'geozones')", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``qgis-plugin`` command group to ``app``."""
    app.add_typer(plugin_app)
