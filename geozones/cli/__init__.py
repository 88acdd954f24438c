"""The ``geozones`` command line (typer + rich). Each concept registers its commands here.

The top layer: it wires the library, the API (``geozones serve``) and the maps together.
May import anything in geozones; nothing imports it.
"""

from __future__ import annotations

from geozones.cli import data as _data
from geozones.cli import keys as _keys
from geozones.cli import logistics as _logistics
from geozones.cli import maps as _maps
from geozones.cli import proximity as _proximity
from geozones.cli import scale as _scale
from geozones.cli import scenario as _scenario
from geozones.cli import serve as _serve
from geozones.cli import store as _store
from geozones.cli import zones as _zones
from geozones.cli._output import Typer

app = Typer(
    name="geozones",
    help="Industrial-zone planning toolkit for northern Vietnam: zones, areas, exports, analysis.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
app.callback()(_zones.global_options)
_zones.register(app)
_store.register(app)
_keys.register(app)
_proximity.register(app)
_logistics.register(app)
_scenario.register(app)
_serve.register(app)
_maps.register(app)
_data.register(app)
_scale.register(app)


def main() -> None:
    """Entry point of the ``geozones`` console script."""
    app()
