/* geozones web maps: zone styles, escaped popups and tooltips, embedded or API-loaded zones.
 * Every attribute value goes through geozones.esc before it reaches innerHTML. */
(function () {
  "use strict";
  var GZ = (window.geozones = window.geozones || {});
  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  GZ.esc = function (value) {
    return String(value).replace(/[&<>"']/g, function (c) { return ENTITIES[c]; });
  };

  function present(v) {
    return v !== null && v !== undefined && v !== "" && !(typeof v === "number" && isNaN(v));
  }

  function num(v, digits) {
    return Number(v).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  }

  GZ.markReady = function (count) {
    window.geozonesReadyAt = performance.now();
    window.geozonesReady = true;
    window.geozonesZoneCount = (window.geozonesZoneCount || 0) + count;
    document.documentElement.setAttribute("data-geozones-ready", "1");
  };

  /* Zones without a polygon but with a site point become Point features (location only). */
  GZ.prepare = function (fc) {
    var feats = (fc && fc.features) || [];
    for (var i = 0; i < feats.length; i++) {
      var f = feats[i], p = (f.properties = f.properties || {});
      if (!f.geometry && present(p.site_lon) && present(p.site_lat)) {
        f.geometry = { type: "Point", coordinates: [Number(p.site_lon), Number(p.site_lat)] };
        p._location_only = true;
      } else if (f.geometry && f.geometry.type === "Point") {
        p._location_only = true;
      }
      p._search = [p.name, p.name_ascii].filter(present).join(" / ");
    }
    fc.features = feats.filter(function (f) { return f.geometry; });
    return fc;
  };

  GZ.zoneStyle = function (cfg) {
    return function (feature) {
      var p = feature.properties || {};
      var outline = cfg.kind_outlines[p.kind] || ["#212121", 2, null];
      var style = {
        fillColor: cfg.status_colors[p.status] || "#cccccc", fillOpacity: 0.65,
        color: outline[0], weight: outline[1], dashArray: outline[2], opacity: 1, className: "gz-zone"
      };
      if (p.change === "new") { style.className = "gz-zone gz-new-zone"; style.weight = outline[1] + 1; }
      return style;
    };
  };

  function row(label, value) {
    return "<tr><th>" + GZ.esc(label) + "</th><td>" + GZ.esc(value) + "</td></tr>";
  }

  function km(m) { return num(Number(m) / 1000, 1) + " km"; }

  GZ.popupHtml = function (p, cfg) {
    var t = cfg.labels, rows = [];
    var kind = (cfg.kinds[p.kind] || p.kind || "");
    rows.push(row(t.kind, kind));
    rows.push(row(t.status, (cfg.statuses[p.status] || p.status || "") + (present(p.status_year) ? " (" + p.status_year + ")" : "")));
    var place = [p.commune, p.district_pre2025, p.province_pre2025].filter(present).join(", ");
    if (present(place)) rows.push(row(t.place, place + (present(p.province) && p.province !== p.province_pre2025 ? " → " + p.province : "")));
    if (present(p.area_published_ha)) {
      var q = cfg.qualifiers[p.area_qualifier] || "";
      rows.push(row(t.area_published, (q ? q + " " : "") + num(p.area_published_ha, 2) + " ha"));
    } else {
      rows.push(row(t.area_published, t.not_published));
    }
    if (present(p.area_mapped_ha) && !p._location_only) rows.push(row(t.area_mapped, num(p.area_mapped_ha, 2) + " ha"));
    if (present(p.phases)) rows.push(row(t.phases, p.phases));
    if (present(p.investor)) rows.push(row(t.investor, p.investor));
    if (present(p.occupancy_pct)) rows.push(row(t.occupancy, num(p.occupancy_pct, 1) + " %"));
    if (present(p.available_ha)) rows.push(row(t.available, "≈ " + num(p.available_ha, 1) + " ha"));
    if (present(p.dist_highway_m)) rows.push(row(t.dist_highway, km(p.dist_highway_m) + (present(p.nearest_highway) ? " (" + p.nearest_highway + ")" : "")));
    if (present(p.dist_substation_m)) rows.push(row(t.dist_substation, km(p.dist_substation_m) + (present(p.nearest_substation) ? " (" + p.nearest_substation + ")" : "")));
    if (present(p.substation_note) && !present(p.dist_substation_m)) rows.push(row(t.dist_substation, t.no_data + " (" + p.substation_note + ")"));
    if (present(p.dist_border_gate_m)) rows.push(row(t.dist_border_gate, km(p.dist_border_gate_m)));
    if (Array.isArray(p.travel) && p.travel.length) {
      rows.push('<tr class="gz-travel-head"><th colspan="2">' + GZ.esc(t.travel) + "</th></tr>");
      p.travel.forEach(function (d) {
        var text = present(d.road_km)
          ? num(d.road_km, 1) + " km " + t.by_road + (present(d.road_h) ? " · ≈ " + num(d.road_h, 1) + " h" : "")
          : t.no_data + (present(d.note) ? " (" + (t[d.note] || d.note) + ")" : "");
        if (present(d.straight_km)) text += " · " + num(d.straight_km, 1) + " km " + t.straight;
        rows.push(row(d.station ? t.nearest_station + ": " + d.name : d.name, text));
      });
    }
    if (present(p.decision)) rows.push(row(t.decision, p.decision + (present(p.decision_date) ? " (" + p.decision_date + ")" : "")));
    if (present(p.change)) {
      rows.push(row(t.change, cfg.changes[p.change] || p.change));
      if (present(p.baseline_area_ha)) rows.push(row(t.baseline_area, num(p.baseline_area_ha, 2) + " ha"));
      if (present(p.change_ha)) rows.push(row(t.change_ha, (p.change_ha > 0 ? "+" : "") + num(p.change_ha, 2) + " ha"));
      if (present(p.new_land_ha)) rows.push(row(t.new_land, num(p.new_land_ha, 2) + " ha"));
      if (present(p.baseline_status) && p.baseline_status !== p.status) rows.push(row(t.baseline_status, cfg.statuses[p.baseline_status] || p.baseline_status));
    }
    if (present(p.sources)) rows.push(row(t.sources, p.sources));
    var notes = "";
    if (p._location_only) notes += '<p class="gz-note gz-location-only">' + GZ.esc(t.location_only) + "</p>";
    if (p.geometry_quality === "approximate" && !p._location_only) {
      notes += '<p class="gz-note gz-approximate">' + GZ.esc(t.approximate) +
        (present(p.location_basis) ? ": " + GZ.esc(p.location_basis) : "") + "</p>";
    }
    var title = '<h4 class="gz-title">' + GZ.esc(p.name || p.id || "") + "</h4>";
    return '<div class="gz-popup" data-zone-id="' + GZ.esc(p.id || "") + '">' + title +
      '<table class="gz-table">' + rows.join("") + "</table>" + notes + "</div>";
  };

  GZ.tooltipHtml = function (p, cfg) {
    var status = cfg.statuses[p.status] || p.status || "";
    return "<b>" + GZ.esc(p.name || p.id || "") + "</b><br>" + GZ.esc(p.kind || "") + " · " + GZ.esc(status);
  };

  GZ.zoneLayers = [];

  GZ.zoneLayer = function (cfg) {
    var layer = L.geoJSON(null, {
      style: GZ.zoneStyle(cfg),
      pointToLayer: function (feature, latlng) {
        var s = GZ.zoneStyle(cfg)(feature);
        s.radius = 8; s.fillOpacity = 0.9; s.dashArray = "2 2";
        return L.circleMarker(latlng, s);
      },
      onEachFeature: function (feature, layer) {
        var p = feature.properties || {};
        layer.bindPopup(function () { return GZ.popupHtml(p, cfg); }, { maxWidth: 360 });
        layer.bindTooltip(GZ.tooltipHtml(p, cfg), { sticky: true });
      }
    });
    GZ.zoneLayers.push(layer);
    return layer;
  };

  /* Load zones from an OGC API - Features items URL, following rel=next links. */
  GZ.loadZones = function (layer, map, url, extrasUrl, fit) {
    var extras = extrasUrl
      ? fetch(extrasUrl).then(function (r) { return r.ok ? r.json() : {}; }).catch(function () { return {}; })
      : Promise.resolve({});
    var count = 0;
    function page(next) {
      return fetch(next, { headers: { Accept: "application/geo+json" } })
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status + " for " + next); return r.json(); })
        .then(function (fc) {
          return extras.then(function (ex) {
            (fc.features || []).forEach(function (f) {
              f.properties = f.properties || {};
              if (f.properties.id === undefined && f.id !== undefined) f.properties.id = f.id;
              var add = ex[f.properties.id];
              if (add) for (var k in add) if (!present(f.properties[k])) f.properties[k] = add[k];
            });
            GZ.prepare(fc);
            layer.addData(fc);
            count += fc.features.length;
            var link = (fc.links || []).filter(function (l) { return l.rel === "next"; })[0];
            return link ? page(link.href) : null;
          });
        });
    }
    return page(url).then(function () {
      if (fit && layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [20, 20], animate: false });
      GZ.markReady(count);
    }).catch(function (err) {
      var box = document.createElement("div");
      box.className = "gz-load-error";
      box.textContent = "Could not load zones: " + err.message;
      document.body.appendChild(box);
      GZ.markReady(0);
    });
  };

  GZ.overlayLayer = function (data, cfg) {
    return L.geoJSON(data, {
      interactive: cfg.style.interactive !== false,
      style: function () { return cfg.style; },
      pointToLayer: function (feature, latlng) {
        var s = L.extend({ radius: 5, fillOpacity: 0.9 }, cfg.style);
        return L.circleMarker(latlng, s);
      },
      onEachFeature: function (feature, layer) {
        var p = feature.properties || {}, parts = [];
        (cfg.fields || []).forEach(function (k) { if (present(p[k])) parts.push(GZ.esc(p[k])); });
        if (parts.length) layer.bindTooltip(parts.join("<br>"), { sticky: true });
      }
    });
  };

  GZ.addSearch = function (map, layer, placeholder) {
    if (!L.Control.Search) return null;
    var control = new L.Control.Search({
      layer: layer, propertyName: "_search", initial: false, marker: false, zoom: 13,
      textPlaceholder: placeholder, position: "topleft", hideMarkerOnCollapse: true,
      /* The plug-in's default tip is built with innerHTML from the zone name: build it as text. */
      buildTip: function (text) {
        var tip = L.DomUtil.create("li", "");
        tip.textContent = text;
        return tip;
      }
    });
    /* Open the popup after the click that chose the tip has finished (it would close it again). */
    control.on("search:locationfound", function (e) {
      if (e.layer && e.layer.openPopup) setTimeout(function () { e.layer.openPopup(); }, 0);
    });
    map.addControl(control);
    return control;
  };
})();
