/* geozones investor site explorer -- data (the JSON block #gz-data), text and number formatting, list columns, sort ranks, values as text.
 *
 * One of the ordered scripts of the explorer (maps/explorer.py SCRIPTS lists them in load order); they
 * share the namespace window.geozonesExplorerModules (G): each script exports its names onto G at its end
 * and reads earlier scripts' names at its top; shared mutable state is G.state, G.lang, G.order,
 * G.visible, G.selected, G.compareOpen. Every value reaches the page through textContent or canvas
 * fillText: no script assigns innerHTML. */
(function (G) {
  "use strict";
  var D = JSON.parse(document.getElementById("gz-data").textContent);
  var SITES = D.sites, N = SITES.length, KINDS_PLACE = D.place_kinds;
  var ROW_H = 38, LABEL_FONT = '12px "Noto Sans", "DejaVu Sans", sans-serif', MAX_LINES = 12;
  var missing = [];
  G.lang = D.lang;
  var API = (window.geozonesExplorer = { lastFilterMs: 0, lastDrawMs: 0 });
  // Plugins (small files loaded before the explorer scripts, e.g. explorer-logistics.js) add "at most"
  // filters on a numeric column, value texts and popup rows: { filters(sites, D), value(column, site, h),
  // popupRows(site), onSelect(site, map, D), note(t, D) }.
  var PLUGINS = (window.geozonesExplorerPlugins || []).filter(function (p) { return p && typeof p === "object"; });

  // ---- text ---------------------------------------------------------------------------------
  function t(key, values) {
    var table = D.messages[G.lang] || {};
    var s = table[key];
    if (s === undefined || s === null || s === "") {
      if (missing.indexOf(G.lang + ":" + key) < 0) missing.push(G.lang + ":" + key);
      s = key;
    }
    if (values) {
      s = s.replace(/\{(\w+)\}/g, function (m, name) { return values[name] === undefined ? m : values[name]; });
    }
    return s;
  }
  var LOCALE = { vi: "vi-VN", en: "en-GB", ko: "ko-KR", ja: "ja-JP", "zh-Hans": "zh-Hans-CN" };
  var formatters = {};
  function num(v, digits) {
    var key = G.lang + digits;
    if (!formatters[key]) {
      formatters[key] = new Intl.NumberFormat(LOCALE[G.lang] || "en", { maximumFractionDigits: digits });
    }
    return formatters[key].format(v);
  }
  function present(v) { return v !== null && v !== undefined && v !== "" && !(typeof v === "number" && isNaN(v)); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fold(s) {  // Vietnamese diacritics off, lower case: "Đồng Bành" -> "dong banh"
    return String(s || "").replace(/[Đđ]/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // ---- columns ------------------------------------------------------------------------------
  var COLUMNS = [
    { key: "name", label: "col.name", type: "text" },
    { key: "kind", label: "col.kind", type: "kind" },
    { key: "province", label: "col.province", type: "text" },
    { key: "status", label: "col.status", type: "status" },
    { key: "area_published_ha", label: "col.area", type: "num" },
    { key: "available_ha", label: "col.available", type: "num" },
    { key: "road_km_highway", label: "col.highway", type: "num" },
    { key: "road_km_border_gate", label: "col.border_gate", type: "num" },
    { key: "road_km_railway_station", label: "col.railway_station", type: "num" },
    { key: "road_km_city", label: "col.city", type: "num" }
  ];
  var SORTABLE = {};
  COLUMNS.forEach(function (c) { SORTABLE[c.key] = c; });

  // Column arrays for fast filtering.
  var col = {};
  var EXTRA_FILTERS = [];  // [{key, column, label}] from the plugins
  PLUGINS.forEach(function (p) { if (p.filters) EXTRA_FILTERS = EXTRA_FILTERS.concat(p.filters(SITES, D) || []); });
  ["available_ha", "road_km_highway", "road_km_border_gate", "road_km_railway_station", "road_km_city",
   "area_published_ha"].concat(EXTRA_FILTERS.map(function (f) { return f.column; })).forEach(function (k) {
    var a = new Float64Array(N);
    for (var i = 0; i < N; i++) { var v = SITES[i][k]; a[i] = present(v) ? +v : NaN; }
    col[k] = a;
  });
  var searchText = new Array(N);
  for (var i0 = 0; i0 < N; i0++) searchText[i0] = fold(SITES[i0].name) + " " + fold(SITES[i0].name_ascii);
  var ranks = {};  // column -> Int32Array rank (sort once per column and language)
  function rank(key) {
    var cacheKey = key + "|" + G.lang;
    if (ranks[cacheKey]) return ranks[cacheKey];
    var idx = new Array(N), c = SORTABLE[key];
    for (var i = 0; i < N; i++) idx[i] = i;
    if (c.type === "num") {
      var a = col[key];
      idx.sort(function (x, y) {
        var u = a[x], v = a[y];
        if (isNaN(u)) return isNaN(v) ? 0 : 1;
        if (isNaN(v)) return -1;
        return u - v;
      });
    } else {
      var coll = new Intl.Collator(LOCALE.vi), keys = new Array(N);
      for (var j = 0; j < N; j++) {
        var raw = SITES[j][key];
        keys[j] = c.type === "kind" ? t("kind." + raw) : c.type === "status" ? D.statuses.indexOf(raw) : String(raw || "");
      }
      idx.sort(function (x, y) {
        return c.type === "status" ? keys[x] - keys[y] : coll.compare(keys[x], keys[y]);
      });
    }
    var r = new Int32Array(N);
    for (var k = 0; k < N; k++) r[idx[k]] = k;
    ranks[cacheKey] = r;
    return r;
  }

  // ---- values as text -----------------------------------------------------------------------
  var HELPERS = { t: t, num: num, present: present };
  function value(column, s) {
    for (var pi = 0; pi < PLUGINS.length; pi++) {
      var text = PLUGINS[pi].value ? PLUGINS[pi].value(column, s, HELPERS) : undefined;
      if (text !== undefined) return text;
    }
    var v = s[column];
    if (column === "land_price") {
      if (!present(v)) return t("value.not_published");
      return t("value.per", { price: num(v, 2), currency: s.land_price_currency || "",
                              unit: s.land_price_unit === "m2" ? "m²" : s.land_price_unit || "",
                              period: s.land_price_period ? t("period." + s.land_price_period) : "" });
    }
    if (column === "access_km") return present(v) ? t("unit.km", { value: num(v, 1) }) : t("value.no_data");
    if (/^(road_km|road_h|straight_km)_/.test(column)) {
      if (!present(v)) {
        var kind = column.replace(/^(road_km|road_h|straight_km)_/, "");
        return t(/^road_/.test(column) && present(s["straight_km_" + kind]) ? "value.unreachable" : "value.no_data");
      }
      // drive times in whole minutes (an estimate from assumed speeds), never "0.19 h"
      return /^road_h_/.test(column) ? t("unit.min", { value: num(Math.max(1, Math.round(v * 60)), 0) }) : t("unit.km", { value: num(v, 1) });
    }
    if (!present(v)) return t("value.not_published");
    if (column === "kind") return t("kind." + v);
    if (column === "status") return t("status." + v) + (present(s.status_year) ? " (" + s.status_year + ")" : "");
    if (column === "geometry_quality") return t(s.location_only ? "quality.location_only" : "quality." + v);
    if (/_ha$/.test(column)) {
      var text = t("unit.ha", { value: num(v, 1) });
      if (column === "available_ha" && s.available_basis === "derived") text = "≈ " + text;
      var q = column === "area_published_ha" ? s.area_qualifier : null;
      return q === "about" || q === "over" ? t("value." + q, { value: text }) : text;
    }
    if (column === "occupancy_pct") return t("unit.pct", { value: num(v, 1) });
    if (/_mva$/.test(column)) return num(v, 1) + " MVA";
    if (/_m3_day$/.test(column)) return num(v, 1) + " m³/day";
    return String(v);
  }
  function cellText(c, s) {
    var v = s[c.key];
    if (c.type === "num") return present(v) ? num(v, 1) : "–";
    if (c.type === "kind") return present(v) ? v : "–";
    if (c.type === "status") return present(v) ? t("status." + v) : "–";
    return present(v) ? String(v) : "–";
  }


  G.D = D;
  G.SITES = SITES;
  G.N = N;
  G.KINDS_PLACE = KINDS_PLACE;
  G.ROW_H = ROW_H;
  G.LABEL_FONT = LABEL_FONT;
  G.MAX_LINES = MAX_LINES;
  G.missing = missing;
  G.API = API;
  G.PLUGINS = PLUGINS;
  G.EXTRA_FILTERS = EXTRA_FILTERS;
  G.t = t;
  G.LOCALE = LOCALE;
  G.formatters = formatters;
  G.num = num;
  G.present = present;
  G.el = el;
  G.fold = fold;
  G.COLUMNS = COLUMNS;
  G.SORTABLE = SORTABLE;
  G.col = col;
  G.searchText = searchText;
  G.ranks = ranks;
  G.rank = rank;
  G.value = value;
  G.cellText = cellText;
})(window.geozonesExplorerModules = window.geozonesExplorerModules || {});
