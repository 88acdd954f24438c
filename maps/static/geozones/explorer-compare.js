/* geozones investor site explorer -- the comparison panel (2-4 sites).
 *
 * One of the ordered scripts of the explorer (maps/explorer.py SCRIPTS lists them in load order); they
 * share the namespace window.geozonesExplorerModules (G): each script exports its names onto G at its end
 * and reads earlier scripts' names at its top; shared mutable state is G.state, G.lang, G.order,
 * G.visible, G.selected, G.compareOpen. Every value reaches the page through textContent or canvas
 * fillText: no script assigns innerHTML. */
(function (G) {
  "use strict";
  var D = G.D, SITES = G.SITES, compareCsv = G.compareCsv, el = G.el, side = G.side, t = G.t, value = G.value;
  // Compare
  var compareBox = el("section", "gz-compare-box"), compareTitle = el("h2"), compareHint = el("p", "gz-hint"),
      compareActions = el("div", "gz-actions"), compareButton = el("button", "gz-compare-button"),
      csvButton = el("button", "gz-csv"), compareLink = el("a", "gz-compare-link"), clearButton = el("button"),
      compareTableBox = el("div", "gz-compare-table");
  compareButton.type = csvButton.type = clearButton.type = "button";
  compareActions.appendChild(compareButton); compareActions.appendChild(csvButton);
  compareActions.appendChild(compareLink); compareActions.appendChild(clearButton);
  var interestButton = el("button", "gz-compare-interest");
  interestButton.type = "button";
  interestButton.hidden = !D.links.inquiry;
  interestButton.addEventListener("click", function () { G.openInquiry(G.state.compare.slice()); });
  compareActions.appendChild(interestButton);
  compareBox.appendChild(compareTitle); compareBox.appendChild(compareHint); compareBox.appendChild(compareActions);
  compareBox.appendChild(compareTableBox);
  side.appendChild(compareBox);
  G.compareOpen = false;
  compareButton.addEventListener("click", function () { G.compareOpen = true; renderCompare(); });
  clearButton.addEventListener("click", function () { G.state.compare = []; G.compareOpen = false; G.update(); });
  csvButton.addEventListener("click", function () {
    var blob = new Blob(["\ufeff" + compareCsv()], { type: "text/csv;charset=utf-8" });
    var a = el("a");
    a.href = URL.createObjectURL(blob);
    a.download = "geozones-compare-" + G.state.compare.join("_") + ".csv";
    document.body.appendChild(a); a.click(); a.remove();
  });

  function toggleCompare(id) {
    var at = G.state.compare.indexOf(id);
    if (at >= 0) G.state.compare.splice(at, 1);
    else if (G.state.compare.length < 4) G.state.compare.push(id);
    else { compareHint.textContent = t("compare.too_many"); return; }
    G.update();
  }

  // ---- comparison ---------------------------------------------------------------------------
  function chosenSites() {
    var byId = {};
    SITES.forEach(function (s) { byId[s.id] = s; });
    return G.state.compare.map(function (id) { return byId[id]; });
  }
  function renderCompare() {
    var n = G.state.compare.length;
    compareTitle.textContent = t("compare.title");
    compareHint.textContent = n < 2 ? t("compare.pick") : G.state.compare.length >= 4 ? t("compare.too_many") : t("compare.pick");
    compareButton.textContent = t("compare.button") + " (" + n + ")";
    compareButton.disabled = n < 2;
    csvButton.textContent = t("compare.csv");
    csvButton.disabled = n < 2;
    clearButton.textContent = t("compare.clear");
    interestButton.textContent = t("inquiry.button_compare");
    interestButton.disabled = n < 1;
    compareLink.textContent = t("compare.link");
    compareLink.hidden = n < 2;
    if (D.links.compare) {
      compareLink.href = D.links.compare.replace("{ids}", G.state.compare.map(encodeURIComponent).join(",")).replace("{lang}", G.lang);
    } else {
      compareLink.href = location.href;
    }
    compareTableBox.textContent = "";
    if (!G.compareOpen || n < 2) return;
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


  G.compareBox = compareBox;
  G.interestButton = interestButton;
  G.compareTitle = compareTitle;
  G.compareHint = compareHint;
  G.toggleCompare = toggleCompare;
  G.chosenSites = chosenSites;
  G.renderCompare = renderCompare;
  G.compareActions = compareActions;
  G.compareButton = compareButton;
  G.csvButton = csvButton;
  G.compareLink = compareLink;
  G.clearButton = clearButton;
  G.compareTableBox = compareTableBox;
})(window.geozonesExplorerModules = window.geozonesExplorerModules || {});
