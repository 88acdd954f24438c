"""Isochrones and labour catchments for every shipped site: geozones (scipy) vs networkx vs pandana, side by side.

    .venv/bin/python benchmarks/accessibility.py             # every shipped site, 15/30/45/60 min, car and truck
    .venv/bin/python benchmarks/accessibility.py --repeat 5  # the Dijkstra phase repeated for steadier times

One run, one network (the shipped ``data/infrastructure/corridor_roads.geojson``, snapped within
1 km and joined at crossings, in EPSG:9213), one set of sites (every shipped zone with a geometry,
measured from its polygon's edge or its site point; the ones far from mapped roads have no
isochrone). Three engines compute the node times from each site's access point:

* geozones: :meth:`geozones.analysis.logistics.Network.node_times` — ``scipy.sparse.csgraph.dijkstra``
  from both ends of the site's segment on a CSR matrix;
* networkx: the same with ``networkx.single_source_dijkstra_path_length`` from a virtual source node
  (the reference);
* pandana (if it imports): ``pandana.Network.shortest_path_lengths`` from both ends to every node
  (contraction hierarchies).

The polygons (:func:`geozones.analysis.logistics.isochrone_polygons`) and the catchments
(:func:`geozones.analysis.logistics.catchment` on ``boundaries/population_districts.geojson``) are then
built from each engine's node times with the same code. The run fails unless the networkx answers
equal geozones' (node times to 1e-9 min, polygon areas to 1e-6 km², catchments to the person);
pandana's differences are reported (it stores weights in single precision).
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geopandas as gpd
import pandas as pd

from geozones.analysis import logistics as L
from geozones.analysis.proximity import measured_geometry


def _sites():
    zones = gpd.read_file(ROOT / "data" / "zones" / "zones.geojson")
    geometry, _ = measured_geometry(zones)
    sites = gpd.GeoDataFrame({"id": zones["id"]}, geometry=geometry, crs=zones.crs)
    return sites[~(sites.geometry.isna() | sites.geometry.is_empty)].to_crs(L.METRIC_EPSG)


def _pandana(network: L.Network):
    warnings.filterwarnings("ignore", module="pandana")
    try:
        import pandana
    except ImportError:
        return None
    t = network.table
    xy = np.zeros((network.n_nodes, 2))
    xy[t["u"]] = t["start"]
    xy[t["v"]] = t["end"]
    # pandana rounds impedances to 1/1000 of their unit (its contraction hierarchies use integers):
    # milli-minutes keep 1e-6 min
    edges = [(a, b, d["minutes"] * 1000.0) for a, b, d in network.graph.edges(data=True)]
    frame = pd.DataFrame(edges, columns=["from", "to", "minutes"])
    nodes = pd.Index(np.arange(network.n_nodes))
    return pandana.Network(
        pd.Series(xy[:, 0], index=nodes),
        pd.Series(xy[:, 1], index=nodes),
        frame["from"],
        frame["to"],
        frame[["minutes"]],
        twoway=True,
    )


def _pandana_times(net, network: L.Network, reach: L.Reach) -> np.ndarray:
    t = network.table
    s = reach.segment
    u, v = int(t["u"][s]), int(t["v"][s])
    per_m = t["minutes"][s] / t["length"][s]
    to_u = reach.start_min + reach.offset * per_m
    to_v = reach.start_min + (t["length"][s] - reach.offset) * per_m
    nodes = np.arange(network.n_nodes)
    du = np.asarray(net.shortest_path_lengths(np.full(len(nodes), u), nodes, imp_name="minutes"), dtype=float)
    dv = np.asarray(net.shortest_path_lengths(np.full(len(nodes), v), nodes, imp_name="minutes"), dtype=float)
    du[du >= 4.29e6] = np.inf  # pandana's "unreachable": the largest unsigned 32-bit integer / 1000
    dv[dv >= 4.29e6] = np.inf
    du, dv = du / 1000.0, dv / 1000.0
    return np.minimum(to_u + du, to_v + dv)


def run(repeat: int) -> list[dict]:
    roads = gpd.read_file(ROOT / "data" / "infrastructure" / "corridor_roads.geojson").to_crs(L.METRIC_EPSG)
    population = gpd.read_file(ROOT / "data" / "boundaries" / "population_districts.geojson").to_crs(L.METRIC_EPSG)
    sites = _sites()
    rows = []
    for vehicle in L.VEHICLES:
        network = L.Network.build(roads, vehicle)
        reaches = {}
        for ident, geom in zip(sites["id"], sites.geometry):
            reach = L.site_reach(network, geom)
            if reach is not None:
                reaches[ident] = (reach, geom)
        engines: dict[str, dict] = {"geozones (scipy)": {}, "networkx": {}}
        timing: dict[str, float] = {}
        for name, engine in (("geozones (scipy)", "scipy"), ("networkx", "networkx")):
            start = time.perf_counter()
            for _ in range(repeat):
                for ident, (reach, _) in reaches.items():
                    engines[name][ident] = network.node_times(reach.segment, reach.offset, reach.start_min, engine)
            timing[name] = (time.perf_counter() - start) / repeat
        start = time.perf_counter()
        net = _pandana(network)
        built = time.perf_counter() - start
        if net is not None:
            engines["pandana"] = {}
            start = time.perf_counter()
            for _ in range(repeat):
                for ident, (reach, _) in reaches.items():
                    engines["pandana"][ident] = _pandana_times(net, network, reach)
            timing["pandana"] = (time.perf_counter() - start) / repeat + built  # its CH build included
        answers = {}
        polygon_s = {}
        for name, times in engines.items():
            start = time.perf_counter()
            polys, keys = [], []
            for ident, (reach, geom) in reaches.items():
                r = L.Reach(times[ident], reach.segment, reach.offset, reach.access_m, reach.start_min)
                for minutes, polygon in zip(L.ISOCHRONE_MINUTES, L.isochrone_polygons(network, r, geom)):
                    polys.append(polygon)
                    keys.append((ident, minutes))
            frame = gpd.GeoDataFrame(
                {"zone_id": [k[0] for k in keys], "minutes": [k[1] for k in keys]}, geometry=polys, crs=L.METRIC_EPSG
            )
            frame["population"] = L.catchment(frame, population)["population"].to_numpy()
            polygon_s[name] = time.perf_counter() - start
            answers[name] = frame
        ref = engines["networkx"]
        for name, times in engines.items():
            node_diff = max(
                float(np.nanmax(np.abs(np.where(np.isfinite(ref[i]), ref[i], 0) - np.where(np.isfinite(t), t, 0))))
                for i, t in times.items()
            )
            area_diff = float(np.max(np.abs(answers[name].area.to_numpy() - answers["networkx"].area.to_numpy())) / 1e6)
            pop_diff = float(
                np.max(np.abs(answers[name]["population"].to_numpy() - answers["networkx"]["population"].to_numpy()))
            )
            if name != "pandana":
                assert node_diff < 1e-9 and area_diff < 1e-6 and pop_diff == 0, (name, node_diff, area_diff, pop_diff)
            rows.append(
                {
                    "vehicle": vehicle,
                    "engine": name,
                    "sites": len(reaches),
                    "nodes": network.n_nodes,
                    "node_times_s": timing[name],
                    "polygons_catchments_s": polygon_s[name],
                    "max_node_diff_min": node_diff,
                    "max_area_diff_km2": area_diff,
                    "max_pop_diff": pop_diff,
                    "pop_60min_total": int(answers[name].loc[answers[name]["minutes"] == 60, "population"].sum()),
                }
            )
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rows = run(args.repeat)
    frame = pd.DataFrame(rows)
    for vehicle, part in frame.groupby("vehicle", sort=False):
        base = part.loc[part["engine"] == "networkx", "node_times_s"].iloc[0]
        part = part.assign(speedup_vs_networkx=(base / part["node_times_s"]).round(1))
        print(f"\n{vehicle}:")
        print(part.drop(columns="vehicle").to_string(index=False))
    print(f"\npython {platform.python_version()}, {platform.machine()}, repeat={args.repeat}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
