/* geozones investor site explorer -- the filter form and the filtering/sorting of the sites into G.order.
 *
 * One of the ordered scripts of the explorer (maps/explorer.py SCRIPTS lists them in load order); they
 * share the namespace window.geozonesExplorerModules (G): each script exports its names onto G at its end
 * and reads earlier scripts' names at its top; shared mutable state is G.state, G.lang, G.order,
 * G.visible, G.selected, G.compareOpen. Every value reaches the page through textContent or canvas
 * fillText: no script assigns innerHTML. */
(function (G) {
  "use strict";
  var API = G.API, D = G.D, DISTANCE_FILTERS = G.DISTANCE_FILTERS, EXTRA_FILTERS = G.EXTRA_FILTERS, KINDS_PLACE = G.KINDS_PLACE, LOCALE = G.LOCALE, N = G.N, SITES = G.SITES, col = G.col, defaults = G.defaults, el = G.el, fold = G.fold, present = G.present, rank = G.rank, searchText = G.searchText, side = G.side;
  // ---- filtering and sorting ----------------------------------------------------------------
  G.visible = new Uint8Array(N);
  G.order = new Int32Array(0);
  function applyFilters() {
    var t0 = performance.now();
    var kinds = G.state.kind.length ? G.state.kind : null, statuses = G.state.status.length ? G.state.status : null;
    var prov = null, provField = null;
    if (G.state.province) {
      var parts = G.state.province.split(":");
      provField = parts[0] === "pre" ? "province_pre2025" : "province";
      prov = parts.slice(1).join(":");
    }
    var q = G.state.q ? fold(G.state.q) : null;
    var minAvail = G.state.min_available, limits = [];
    KINDS_PLACE.forEach(function (k) {
      if (G.state["max_" + k] !== null) limits.push([col["road_km_" + k], G.state["max_" + k]]);
    });
    EXTRA_FILTERS.forEach(function (f) { if (G.state[f.key] !== null) limits.push([col[f.column], G.state[f.key]]); });
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
      G.visible[i] = ok ? 1 : 0;
      if (ok) out[count++] = i;
    }
    G.order = out.slice(0, count);
    var r = rank(G.state.sort), dir = G.state.dir;
    G.order.sort(function (a, b) { return dir * (r[a] - r[b]); });
    API.lastFilterMs = performance.now() - t0;
  }

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
        G.state[name] = values.filter(function (x) { return boxes[x].box.checked; });
        G.update();
      });
    });
    return { title: legend, boxes: boxes };
  }
  var kindGroup = checkGroup("kind", D.kinds);
  var statusGroup = checkGroup("status", D.statuses);

  var provField = field("gz-field-province"), provLabel = el("label"), provSelect = el("select");
  provSelect.id = "gz-province"; provSelect.name = "province"; provLabel.htmlFor = "gz-province";
  provField.appendChild(provLabel); provField.appendChild(provSelect);
  provSelect.addEventListener("change", function () { G.state.province = provSelect.value; G.update(); });
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
      G.state[name] = isFinite(v) ? v : null;
      G.update();
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
    var keep = { lang: G.state.lang, compare: G.state.compare, sort: G.state.sort, dir: G.state.dir };
    G.state = defaults();
    Object.keys(keep).forEach(function (k) { G.state[k] = keep[k]; });
    G.syncControls();
    G.update();
  });
  filters.appendChild(resetButton);
  side.appendChild(filters);
  qInput.addEventListener("input", function () { G.state.q = qInput.value; G.update(); });


  G.applyFilters = applyFilters;
  G.filters = filters;
  G.filterTitle = filterTitle;
  G.field = field;
  G.qField = qField;
  G.qLabel = qLabel;
  G.qInput = qInput;
  G.checkGroup = checkGroup;
  G.kindGroup = kindGroup;
  G.statusGroup = statusGroup;
  G.provField = provField;
  G.provLabel = provLabel;
  G.provSelect = provSelect;
  G.uniq = uniq;
  G.PROV_POST = PROV_POST;
  G.PROV_PRE = PROV_PRE;
  G.numberInput = numberInput;
  G.numberFields = numberFields;
  G.distanceNote = distanceNote;
  G.resetButton = resetButton;
})(window.geozonesExplorerModules = window.geozonesExplorerModules || {});
