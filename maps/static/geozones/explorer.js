/* geozones investor site explorer: map + list in sync, filters, sort, comparison, five languages.
 *
 * Data comes from the JSON block #gz-data (maps/explorer.py). Every value reaches the page through
 * textContent or canvas fillText: this file never assigns innerHTML. Sites are drawn on one canvas
 * layer (markers with name labels when small on screen, outlines when large enough), so 10 000
 * sites pan, zoom and filter without creating 10 000 DOM or SVG nodes; the list is virtual (only
 * the rows in view exist). State (filters, sort, language, comparison) lives in location.hash. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("gz-data").textContent);
  var SITES = D.sites, N = SITES.length, KINDS_PLACE = D.place_kinds;
  var ROW_H = 30, LABEL_FONT = '12px "Noto Sans", "DejaVu Sans", sans-serif', MAX_LINES = 12;
  var missing = [];
  var lang = D.lang;
  var API = (window.geozonesExplorer = { lastFilterMs: 0, lastDrawMs: 0 });
  // Plugins (small files loaded before this one, e.g. explorer-logistics.js) add "at most" filters on a
  // numeric column, value texts and popup rows: { filters(sites, D), value(column, site, h), popupRows(site),
  // note(t, D) }.
  var PLUGINS = (window.geozonesExplorerPlugins || []).filter(function (p) { return p && typeof p === "object"; });

  // ---- text ---------------------------------------------------------------------------------
  function t(key, values) {
    var table = D.messages[lang] || {};
    var s = table[key];
    if (s === undefined || s === null || s === "") {
      if (missing.indexOf(lang + ":" + key) < 0) missing.push(lang + ":" + key);
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
    var key = lang + digits;
    if (!formatters[key]) {
      formatters[key] = new Intl.NumberFormat(LOCALE[lang] || "en", { maximumFractionDigits: digits });
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
    var cacheKey = key + "|" + lang;
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

  // ---- state <-> URL ------------------------------------------------------------------------
  var DISTANCE_FILTERS = KINDS_PLACE.map(function (k) { return "max_" + k; })
    .concat(EXTRA_FILTERS.map(function (f) { return f.key; }));
  var state;
  function defaults() {
    var s = { lang: D.lang, q: "", kind: [], status: [], province: "", min_available: null, sort: "name", dir: 1,
              compare: [], max_highway: null, max_border_gate: null, max_railway_station: null, max_city: null };
    EXTRA_FILTERS.forEach(function (f) { s[f.key] = null; });
    return s;
  }
  function readHash() {
    var s = defaults(), params = new URLSearchParams(location.hash.replace(/^#/, ""));
    if (params.has("lang") && D.langs.indexOf(params.get("lang")) >= 0) s.lang = params.get("lang");
    if (params.has("q")) s.q = params.get("q");
    ["kind", "status", "compare"].forEach(function (k) {
      if (params.get(k)) s[k] = params.get(k).split(",").filter(Boolean);
    });
    s.kind = s.kind.filter(function (k) { return D.kinds.indexOf(k) >= 0; });
    s.status = s.status.filter(function (k) { return D.statuses.indexOf(k) >= 0; });
    var ids = {};
    SITES.forEach(function (site) { ids[site.id] = true; });
    s.compare = s.compare.filter(function (k) { return ids[k]; }).slice(0, 4);
    if (params.get("province")) s.province = params.get("province");
    ["min_available"].concat(DISTANCE_FILTERS).forEach(function (k) {
      var v = parseFloat(params.get(k));
      if (isFinite(v)) s[k] = v;
    });
    if (params.get("sort") && SORTABLE[params.get("sort")]) s.sort = params.get("sort");
    if (params.get("dir") === "desc") s.dir = -1;
    return s;
  }
  function writeHash() {
    var p = new URLSearchParams();
    if (state.lang !== D.lang) p.set("lang", state.lang);
    if (state.q) p.set("q", state.q);
    ["kind", "status", "compare"].forEach(function (k) { if (state[k].length) p.set(k, state[k].join(",")); });
    if (state.province) p.set("province", state.province);
    ["min_available"].concat(DISTANCE_FILTERS).forEach(function (k) { if (state[k] !== null) p.set(k, state[k]); });
    if (state.sort !== "name") p.set("sort", state.sort);
    if (state.dir < 0) p.set("dir", "desc");
    var text = p.toString();
    var url = location.href.split("#")[0] + (text ? "#" + text : "");
    if (url !== location.href) history.replaceState(null, "", url);
  }

  state = readHash();
  lang = state.lang;

  // ---- filtering and sorting ----------------------------------------------------------------
  var visible = new Uint8Array(N), order = new Int32Array(0);
  function applyFilters() {
    var t0 = performance.now();
    var kinds = state.kind.length ? state.kind : null, statuses = state.status.length ? state.status : null;
    var prov = null, provField = null;
    if (state.province) {
      var parts = state.province.split(":");
      provField = parts[0] === "pre" ? "province_pre2025" : "province";
      prov = parts.slice(1).join(":");
    }
    var q = state.q ? fold(state.q) : null;
    var minAvail = state.min_available, limits = [];
    KINDS_PLACE.forEach(function (k) {
      if (state["max_" + k] !== null) limits.push([col["road_km_" + k], state["max_" + k]]);
    });
    EXTRA_FILTERS.forEach(function (f) { if (state[f.key] !== null) limits.push([col[f.column], state[f.key]]); });
    var availArr = col.available_ha, count = 0, out = new Int32Array(N);
    for (var i = 0; i < N; i++) {
      var s = SITES[i], ok = true;
      if (kinds && kinds.indexOf(s.kind) < 0) ok = false;
      else if (statuses && statuses.indexOf(s.status) < 0) ok = false;
      else if (prov !== null && s[provField] !== prov) ok = false;
      else if (minAvail !== null && !(availArr[i] >= minAvail)) ok = false;
      else if (q && searchText[i].indexOf(q) < 0) ok = false;
      else {
        for (var j = 0; j < limits.length; j++) {
          if (!(limits[j][0][i] <= limits[j][1])) { ok = false; break; }
        }
      }
      visible[i] = ok ? 1 : 0;
      if (ok) out[count++] = i;
    }
    order = out.slice(0, count);
    var r = rank(state.sort), dir = state.dir;
    order.sort(function (a, b) { return dir * (r[a] - r[b]); });
    API.lastFilterMs = performance.now() - t0;
  }

  // ---- layout -------------------------------------------------------------------------------
  var root = el("div", "gz-app");
  document.body.appendChild(root);
  var header = el("header", "gz-header"), titleEl = el("h1", "gz-title"), nav = el("nav", "gz-nav");
  var langSelect = el("select", "gz-lang");
  langSelect.id = "gz-lang";
  var langLabel = el("label", "gz-lang-label");
  langLabel.htmlFor = "gz-lang";
  D.langs.forEach(function (code) {
    var o = el("option", null, D.messages[code] ? endonym(code) : code);
    o.value = code;
    langSelect.appendChild(o);
  });
  function endonym(code) {
    return { vi: "Tiếng Việt", en: "English", ko: "한국어", ja: "日本語", "zh-Hans": "简体中文" }[code] || code;
  }
  header.appendChild(titleEl);
  header.appendChild(nav);
  var langBox = el("div", "gz-lang-box");
  langBox.appendChild(langLabel);
  langBox.appendChild(langSelect);
  header.appendChild(langBox);
  var intro = el("p", "gz-intro");
  header.appendChild(intro);
  root.appendChild(header);

  var main = el("div", "gz-main"), side = el("section", "gz-side"), mapBox = el("div", "gz-map");
  mapBox.id = "gz-map";
  main.appendChild(side);
  main.appendChild(mapBox);
  root.appendChild(main);

  // Filters
  var filters = el("form", "gz-filters");
  filters.setAttribute("autocomplete", "off");
  filters.addEventListener("submit", function (e) { e.preventDefault(); });
  var filterTitle = el("h2");
  filters.appendChild(filterTitle);
  function field(cls) { var f = el("div", "gz-field " + (cls || "")); filters.appendChild(f); return f; }
  var qField = field("gz-field-q"), qLabel = el("label"), qInput = el("input");
  qInput.type = "search"; qInput.id = "gz-q"; qInput.name = "q"; qLabel.htmlFor = "gz-q";
  qField.appendChild(qLabel); qField.appendChild(qInput);

  function checkGroup(name, values) {
    var f = field("gz-field-" + name), legend = el("span", "gz-field-title"), boxes = {};
    f.appendChild(legend);
    values.forEach(function (v) {
      var lab = el("label", "gz-check"), box = el("input"), span = el("span");
      box.type = "checkbox"; box.name = name; box.value = v;
      lab.appendChild(box); lab.appendChild(span);
      f.appendChild(lab);
      boxes[v] = { box: box, span: span };
      box.addEventListener("change", function () {
        state[name] = values.filter(function (x) { return boxes[x].box.checked; });
        update();
      });
    });
    return { title: legend, boxes: boxes };
  }
  var kindGroup = checkGroup("kind", D.kinds);
  var statusGroup = checkGroup("status", D.statuses);

  var provField = field("gz-field-province"), provLabel = el("label"), provSelect = el("select");
  provSelect.id = "gz-province"; provSelect.name = "province"; provLabel.htmlFor = "gz-province";
  provField.appendChild(provLabel); provField.appendChild(provSelect);
  provSelect.addEventListener("change", function () { state.province = provSelect.value; update(); });
  function uniq(key) {
    var seen = {}, out = [];
    SITES.forEach(function (s) { if (present(s[key]) && !seen[s[key]]) { seen[s[key]] = 1; out.push(s[key]); } });
    return out.sort(new Intl.Collator(LOCALE.vi).compare);
  }
  var PROV_POST = uniq("province"), PROV_PRE = uniq("province_pre2025");

  function numberInput(name) {
    var f = field("gz-field-" + name), lab = el("label"), input = el("input");
    input.type = "number"; input.min = "0"; input.step = "any"; input.id = "gz-" + name; input.name = name;
    lab.htmlFor = input.id;
    f.appendChild(lab); f.appendChild(input);
    input.addEventListener("input", function () {
      var v = parseFloat(input.value);
      state[name] = isFinite(v) ? v : null;
      update();
    });
    return { label: lab, input: input };
  }
  var numberFields = {};
  ["min_available"].concat(DISTANCE_FILTERS).forEach(function (k) { numberFields[k] = numberInput(k); });
  var distanceNote = el("p", "gz-hint");
  filters.appendChild(distanceNote);
  var resetButton = el("button", "gz-reset");
  resetButton.type = "button";
  resetButton.addEventListener("click", function () {
    var keep = { lang: state.lang, compare: state.compare, sort: state.sort, dir: state.dir };
    state = defaults();
    Object.keys(keep).forEach(function (k) { state[k] = keep[k]; });
    syncControls();
    update();
  });
  filters.appendChild(resetButton);
  side.appendChild(filters);
  qInput.addEventListener("input", function () { state.q = qInput.value; update(); });

  // List
  var listBox = el("div", "gz-list-box"), listTitle = el("h2"), countEl = el("p", "gz-count");
  countEl.setAttribute("aria-live", "polite");
  var sortHint = el("p", "gz-hint");
  listBox.appendChild(listTitle); listBox.appendChild(countEl); listBox.appendChild(sortHint);
  var table = el("div", "gz-table"), head = el("div", "gz-row gz-head"), viewport = el("div", "gz-viewport"),
      spacer = el("div", "gz-spacer"), rowsEl = el("div", "gz-rows"), emptyEl = el("p", "gz-empty");
  table.setAttribute("role", "table");
  head.setAttribute("role", "row");
  var compareHead = el("span", "gz-cell gz-c-compare");
  head.appendChild(compareHead);
  var headCells = {};
  COLUMNS.forEach(function (c) {
    var b = el("button", "gz-cell gz-c-" + c.key);
    b.type = "button";
    b.setAttribute("role", "columnheader");
    b.dataset.key = c.key;
    b.addEventListener("click", function () {
      if (state.sort === c.key) state.dir = -state.dir; else { state.sort = c.key; state.dir = 1; }
      update();
    });
    headCells[c.key] = b;
    head.appendChild(b);
  });
  table.appendChild(head);
  viewport.appendChild(spacer);
  viewport.appendChild(rowsEl);
  table.appendChild(viewport);
  listBox.appendChild(table);
  listBox.appendChild(emptyEl);
  side.appendChild(listBox);

  // Compare
  var compareBox = el("section", "gz-compare-box"), compareTitle = el("h2"), compareHint = el("p", "gz-hint"),
      compareActions = el("div", "gz-actions"), compareButton = el("button", "gz-compare-button"),
      csvButton = el("button", "gz-csv"), compareLink = el("a", "gz-compare-link"), clearButton = el("button"),
      compareTableBox = el("div", "gz-compare-table");
  compareButton.type = csvButton.type = clearButton.type = "button";
  compareActions.appendChild(compareButton); compareActions.appendChild(csvButton);
  compareActions.appendChild(compareLink); compareActions.appendChild(clearButton);
  compareBox.appendChild(compareTitle); compareBox.appendChild(compareHint); compareBox.appendChild(compareActions);
  compareBox.appendChild(compareTableBox);
  side.appendChild(compareBox);
  var compareOpen = false;
  compareButton.addEventListener("click", function () { compareOpen = true; renderCompare(); });
  clearButton.addEventListener("click", function () { state.compare = []; compareOpen = false; update(); });
  csvButton.addEventListener("click", function () {
    var blob = new Blob(["\ufeff" + compareCsv()], { type: "text/csv;charset=utf-8" });
    var a = el("a");
    a.href = URL.createObjectURL(blob);
    a.download = "geozones-compare-" + state.compare.join("_") + ".csv";
    document.body.appendChild(a); a.click(); a.remove();
  });

  function toggleCompare(id) {
    var at = state.compare.indexOf(id);
    if (at >= 0) state.compare.splice(at, 1);
    else if (state.compare.length < 4) state.compare.push(id);
    else { compareHint.textContent = t("compare.too_many"); return; }
    update();
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
      return /^road_h_/.test(column) ? t("unit.min", { value: num(v * 60, 0) }) : t("unit.km", { value: num(v, 1) });
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

  // ---- the virtual list ---------------------------------------------------------------------
  var selected = -1;
  function renderRows() {
    var total = order.length;
    spacer.style.height = total * ROW_H + "px";
    var top = viewport.scrollTop, height = viewport.clientHeight || 400;
    var first = Math.max(0, Math.floor(top / ROW_H) - 5), last = Math.min(total, Math.ceil((top + height) / ROW_H) + 5);
    rowsEl.textContent = "";
    rowsEl.style.transform = "translateY(" + first * ROW_H + "px)";
    for (var r = first; r < last; r++) {
      var i = order[r], s = SITES[i], row = el("div", "gz-row gz-site");
      row.setAttribute("role", "row");
      row.dataset.id = s.id;
      if (i === selected) row.className += " gz-selected";
      var cbCell = el("span", "gz-cell gz-c-compare"), cb = el("input");
      cb.type = "checkbox";
      cb.checked = state.compare.indexOf(s.id) >= 0;
      cb.setAttribute("aria-label", t("col.compare") + ": " + s.name);
      cb.addEventListener("change", (function (id) { return function () { toggleCompare(id); }; })(s.id));
      cbCell.appendChild(cb);
      row.appendChild(cbCell);
      for (var c = 0; c < COLUMNS.length; c++) {
        var cell = el("span", "gz-cell gz-c-" + COLUMNS[c].key, cellText(COLUMNS[c], s));
        cell.setAttribute("role", "cell");
        if (COLUMNS[c].key === "name") cell.title = s.name;
        row.appendChild(cell);
      }
      row.addEventListener("click", (function (idx) {
        return function (e) { if (e.target.tagName !== "INPUT") selectSite(idx, true); };
      })(i));
      rowsEl.appendChild(row);
    }
    emptyEl.hidden = total > 0;
  }
  viewport.addEventListener("scroll", function () { requestAnimationFrame(renderRows); });

  // ---- the map ------------------------------------------------------------------------------
  var map = L.map(mapBox, { zoomAnimation: false, preferCanvas: true, zoomSnap: 0.5 });
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
  var refLayers = {};
  Object.keys(D.layers).forEach(function (key) {
    var style = REF_STYLE[key] || { color: "#666", weight: 1 };
    refLayers[key] = L.geoJSON(D.layers[key], {
      style: function () { return style; },
      interactive: key === "layer.destinations" || key === "layer.logistics_destinations",
      pointToLayer: function (f, latlng) {
        var m = L.circleMarker(latlng, style);
        var label = el("span", null, f.properties.name || "");
        m.bindTooltip(label, { direction: "top" });
        return m;
      }
    });
    if (!REF_HIDDEN[key]) refLayers[key].addTo(map);
  });

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
      for (var r = order.length - 1; r >= 0; r--) {
        var i = order[r];
        if (!located[i] && !RINGS[i]) continue;
        var x = ZERO[2 * i] * scale - origin.x, y = ZERO[2 * i + 1] * scale - origin.y;
        var big = RINGS[i] && EXTENT[i] * scale >= 14;
        if (!big && (x < -50 || y < -50 || x > size.x + 50 || y > size.y + 50)) continue;
        var s = SITES[i], fill = D.status_colors[s.status] || "#ccc", outline = D.kind_outlines[s.kind] || ["#222", 2, null];
        var chosen = state.compare.indexOf(s.id) >= 0 || i === selected;
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

  // Greedy label placement: right, left, above, below; a label that fits nowhere joins the label
  // of the nearest site within 48 px (one label listing several names), else it is drawn anyway.
  // Over DENSE sites on screen, one label per screen cell: the first site's name (in list order) and how
  // many more share the cell; zooming in separates them (every site is named at a closer zoom).
  var DENSE = 400, CELL_W = 170, CELL_H = 36;
  function denseLabels(ctx, drawn, size) {
    var cells = {}, keys = [];
    for (var d = drawn.length - 1; d >= 0; d--) {  // list order
      var x = drawn[d][1], y = drawn[d][2];
      if (x < 0 || y < 0 || x > size.x || y > size.y) continue;
      var key = Math.floor(x / CELL_W) + ":" + Math.floor(y / CELL_H);
      if (!cells[key]) { cells[key] = { members: [], gx: Math.floor(x / CELL_W), gy: Math.floor(y / CELL_H) }; keys.push(key); }
      cells[key].members.push(drawn[d][0]);
    }
    ctx.textBaseline = "top";
    var groups = [];
    keys.forEach(function (key) {
      var c = cells[key], x0 = c.gx * CELL_W + 3, y0 = c.gy * CELL_H + 3;
      var lines = [SITES[c.members[0]].name || SITES[c.members[0]].id];
      if (c.members.length > 1) lines.push("+" + (c.members.length - 1) + " …");
      ctx.fillStyle = "rgba(255,255,255,0.85)";
      ctx.fillRect(x0 - 2, y0 - 1, CELL_W - 6, lines.length * 15 + 2);
      ctx.fillStyle = "#111";
      var g = { members: c.members, lines: [] };
      lines.forEach(function (l, n) {
        ctx.fillText(l, x0, y0 + n * 15, CELL_W - 10);
        g.lines.push({ site: n === 0 ? c.members[0] : -1, box: [x0, y0 + n * 15, x0 + CELL_W - 10, y0 + n * 15 + 15] });
      });
      groups.push(g);
    });
    return groups;
  }

  var widths = {};
  function estimate(text) { return text.length * 6.6; }  // 12px Noto Sans averages under 6.6 px a letter
  function placeLabels(ctx, drawn, size) {
    ctx.font = LABEL_FONT;
    if (drawn.length > DENSE) return denseLabels(ctx, drawn, size);
    var CELL = 64, grid = {}, groups = [];
    function cells(b) {
      var out = [];
      for (var gx = Math.floor(b[0] / CELL); gx <= Math.floor(b[2] / CELL); gx++)
        for (var gy = Math.floor(b[1] / CELL); gy <= Math.floor(b[3] / CELL); gy++) out.push(gx + ":" + gy);
      return out;
    }
    function hits(b) {
      var cs = cells(b);
      for (var c = 0; c < cs.length; c++) {
        var list = grid[cs[c]];
        if (!list) continue;
        for (var j = 0; j < list.length; j++) {
          var o = list[j].box;
          if (b[0] < o[2] && b[2] > o[0] && b[1] < o[3] && b[3] > o[1]) return true;
        }
      }
      return false;
    }
    function add(g) { cells(g.box).forEach(function (c) { (grid[c] = grid[c] || []).push(g); }); groups.push(g); }
    // labels in list order: the first rows get the best places
    var byOrder = drawn.slice().reverse();
    var anchors = {};  // grid of groups by anchor for joining
    for (var d = 0; d < byOrder.length; d++) {
      var i = byOrder[d][0], x = byOrder[d][1], y = byOrder[d][2];
      if (x < 0 || y < 0 || x > size.x || y > size.y) continue;
      var name = SITES[i].name || SITES[i].id;
      var w = widths[name] || estimate(name);  // measured exactly when drawn
      var h = 15, placed = null;
      var candidates = [[x + 10, y - h / 2], [x - 10 - w, y - h / 2], [x - w / 2, y - 10 - h], [x - w / 2, y + 10]];
      for (var c = 0; c < candidates.length; c++) {
        var b = [candidates[c][0] - 2, candidates[c][1], candidates[c][0] + w + 2, candidates[c][1] + h];
        if (!hits(b)) { placed = b; break; }
      }
      if (placed) {
        var g = { box: placed, x: placed[0] + 2, y: placed[1], members: [i], ax: x, ay: y };
        add(g);
        var key = Math.floor(x / 48) + ":" + Math.floor(y / 48);
        (anchors[key] = anchors[key] || []).push(g);
        continue;
      }
      var best = null, bestD = 48 * 48;
      for (var ax = Math.floor(x / 48) - 1; ax <= Math.floor(x / 48) + 1; ax++)
        for (var ay = Math.floor(y / 48) - 1; ay <= Math.floor(y / 48) + 1; ay++) {
          (anchors[ax + ":" + ay] || []).forEach(function (g) {
            var dd = (g.ax - x) * (g.ax - x) + (g.ay - y) * (g.ay - y);
            if (dd <= bestD) { bestD = dd; best = g; }
          });
        }
      if (best) {
        best.members.push(i);
        continue;
      }
      var fb = [x + 10 - 2, y - h / 2, x + 10 + w + 2, y + h / 2];
      add({ box: fb, x: x + 10, y: y - h / 2, members: [i], ax: x, ay: y });
    }
    // draw; with thousands of sites on screen a joined label names its first sites and counts the rest
    var maxLines = drawn.length > 2000 ? 3 : MAX_LINES;
    ctx.textBaseline = "top";
    ctx.lineJoin = "round";
    groups.forEach(function (g) {
      var lines = g.members.slice(0, g.members.length > maxLines ? maxLines - 1 : maxLines).map(function (i) {
        return SITES[i].name || SITES[i].id;
      });
      if (g.members.length > maxLines) lines.push("+" + (g.members.length - maxLines + 1) + " …");
      var width = 0;
      lines.forEach(function (l) { width = Math.max(width, widths[l] || (widths[l] = ctx.measureText(l).width)); });
      var y0 = g.y, x0 = g.x;
      if (g.members.length > 1) {  // a joined label: a box with a leader to the anchor
        if (y0 + lines.length * 15 > size.y) y0 = Math.max(0, size.y - lines.length * 15);
        ctx.fillStyle = "rgba(255,255,255,0.85)";
        ctx.fillRect(x0 - 3, y0 - 1, width + 6, lines.length * 15 + 2);
        ctx.strokeStyle = "#777"; ctx.lineWidth = 1;
        ctx.strokeRect(x0 - 3, y0 - 1, width + 6, lines.length * 15 + 2);
      }
      g.lines = [];
      lines.forEach(function (l, n) {
        if (g.members.length === 1) {  // a white halo; joined labels have a white box instead
          ctx.strokeStyle = "rgba(255,255,255,0.95)"; ctx.lineWidth = 3;
          ctx.strokeText(l, x0, y0 + n * 15);
        }
        ctx.fillStyle = "#111";
        ctx.fillText(l, x0, y0 + n * 15);
        g.lines.push({ site: n < g.members.length ? g.members[n] : -1, box: [x0, y0 + n * 15, x0 + width, y0 + n * 15 + 15] });
      });
    });
    return groups;
  }

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
    if (i >= 0) selectSite(i, false);
  });
  map.on("mousemove", function (e) {
    mapBox.style.cursor = siteAt(e.containerPoint) >= 0 ? "pointer" : "";
  });

  // ---- popup --------------------------------------------------------------------------------
  function popupContent(s, i) {
    var box = el("div", "gz-popup"), h = el("h3", null, s.name);
    box.appendChild(h);
    if (present(s.name_ascii) && s.name_ascii !== s.name) box.appendChild(el("div", "gz-ascii", s.name_ascii));
    var tbl = el("table", "gz-kv");
    function row(labelKey, column) {
      var tr = el("tr");
      tr.appendChild(el("th", null, t(labelKey)));
      tr.appendChild(el("td", null, value(column, s)));
      tbl.appendChild(tr);
    }
    row("field.kind", "kind"); row("field.status", "status"); row("field.province", "province");
    row("field.province_pre2025", "province_pre2025"); row("field.area_published", "area_published_ha");
    row("field.area_mapped", "area_mapped_ha"); row("field.available", "available_ha");
    row("field.occupancy", "occupancy_pct");
    KINDS_PLACE.forEach(function (k) { row("field.road_" + k, "road_km_" + k); });
    PLUGINS.forEach(function (p) { (p.popupRows ? p.popupRows(s) : []).forEach(function (r) { row(r[0], r[1]); }); });
    box.appendChild(tbl);
    box.appendChild(el("p", "gz-note " + (s.location_only ? "gz-location-only" : "gz-quality"),
                       value("geometry_quality", s)));
    var actions = el("div", "gz-actions");
    var zoom = el("button", null, t("popup.zoom"));
    zoom.type = "button";
    zoom.addEventListener("click", function () { zoomTo(i); });
    actions.appendChild(zoom);
    var add = el("button", "gz-add-compare", t("popup.add_compare"));
    add.type = "button";
    add.addEventListener("click", function () { if (state.compare.indexOf(s.id) < 0) toggleCompare(s.id); });
    actions.appendChild(add);
    if (D.links.factsheet) {
      ["pdf", "html"].forEach(function (f) {
        var a = el("a", "gz-factsheet-" + f, t("popup.factsheet_" + f));
        a.href = D.links.factsheet.replace("{id}", encodeURIComponent(s.id)).replace("{lang}", lang).replace("{f}", f);
        a.target = "_blank"; a.rel = "noopener";
        actions.appendChild(a);
      });
    }
    box.appendChild(actions);
    return box;
  }
  function zoomTo(i) {
    var rings = D.outlines[i];
    if (rings) {
      var b = L.latLngBounds([]);
      rings.forEach(function (ring) { ring.forEach(function (c) { b.extend([c[1], c[0]]); }); });
      map.fitBounds(b, { maxZoom: 16, padding: [40, 40] });
    } else if (located[i]) {
      map.setView([SITES[i].lat, SITES[i].lon], 14);
    }
  }
  function selectSite(i, fromList) {
    PLUGINS.forEach(function (p) { if (p.onSelect) p.onSelect(SITES[i], map, D); });
    selected = i;
    var s = SITES[i];
    if (fromList && located[i]) {
      if (!map.getBounds().contains([s.lat, s.lon])) map.panTo([s.lat, s.lon]);
    }
    if (located[i]) {
      L.popup({ maxWidth: 360, autoPanPadding: [20, 20] }).setLatLng([s.lat, s.lon]).setContent(popupContent(s, i))
        .openOn(map);
    }
    var at = -1;
    for (var r = 0; r < order.length; r++) if (order[r] === i) { at = r; break; }
    if (at >= 0 && !fromList) {
      var top = at * ROW_H;
      if (top < viewport.scrollTop || top > viewport.scrollTop + viewport.clientHeight - ROW_H) viewport.scrollTop = top - ROW_H;
    }
    renderRows();
    sites.redraw();
  }

  // ---- legend -------------------------------------------------------------------------------
  var Legend = L.Control.extend({
    options: { position: "bottomright" },
    onAdd: function () {
      var div = L.DomUtil.create("div", "gz-legend");
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      this._div = div;
      return div;
    },
    render: function () {
      var box = this._div, open = this._details ? this._details.open : box.ownerDocument.body.clientWidth > 700;
      box.textContent = "";
      var div = this._details = el("details");
      div.open = open;
      box.appendChild(div);
      div.appendChild(el("summary", "gz-legend-title", t("legend.title")));
      div.appendChild(el("h5", null, t("legend.status")));
      D.statuses.forEach(function (k) { div.appendChild(swatch("fill", D.status_colors[k], t("status." + k))); });
      div.appendChild(el("h5", null, t("legend.kind")));
      D.kinds.forEach(function (k) { div.appendChild(swatch("outline", D.kind_outlines[k], t("kind." + k))); });
      div.appendChild(el("h5", null, t("layer.sites")));
      div.appendChild(swatch("marker", null, t("legend.marker")));
      div.appendChild(swatch("polygon", null, t("legend.polygon")));
      div.appendChild(swatch("square", null, t("legend.location_only")));
      div.appendChild(swatch("dashed", null, t("legend.approximate")));
      div.appendChild(swatch("selected", null, t("legend.selected")));
      div.appendChild(swatch("group", null, t("legend.group")));
      Object.keys(refLayers).forEach(function (key) {
        var lab = el("label", "gz-legend-layer"), box = el("input");
        box.type = "checkbox"; box.checked = map.hasLayer(refLayers[key]);
        box.addEventListener("change", function () {
          if (box.checked) refLayers[key].addTo(map); else map.removeLayer(refLayers[key]);
          sites.redraw();
        });
        lab.appendChild(box);
        lab.appendChild(swatch("line", REF_STYLE[key], t(key)));
        div.appendChild(lab);
      });
    }
  });
  function swatch(type, style, label) {
    var row = el("div", "gz-legend-row"), c = document.createElement("canvas");
    c.width = 28; c.height = 16; c.className = "gz-swatch";
    var g = c.getContext("2d");
    g.lineWidth = 2;
    if (type === "fill") { g.fillStyle = style; g.globalAlpha = 0.8; g.fillRect(2, 2, 24, 12); }
    else if (type === "outline") { g.strokeStyle = style[0]; g.lineWidth = style[1]; if (style[2]) g.setLineDash(style[2].split(" ").map(Number)); g.strokeRect(3, 3, 22, 10); }
    else if (type === "marker") { g.beginPath(); g.arc(14, 8, 6, 0, 7); g.fillStyle = "#2e7d32"; g.fill(); g.strokeStyle = "#222"; g.stroke(); }
    else if (type === "polygon") { g.fillStyle = "rgba(46,125,50,.6)"; g.fillRect(3, 3, 22, 10); g.strokeStyle = "#222"; g.strokeRect(3, 3, 22, 10); }
    else if (type === "square") { g.fillStyle = "#9ecae1"; g.fillRect(8, 2, 12, 12); g.strokeStyle = "#222"; g.strokeRect(8, 2, 12, 12); }
    else if (type === "dashed") { g.setLineDash([6, 4]); g.strokeStyle = "#222"; g.strokeRect(3, 3, 22, 10); }
    else if (type === "selected") { g.beginPath(); g.arc(14, 8, 6, 0, 7); g.lineWidth = 3.5; g.strokeStyle = "#d81b60"; g.stroke(); }
    else if (type === "group") { g.fillStyle = "#fff"; g.fillRect(2, 1, 24, 14); g.strokeStyle = "#777"; g.lineWidth = 1; g.strokeRect(2, 1, 24, 14); g.fillStyle = "#111"; g.fillRect(5, 4, 16, 2); g.fillRect(5, 10, 12, 2); }
    else if (type === "line") {
      g.strokeStyle = style.color; g.lineWidth = style.weight;
      if (style.dashArray) g.setLineDash(style.dashArray.split(" ").map(Number));
      if (style.radius) { g.beginPath(); g.arc(14, 8, 5, 0, 7); g.fillStyle = "#fff"; g.fill(); g.stroke(); }
      else { g.beginPath(); g.moveTo(2, 8); g.lineTo(26, 8); g.stroke(); }
    }
    row.appendChild(c);
    row.appendChild(el("span", null, label));
    return row;
  }
  var legend = new Legend();
  legend.addTo(map);
  L.control.scale({ imperial: false }).addTo(map);

  // ---- comparison ---------------------------------------------------------------------------
  function chosenSites() {
    var byId = {};
    SITES.forEach(function (s) { byId[s.id] = s; });
    return state.compare.map(function (id) { return byId[id]; });
  }
  // OWASP CSV injection: text starting with = + - @ tab or CR gets a ' so spreadsheets show it as text
  // (the same rule as geozones.io.csvcells.csv_cell on the server)
  function csvCell(v) { v = String(v); return /^[=+\-@\t\r]/.test(v) ? "'" + v : v; }
  function compareCsv() {
    var chosen = chosenSites();
    function q(v) { v = csvCell(v); return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v; }
    var lines = [[t("compare.field")].concat(chosen.map(function (s) { return s.name; }))];
    lines.push([t("field.id")].concat(state.compare));
    D.compare_fields.forEach(function (f) {
      lines.push([t(f[0])].concat(chosen.map(function (s) { return value(f[1], s); })));
    });
    return lines.map(function (l) { return l.map(q).join(","); }).join("\r\n") + "\r\n";
  }
  function renderCompare() {
    var n = state.compare.length;
    compareTitle.textContent = t("compare.title");
    compareHint.textContent = n < 2 ? t("compare.pick") : state.compare.length >= 4 ? t("compare.too_many") : t("compare.pick");
    compareButton.textContent = t("compare.button") + " (" + n + ")";
    compareButton.disabled = n < 2;
    csvButton.textContent = t("compare.csv");
    csvButton.disabled = n < 2;
    clearButton.textContent = t("compare.clear");
    compareLink.textContent = t("compare.link");
    compareLink.hidden = n < 2;
    if (D.links.compare) {
      compareLink.href = D.links.compare.replace("{ids}", state.compare.map(encodeURIComponent).join(",")).replace("{lang}", lang);
    } else {
      compareLink.href = location.href;
    }
    compareTableBox.textContent = "";
    if (!compareOpen || n < 2) return;
    var chosen = chosenSites(), tbl = el("table", "gz-compare"), thead = el("thead"), hr = el("tr");
    hr.appendChild(el("th", null, t("compare.field")));
    chosen.forEach(function (s) { var th = el("th", null, s.name); th.scope = "col"; hr.appendChild(th); });
    thead.appendChild(hr); tbl.appendChild(thead);
    var tbody = el("tbody");
    D.compare_fields.forEach(function (f) {
      var tr = el("tr"), th = el("th", null, t(f[0]));
      th.scope = "row";
      tr.appendChild(th);
      chosen.forEach(function (s) { tr.appendChild(el("td", null, value(f[1], s))); });
      tbody.appendChild(tr);
    });
    tbl.appendChild(tbody);
    compareTableBox.appendChild(tbl);
    compareTableBox.appendChild(el("p", "gz-hint", t("factsheet.note_drive")));
  }

  // ---- texts and controls from the state ---------------------------------------------------
  function renderTexts() {
    document.documentElement.lang = lang;
    document.title = t("app.title");
    titleEl.textContent = t("app.title");
    intro.textContent = t("app.intro") + " " + t("factsheet.note_names");
    langLabel.textContent = t("nav.language");
    nav.textContent = "";
    [["home", "nav.home"], ["downloads", "nav.downloads"], ["api", "nav.api"]].forEach(function (l) {
      if (!D.links[l[0]]) return;
      var a = el("a", null, t(l[1]));
      a.href = D.links[l[0]].replace("{lang}", lang);
      nav.appendChild(a);
    });
    filterTitle.textContent = t("filter.title");
    qLabel.textContent = t("filter.search");
    qInput.placeholder = t("filter.search_hint");
    kindGroup.title.textContent = t("filter.kind");
    D.kinds.forEach(function (k) { kindGroup.boxes[k].span.textContent = t("kind." + k); });
    statusGroup.title.textContent = t("filter.status");
    D.statuses.forEach(function (k) { statusGroup.boxes[k].span.textContent = t("status." + k); });
    provLabel.textContent = t("filter.province");
    provSelect.textContent = "";
    var any = el("option", null, t("filter.any"));
    any.value = "";
    provSelect.appendChild(any);
    [["post", PROV_POST, "filter.province_post"], ["pre", PROV_PRE, "filter.province_pre"]].forEach(function (g) {
      var og = el("optgroup");
      og.label = t(g[2]);
      g[1].forEach(function (p) { var o = el("option", null, p); o.value = g[0] + ":" + p; og.appendChild(o); });
      provSelect.appendChild(og);
    });
    numberFields.min_available.label.textContent = t("filter.min_available");
    KINDS_PLACE.forEach(function (k) { numberFields["max_" + k].label.textContent = t("filter.max_" + k); });
    EXTRA_FILTERS.forEach(function (f) { numberFields[f.key].label.textContent = t(f.label); });
    distanceNote.textContent = t("filter.no_data_note");
    PLUGINS.forEach(function (p) { if (p.note) distanceNote.textContent += " " + p.note(t, D); });
    resetButton.textContent = t("filter.reset");
    listTitle.textContent = t("list.title");
    sortHint.textContent = t("list.sort_hint");
    compareHead.textContent = t("col.compare");
    emptyEl.textContent = t("list.empty");
    legend.render();
  }
  function syncControls() {
    langSelect.value = lang;
    qInput.value = state.q;
    D.kinds.forEach(function (k) { kindGroup.boxes[k].box.checked = state.kind.indexOf(k) >= 0; });
    D.statuses.forEach(function (k) { statusGroup.boxes[k].box.checked = state.status.indexOf(k) >= 0; });
    provSelect.value = state.province;
    ["min_available"].concat(DISTANCE_FILTERS).forEach(function (k) {
      numberFields[k].input.value = state[k] === null ? "" : state[k];
    });
  }
  function renderHeader() {
    COLUMNS.forEach(function (c) {
      var b = headCells[c.key], arrow = state.sort === c.key ? (state.dir > 0 ? " ▲" : " ▼") : "";
      b.textContent = t(c.label) + arrow;
      b.setAttribute("aria-sort", state.sort === c.key ? (state.dir > 0 ? "ascending" : "descending") : "none");
    });
  }

  langSelect.addEventListener("change", function () {
    state.lang = lang = langSelect.value;
    renderTexts();
    syncControls();
    update();
  });

  function update() {
    applyFilters();
    writeHash();
    countEl.textContent = t("list.count", { shown: num(order.length, 0), total: num(N, 0) });
    renderHeader();
    renderRows();
    renderCompare();
    sites.redraw();
    API.updatedAt = performance.now();
  }

  window.addEventListener("hashchange", function () {
    state = readHash();
    lang = state.lang;
    renderTexts();
    syncControls();
    update();
  });

  // ---- test and benchmark hooks -------------------------------------------------------------
  L.extend(API, {
    listedIds: function () { return Array.prototype.map.call(order, function (i) { return SITES[i].id; }); },
    mapIds: function () {  // sites drawn on the map canvas now (marker or outline)
      var seen = {}, out = [];
      (sites.drawn || []).concat(sites.shapes || []).forEach(function (d) {
        if (!seen[d[0]]) { seen[d[0]] = 1; out.push(SITES[d[0]].id); }
      });
      return out;
    },
    outlinedIds: function () {  // sites drawn as their outline now (large enough on screen)
      return (sites.shapes || []).map(function (d) { return SITES[d[0]].id; });
    },
    labelledIds: function () {
      var out = [];
      (sites.labels || []).forEach(function (g) { g.lines.forEach(function (l) { if (l.site >= 0) out.push(SITES[l.site].id); }); });
      return out;
    },
    missingKeys: function () { return missing.slice(); },
    state: function () { return JSON.parse(JSON.stringify(state)); },
    map: map,
    select: function (id) {
      for (var i = 0; i < N; i++) if (SITES[i].id === id) { selectSite(i, true); return true; }
      return false;
    },
    zoomTo: function (id) { for (var i = 0; i < N; i++) if (SITES[i].id === id) zoomTo(i); },
    fitAll: fitAll
  });

  function fitAll() {
    var b = L.latLngBounds([]);
    for (var i = 0; i < N; i++) if (located[i]) b.extend([SITES[i].lat, SITES[i].lon]);
    if (b.isValid()) map.fitBounds(b, { padding: [30, 30], maxZoom: 13 });
    else map.setView([21.9, 106.2], 8);
  }

  renderTexts();
  syncControls();
  update();
  window.geozonesReadyAt = performance.now();
  window.geozonesReady = true;
  document.documentElement.setAttribute("data-geozones-ready", "1");
})();
