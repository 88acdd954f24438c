/* geozones explorer plugin: logistics reach (issue 22). Loaded before explorer.js.
 * Adds "at most N minutes" filters to Hà Nội, the airport, a seaport and a border gate (only for the
 * destinations the data has), the minute and population texts, popup rows, and the stated drive-time
 * model under the filters. Minutes are a model (assumed speeds), never decimal hours. */
(function () {
  "use strict";
  var FILTERS = [
    { key: "max_min_capital", column: "minutes_capital", label: "filter.max_min_capital" },
    { key: "max_min_airport", column: "minutes_airport", label: "filter.max_min_airport" },
    { key: "max_min_seaport", column: "minutes_seaport", label: "filter.max_min_seaport" },
    { key: "max_min_border_gate", column: "minutes_border_gate", label: "filter.max_min_border_gate" }
  ];
  var POPUP = [
    ["field.min_capital", "minutes_capital"],
    ["field.min_airport", "minutes_airport"],
    ["field.min_border_gate", "minutes_border_gate"],
    ["field.truck_min_border_gate", "truck_minutes_border_gate"],
    ["field.pop_30min", "pop_30min"]
  ];
  function has(sites, column) {
    for (var i = 0; i < sites.length; i++) {
      var v = sites[i][column];
      if (v !== null && v !== undefined && !(typeof v === "number" && isNaN(v))) return true;
    }
    return false;
  }
  var noSeaport = false, farKm = 3;
  // Isochrones of the selected site (car, 15/30/45/60 min), drawn under everything, largest first.
  var SHADES = { 15: "#08519c", 30: "#3182bd", 45: "#6baed6", 60: "#bdd7e7" };
  var drawn = null;
  function drawIsochrones(site, map, D) {
    if (drawn) { map.removeLayer(drawn); drawn = null; }
    if (!D.isochrones || !window.L) return;
    var mine = D.isochrones.features.filter(function (f) { return f.properties.zone_id === site.id; });
    mine.sort(function (a, b) { return b.properties.minutes - a.properties.minutes; });
    if (!mine.length) return;
    drawn = window.L.geoJSON({ type: "FeatureCollection", features: mine }, {
      interactive: false,
      style: function (f) {
        var c = SHADES[f.properties.minutes] || "#6baed6";
        return { color: c, weight: 1, fillColor: c, fillOpacity: 0.18 };
      }
    }).addTo(map);
    drawn.bringToBack();
    if (window.geozonesExplorer) window.geozonesExplorer.isochroneIds = mine.map(function (f) {
      return f.properties.zone_id + ":" + f.properties.minutes;
    });
  }
  (window.geozonesExplorerPlugins = window.geozonesExplorerPlugins || []).push({
    name: "logistics",
    filters: function (sites, D) {
      noSeaport = !has(sites, "minutes_seaport");
      if (D && D.logistics_model && isFinite(parseFloat(D.logistics_model.far))) farKm = parseFloat(D.logistics_model.far);
      return FILTERS.filter(function (f) { return has(sites, f.column); });
    },
    value: function (column, s, h) {
      // a road distance whose straight access leg is longer than the stated limit is not a road distance
      if (/^(road_km|road_h)_/.test(column) && h.present(s.access_km) && s.access_km > farKm) {
        return h.t("value.far_from_roads");
      }
      if (!/^(truck_)?minutes_|^pop_(30|60)min$/.test(column)) return undefined;
      var v = s[column];
      if (!h.present(v)) return h.t(s.far_from_roads ? "value.far_from_roads" : "value.no_data");
      if (/^pop_/.test(column)) {
        return h.t("unit.people", { value: h.num(v, 0) }) + (h.present(s.pop_year) ? " (" + s.pop_year + ")" : "");
      }
      return h.t("unit.min", { value: h.num(v, 0) });
    },
    onSelect: drawIsochrones,
    popupRows: function (s) {
      return "minutes_capital" in s ? POPUP : [];
    },
    note: function (t, D) {
      var text = D.logistics_model ? t("factsheet.note_logistics", D.logistics_model) : "";
      return noSeaport ? text + " " + t("filter.no_seaport") : text;
    }
  });
})();
