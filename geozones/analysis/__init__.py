"""Analysis: functions that take GeoDataFrames (already loaded) and return GeoDataFrames, Series or arrays.

- :mod:`geozones.analysis.proximity` -- nearest, k nearest and within-distance on one STRtree;
- :mod:`geozones.analysis.roadnet` -- the road graph (networkx), travel distance and time;
- :mod:`geozones.analysis.logistics` -- drive times (car, container truck) to Hà Nội, the airport,
  the border gates; isochrones and labour catchments on the corridor network (scipy / networkx);
- :mod:`geozones.analysis.sites` -- what investors ask of a site (available land, distances);
- :mod:`geozones.analysis.raster` -- exact distance rasters, slope, weighted overlay, zonal statistics;
- :mod:`geozones.analysis.growth` -- constrained growth of a zone to a target area;
- :mod:`geozones.analysis.suitability` -- AHP weights, OAT and Monte Carlo sensitivity of the overlay;
- :mod:`geozones.analysis.allocation` -- land demand placed on the most suitable contiguous cells;
- :mod:`geozones.analysis.distributed` -- the Dask engine (``engine="dask"``): partitioned nearest,
  k nearest and within-distance with the exact kernel of ``proximity``;
- :mod:`geozones.analysis.tiling` -- distance and suitability rasters tile by tile, zonal statistics
  by partition (national grids).

Loading layers from the store or from files happens above this package
(:func:`geozones.store.load_infrastructure`). May import: the core and ``geozones.io``
(names only). Never imports the store, ``scenario``, ``cli``, ``api`` or ``maps``.
"""
