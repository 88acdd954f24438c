/* geozones investor site explorer -- the state (filters, sort, language, comparison) <-> the URL fragment.
 *
 * One of the ordered scripts of the explorer (maps/explorer.py SCRIPTS lists them in load order); they
 * share the namespace window.geozonesExplorerModules (G): each script exports its names onto G at its end
 * and reads earlier scripts' names at its top; shared mutable state is G.state, G.lang, G.order,
 * G.visible, G.selected, G.compareOpen. Every value reaches the page through textContent or canvas
 * fillText: no script assigns innerHTML. */
(function (G) {
  "use strict";
  var D = G.D, EXTRA_FILTERS = G.EXTRA_FILTERS, KINDS_PLACE = G.KINDS_PLACE, SITES = G.SITES, SORTABLE = G.SORTABLE;
  // ---- state <-> URL ------------------------------------------------------------------------
  var DISTANCE_FILTERS = KINDS_PLACE.map(function (k) { return "max_" + k; })
    .concat(EXTRA_FILTERS.map(function (f) { return f.key; }));
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
    if (G.state.lang !== D.lang) p.set("lang", G.state.lang);
    if (G.state.q) p.set("q", G.state.q);
    ["kind", "status", "compare"].forEach(function (k) { if (G.state[k].length) p.set(k, G.state[k].join(",")); });
    if (G.state.province) p.set("province", G.state.province);
    ["min_available"].concat(DISTANCE_FILTERS).forEach(function (k) { if (G.state[k] !== null) p.set(k, G.state[k]); });
    if (G.state.sort !== "name") p.set("sort", G.state.sort);
    if (G.state.dir < 0) p.set("dir", "desc");
    var text = p.toString();
    var url = location.href.split("#")[0] + (text ? "#" + text : "");
    if (url !== location.href) history.replaceState(null, "", url);
  }

  G.state = readHash();
  G.lang = G.state.lang;


  G.DISTANCE_FILTERS = DISTANCE_FILTERS;
  G.defaults = defaults;
  G.readHash = readHash;
  G.writeHash = writeHash;
})(window.geozonesExplorerModules = window.geozonesExplorerModules || {});
