/* geozones investor site explorer -- texts and controls from the state, update(), test hooks, start.
 *
 * One of the ordered scripts of the explorer (maps/explorer.py SCRIPTS lists them in load order); they
 * share the namespace window.geozonesExplorerModules (G): each script exports its names onto G at its end
 * and reads earlier scripts' names at its top; shared mutable state is G.state, G.lang, G.order,
 * G.visible, G.selected, G.compareOpen. Every value reaches the page through textContent or canvas
 * fillText: no script assigns innerHTML. */
(function (G) {
  "use strict";
  var API = G.API, COLUMNS = G.COLUMNS, D = G.D, DISTANCE_FILTERS = G.DISTANCE_FILTERS, KINDS_PLACE = G.KINDS_PLACE, N = G.N, PROV_POST = G.PROV_POST, PROV_PRE = G.PROV_PRE, SITES = G.SITES, applyFilters = G.applyFilters, compareHead = G.compareHead, countEl = G.countEl, distanceNote = G.distanceNote, el = G.el, emptyEl = G.emptyEl, filterTitle = G.filterTitle, fitAll = G.fitAll, headCells = G.headCells, intro = G.intro, kindGroup = G.kindGroup, langLabel = G.langLabel, langSelect = G.langSelect, legend = G.legend, listTitle = G.listTitle, map = G.map, missing = G.missing, nav = G.nav, num = G.num, numberFields = G.numberFields, provLabel = G.provLabel, provSelect = G.provSelect, qInput = G.qInput, qLabel = G.qLabel, readHash = G.readHash, renderCompare = G.renderCompare, renderRows = G.renderRows, resetButton = G.resetButton, selectSite = G.selectSite, sites = G.sites, sortHint = G.sortHint, statusGroup = G.statusGroup, t = G.t, titleEl = G.titleEl, writeHash = G.writeHash, zoomTo = G.zoomTo;
  // ---- texts and controls from the state ---------------------------------------------------
  function renderTexts() {
    document.documentElement.lang = G.lang;
    document.title = t("app.title");
    titleEl.textContent = t("app.title");
    intro.textContent = t("app.intro") + " " + t("factsheet.note_names");
    langLabel.textContent = t("nav.language");
    nav.textContent = "";
    [["home", "nav.home"], ["downloads", "nav.downloads"], ["api", "nav.api"]].forEach(function (l) {
      if (!D.links[l[0]]) return;
      var a = el("a", null, t(l[1]));
      a.href = D.links[l[0]].replace("{lang}", G.lang);
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
    G.EXTRA_FILTERS.forEach(function (f) { numberFields[f.key].label.textContent = t(f.label); });
    distanceNote.textContent = t("filter.no_data_note");
    G.PLUGINS.forEach(function (p) { if (p.note) distanceNote.textContent += " " + p.note(t, D); });
    resetButton.textContent = t("filter.reset");
    listTitle.textContent = t("list.title");
    sortHint.textContent = t("list.sort_hint");
    compareHead.textContent = t("col.compare");
    emptyEl.textContent = t("list.empty");
    legend.render();
  }
  function syncControls() {
    langSelect.value = G.lang;
    qInput.value = G.state.q;
    D.kinds.forEach(function (k) { kindGroup.boxes[k].box.checked = G.state.kind.indexOf(k) >= 0; });
    D.statuses.forEach(function (k) { statusGroup.boxes[k].box.checked = G.state.status.indexOf(k) >= 0; });
    provSelect.value = G.state.province;
    ["min_available"].concat(DISTANCE_FILTERS).forEach(function (k) {
      numberFields[k].input.value = G.state[k] === null ? "" : G.state[k];
    });
  }
  function renderHeader() {
    COLUMNS.forEach(function (c) {
      var b = headCells[c.key], arrow = G.state.sort === c.key ? (G.state.dir > 0 ? " ▲" : " ▼") : "";
      b.textContent = t(c.label) + arrow;
      b.setAttribute("aria-sort", G.state.sort === c.key ? (G.state.dir > 0 ? "ascending" : "descending") : "none");
    });
  }

  langSelect.addEventListener("change", function () {
    G.state.lang = G.lang = langSelect.value;
    renderTexts();
    syncControls();
    update();
  });

  // The filters of the state (what decides the filtered sites): the map refits when they change.
  var lastFit = null;
  function filterKey() {
    var s = G.state, keep = {};
    Object.keys(s).forEach(function (k) { if (["lang", "sort", "dir", "compare"].indexOf(k) < 0) keep[k] = s[k]; });
    return JSON.stringify(keep);
  }
  function update() {
    applyFilters();
    writeHash();
    var fk = filterKey();
    if (fk !== lastFit && G.order.length) { lastFit = fk; G.fitToSites(); }
    countEl.textContent = t("list.count", { shown: num(G.order.length, 0), total: num(N, 0) });
    renderHeader();
    renderRows();
    renderCompare();
    sites.redraw();
    API.updatedAt = performance.now();
  }

  window.addEventListener("hashchange", function () {
    G.state = readHash();
    G.lang = G.state.lang;
    renderTexts();
    syncControls();
    update();
  });

  // ---- test and benchmark hooks -------------------------------------------------------------
  L.extend(API, {
    listedIds: function () { return Array.prototype.map.call(G.order, function (i) { return SITES[i].id; }); },
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
    drawnPoints: function () {  // [id, x, y] of every marker drawn now, in map container pixels
      return (sites.drawn || []).map(function (d) { return [SITES[d[0]].id, d[1], d[2]]; });
    },
    labelBoxes: function () {  // [left, top, right, bottom] of every label line drawn now (map container pixels)
      var out = [];
      (sites.labels || []).forEach(function (g) { g.lines.forEach(function (l) { out.push(l.box.slice()); }); });
      return out;
    },
    groupBoxes: function () {  // one box per label (a joined label is one box), map container pixels
      return (sites.labels || []).map(function (g) {
        var b = [Infinity, Infinity, -Infinity, -Infinity];
        g.lines.forEach(function (l) { b = [Math.min(b[0], l.box[0]), Math.min(b[1], l.box[1]), Math.max(b[2], l.box[2]), Math.max(b[3], l.box[3])]; });
        return b;
      });
    },
    missingKeys: function () { return missing.slice(); },
    state: function () { return JSON.parse(JSON.stringify(G.state)); },
    map: map,
    select: function (id) {
      for (var i = 0; i < N; i++) if (SITES[i].id === id) { selectSite(i, true); return true; }
      return false;
    },
    zoomTo: function (id) { for (var i = 0; i < N; i++) if (SITES[i].id === id) zoomTo(i); },
    fitAll: fitAll
  });

  G.renderTexts = renderTexts;
  G.syncControls = syncControls;
  G.renderHeader = renderHeader;
  G.update = update;

  renderTexts();
  syncControls();
  update();
  window.geozonesReadyAt = performance.now();
  window.geozonesReady = true;
  document.documentElement.setAttribute("data-geozones-ready", "1");
  G.loadRefLayers();
})(window.geozonesExplorerModules = window.geozonesExplorerModules || {});
