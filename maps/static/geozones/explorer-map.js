/* geozones investor site explorer -- the Leaflet map: reference layers, the site canvas layer, hit testing, fit to the sites.
 *
 * One of the ordered scripts of the explorer (maps/explorer.py SCRIPTS lists them in load order); they
 * share the namespace window.geozonesExplorerModules (G): each script exports its names onto G at its end
 * and reads earlier scripts' names at its top; shared mutable state is G.state, G.lang, G.order,
 * G.visible, G.selected, G.compareOpen. Every value reaches the page through textContent or canvas
 * fillText: no script assigns innerHTML. */
(function (G) {
  "use strict";
  var API = G.API, D = G.D, N = G.N, SITES = G.SITES, el = G.el, mapBox = G.mapBox, placeLabels = G.placeLabels, present = G.present;
  // ---- the map ------------------------------------------------------------------------------
  // The schematic outlines say nothing closer than this (a 300 ha site is about a screen across at 15).
  var MAX_ZOOM = D.max_zoom || 15;
  var map = L.map(mapBox, { zoomAnimation: false, preferCanvas: true, zoomSnap: 0.5, maxZoom: MAX_ZOOM });
  var ZERO = new Float64Array(N * 2);  // Web Mercator pixels at zoom 0
  var located = new Uint8Array(N);
  for (var k = 0; k < N; k++) {
    var s0 = SITES[k];
    if (present(s0.lon) && present(s0.lat)) {
      var p0 = L.CRS.EPSG3857.latLngToPoint(L.latLng(s0.lat, s0.lon), 0);
      ZERO[2 * k] = p0.x; ZERO[2 * k + 1] = p0.y; located[k] = 1;
    }
  }
  var RINGS = D.outlines.map(function (rings) {
    if (!rings) return null;
    return rings.map(function (ring) {
      var a = new Float64Array(ring.length * 2);
      for (var j = 0; j < ring.length; j++) {
        var p = L.CRS.EPSG3857.latLngToPoint(L.latLng(ring[j][1], ring[j][0]), 0);
        a[2 * j] = p.x; a[2 * j + 1] = p.y;
      }
      return a;
    });
  });
  var EXTENT = RINGS.map(function (rings) {  // zoom-0 pixel width of each outline
    if (!rings) return 0;
    var minx = Infinity, maxx = -Infinity, miny = Infinity, maxy = -Infinity;
    rings.forEach(function (a) {
      for (var j = 0; j < a.length; j += 2) {
        minx = Math.min(minx, a[j]); maxx = Math.max(maxx, a[j]); miny = Math.min(miny, a[j + 1]); maxy = Math.max(maxy, a[j + 1]);
      }
    });
    return Math.max(maxx - minx, maxy - miny);
  });

  fitAll();

  // Reference layers (legend doubles as their switch).
  var REF_STYLE = {
    "layer.provinces": { color: "#555", weight: 2, dashArray: "8 4", fill: false },
    "layer.districts": { color: "#999", weight: 1, dashArray: "3 3", fill: false },
    "layer.roads": { color: "#c0392b", weight: 2.5 },
    "layer.railways": { color: "#333", weight: 2, dashArray: "10 3" },
    "layer.power": { color: "#f39c12", weight: 1.5, dashArray: "2 4" },
    "layer.destinations": { color: "#1f4e79", weight: 2, radius: 6, fillColor: "#fff", fillOpacity: 1 },
    "layer.corridor_roads": { color: "#e67e22", weight: 2 },
    "layer.logistics_destinations": { color: "#0b6623", weight: 2, radius: 6, fillColor: "#e8f5e9", fillOpacity: 1 }
  };
  var REF_HIDDEN = { "layer.corridor_roads": true };  // off at first (the legend switches it on)
  // Reference layers are drawn in their own pane under the sites' canvas, so layers that arrive
  // after the sites (the served page fetches them once the list and the map are usable) stay under them.
  map.createPane("gz-ref").style.zIndex = 350;
  // A configured background (XYZ/WMTS template, with its attribution); none by default: the page stays offline.
  if (D.basemap && D.basemap.url) {
    // Leaflet puts attributions in as HTML: the setting is escaped so it shows as text
    var attribution = String(D.basemap.attribution || "").replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
    L.tileLayer(D.basemap.url, { attribution: attribution, maxZoom: MAX_ZOOM, crossOrigin: true }).addTo(map);
  }
  var refLayers = {};
  function addRefLayers(layers) {
    REF_KEYS.forEach(function (key) {
      if (layers[key] && !refLayers[key]) addRefLayer(key, layers[key]);
    });
  }
  var REF_KEYS = ["layer.provinces", "layer.districts", "layer.roads", "layer.railways", "layer.power", "layer.destinations",
                  "layer.corridor_roads", "layer.logistics_destinations"];
  function addRefLayer(key, data) {
    var style = L.extend({ pane: "gz-ref" }, REF_STYLE[key] || { color: "#666", weight: 1 });
    refLayers[key] = L.geoJSON(data, {
      style: function () { return style; }, pane: "gz-ref",
      interactive: key === "layer.destinations" || key === "layer.logistics_destinations",
      pointToLayer: function (f, latlng) {
        var m = L.circleMarker(latlng, style);
        var label = el("span", null, f.properties.name || "");
        m.bindTooltip(label, { direction: "top" });
        return m;
      }
    });
    if (!REF_HIDDEN[key]) refLayers[key].addTo(map);
  }
  addRefLayers(D.layers);
  // The served page: the reference layers (most of the page's data) come after the list and the sites.
  function loadRefLayers() {
    if (!D.layers_url) return;
    fetch(D.layers_url).then(function (r) { return r.ok ? r.json() : {}; }).then(function (layers) {
      addRefLayers(layers);
      if (layers.isochrones) {  // the plugins (explorer-logistics.js) read D.isochrones when a site is selected
        D.isochrones = layers.isochrones;
        if (typeof G.selected === "number" && G.selected >= 0) {
          G.PLUGINS.forEach(function (p) { if (p.onSelect) p.onSelect(SITES[G.selected], map, D); });
        }
      }
      if (G.legend) G.legend.render();
      window.geozonesLayersAt = performance.now();
      document.documentElement.setAttribute("data-geozones-layers", "1");
    }).catch(function () { window.geozonesLayersAt = performance.now(); });
  }

  var SiteLayer = L.Layer.extend({
    onAdd: function (m) {
      this._canvas = L.DomUtil.create("canvas", "gz-site-canvas leaflet-zoom-hide");
      m.getPanes().overlayPane.appendChild(this._canvas);
      m.on("moveend zoomend resize viewreset", this.redraw, this);
      this.redraw();
    },
    onRemove: function (m) {
      L.DomUtil.remove(this._canvas);
      m.off("moveend zoomend resize viewreset", this.redraw, this);
    },
    redraw: function () {
      var t0 = performance.now(), m = this._map, size = m.getSize(), ratio = window.devicePixelRatio || 1;
      var canvas = this._canvas, ctx = canvas.getContext("2d");
      var topLeft = m.containerPointToLayerPoint([0, 0]);
      L.DomUtil.setPosition(canvas, topLeft);
      canvas.width = size.x * ratio; canvas.height = size.y * ratio;
      canvas.style.width = size.x + "px"; canvas.style.height = size.y + "px";
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      var scale = Math.pow(2, m.getZoom()), origin = m.getPixelBounds().min;
      var drawn = [], shapes = [], batches = {}, order_ = [];
      this.drawn = drawn; this.shapes = shapes;
      // outlines first, then markers, then labels on top
      for (var r = G.order.length - 1; r >= 0; r--) {
        var i = G.order[r];
        if (!located[i] && !RINGS[i]) continue;
        var x = ZERO[2 * i] * scale - origin.x, y = ZERO[2 * i + 1] * scale - origin.y;
        var big = RINGS[i] && EXTENT[i] * scale >= 14;
        if (!big && (x < -50 || y < -50 || x > size.x + 50 || y > size.y + 50)) continue;
        var s = SITES[i], fill = D.status_colors[s.status] || "#ccc", outline = D.kind_outlines[s.kind] || ["#222", 2, null];
        var chosen = G.state.compare.indexOf(s.id) >= 0 || i === G.selected;
        if (big) {
          var path = new Path2D();
          RINGS[i].forEach(function (a) {
            for (var j = 0; j < a.length; j += 2) {
              var px = a[j] * scale - origin.x, py = a[j + 1] * scale - origin.y;
              if (j === 0) path.moveTo(px, py); else path.lineTo(px, py);
            }
            path.closePath();
          });
          ctx.globalAlpha = 0.6; ctx.fillStyle = fill; ctx.fill(path, "evenodd"); ctx.globalAlpha = 1;
          ctx.setLineDash(s.geometry_quality === "approximate" ? [6, 4] : []);
          ctx.strokeStyle = chosen ? "#d81b60" : outline[0]; ctx.lineWidth = chosen ? 4 : outline[1];
          ctx.stroke(path);
          ctx.setLineDash([]);
          shapes.push([i, path]);
        }
        if (!located[i]) continue;
        // Markers are batched by style: one path (and one fill and stroke) per style, not per site.
        var key = fill + "|" + (chosen ? "sel" : s.kind) + "|" + (s.location_only ? "sq" : big ? "s" : "c");
        var batch = batches[key];
        if (!batch) {
          batch = batches[key] = { path: new Path2D(), fill: fill, stroke: chosen ? "#d81b60" : outline[0],
                                   width: chosen ? 3.5 : 1.5, dash: outline[2] && !chosen ? [3, 2] : [] };
          order_.push(key);
        }
        if (s.location_only) {
          batch.path.rect(x - 6, y - 6, 12, 12);
        } else {
          var radius = big ? 4 : 7;
          batch.path.moveTo(x + radius, y);
          batch.path.arc(x, y, radius, 0, 2 * Math.PI);
        }
        drawn.push([i, x, y]);
      }
      order_.forEach(function (key) {
        var b = batches[key];
        ctx.fillStyle = b.fill; ctx.fill(b.path);
        ctx.lineWidth = b.width; ctx.strokeStyle = b.stroke; ctx.setLineDash(b.dash);
        ctx.stroke(b.path);
      });
      ctx.setLineDash([]);
      this.labels = placeLabels(ctx, drawn, size);
      API.lastDrawMs = performance.now() - t0;
      API.drawnIds = null;
    }
  });

  var sites = new SiteLayer();
  sites.addTo(map);

  function siteAt(point) {
    var best = -1, bestD = 11 * 11, lp = sites.labels || [];
    for (var g = 0; g < lp.length; g++) {
      for (var n = 0; n < lp[g].lines.length; n++) {
        var b = lp[g].lines[n].box;
        if (lp[g].lines[n].site >= 0 && point.x >= b[0] && point.x <= b[2] && point.y >= b[1] && point.y <= b[3]) {
          return lp[g].lines[n].site;
        }
      }
    }
    var dr = sites.drawn || [];
    for (var d = 0; d < dr.length; d++) {
      var dx = dr[d][1] - point.x, dy = dr[d][2] - point.y, dd = dx * dx + dy * dy;
      if (dd <= bestD) { bestD = dd; best = dr[d][0]; }
    }
    if (best >= 0) return best;
    var ctx = sites._canvas.getContext("2d"), sh = sites.shapes || [];
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    for (var s = sh.length - 1; s >= 0; s--) {
      if (ctx.isPointInPath(sh[s][1], point.x, point.y, "evenodd")) return sh[s][0];
    }
    return -1;
  }
  map.on("click", function (e) {
    var i = siteAt(e.containerPoint);
    if (i >= 0) G.selectSite(i, false);
  });
  map.on("mousemove", function (e) {
    mapBox.style.cursor = siteAt(e.containerPoint) >= 0 ? "pointer" : "";
  });

  // The legend's rectangle in map container pixels (null while it is not on the map).
  function legendRect() {
    var c = G.legend && G.legend.getContainer && G.legend.getContainer();
    if (!c || !c.offsetWidth) return null;
    var m = mapBox.getBoundingClientRect(), r = c.getBoundingClientRect();
    return { left: r.left - m.left, top: r.top - m.top, right: r.right - m.left, bottom: r.bottom - m.top };
  }
  // Every Leaflet control's rectangle (legend, zoom, scale, attribution) in map container pixels: labels avoid them.
  function controlRects() {
    var m = mapBox.getBoundingClientRect(), out = [];
    Array.prototype.forEach.call(mapBox.querySelectorAll(".leaflet-control"), function (c) {
      var r = c.getBoundingClientRect();
      if (r.width && r.height) out.push({ left: r.left - m.left, top: r.top - m.top, right: r.right - m.left, bottom: r.bottom - m.top });
    });
    return out;
  }
  // Filtered sites drawn under the legend now (their marker within 8 px of it).
  function underLegend() {
    var r = legendRect(), out = [];
    if (!r) return out;
    (sites.drawn || []).forEach(function (d) {
      if (G.visible[d[0]] && d[1] > r.left - 8 && d[1] < r.right + 8 && d[2] > r.top - 8 && d[2] < r.bottom + 8) out.push(d[0]);
    });
    return out;
  }
  // Fit the map to the filtered sites (G.order), keeping them clear of the legend: the legend's strip
  // (its width on the right or its height at the bottom, whichever leaves the closer zoom) is padding.
  function fitToSites() {
    var b = L.latLngBounds([]);
    for (var r = 0; r < G.order.length; r++) {
      var i = G.order[r];
      if (located[i]) b.extend([SITES[i].lat, SITES[i].lon]);
    }
    if (!b.isValid()) return false;
    var size = map.getSize(), lr = legendRect(), pad = 36;
    // no pan animation: the sites are where the fit puts them at once (a refit mid-pan read old positions)
    var options = { paddingTopLeft: [pad + 10, pad], maxZoom: 13, animate: false };
    var choices = [[pad, pad]];
    if (lr) choices = [[size.x - lr.left + 12, pad], [pad, size.y - lr.top + 12]];
    var best = null, bestZoom = -1;
    choices.forEach(function (br) {
      if (br[0] > size.x - 2 * pad || br[1] > size.y - 2 * pad) return;
      var z = map.getBoundsZoom(b, false, L.point(options.paddingTopLeft).add(br));
      if (z > bestZoom) { bestZoom = z; best = br; }
    });
    options.paddingBottomRight = best || [pad, pad];
    map.fitBounds(b, options);
    return true;
  }

  function fitAll() {
    var b = L.latLngBounds([]);
    for (var i = 0; i < N; i++) if (located[i]) b.extend([SITES[i].lat, SITES[i].lon]);
    if (b.isValid()) map.fitBounds(b, { padding: [30, 30], maxZoom: 13 });
    else map.setView([21.9, 106.2], 8);
  }


  G.map = map;
  G.ZERO = ZERO;
  G.located = located;
  G.RINGS = RINGS;
  G.EXTENT = EXTENT;
  G.REF_STYLE = REF_STYLE;
  G.refLayers = refLayers;
  G.SiteLayer = SiteLayer;
  G.sites = sites;
  G.siteAt = siteAt;
  G.fitAll = fitAll;
  G.fitToSites = fitToSites;
  G.loadRefLayers = loadRefLayers;
  G.legendRect = legendRect;
  G.controlRects = controlRects;
  G.underLegend = underLegend;
  G.MAX_ZOOM = MAX_ZOOM;
})(window.geozonesExplorerModules = window.geozonesExplorerModules || {});
