/* geozones investor site explorer -- the virtual site list (only the rows in view exist).
 *
 * One of the ordered scripts of the explorer (maps/explorer.py SCRIPTS lists them in load order); they
 * share the namespace window.geozonesExplorerModules (G): each script exports its names onto G at its end
 * and reads earlier scripts' names at its top; shared mutable state is G.state, G.lang, G.order,
 * G.visible, G.selected, G.compareOpen. Every value reaches the page through textContent or canvas
 * fillText: no script assigns innerHTML. */
(function (G) {
  "use strict";
  var COLUMNS = G.COLUMNS, ROW_H = G.ROW_H, SITES = G.SITES, cellText = G.cellText, el = G.el, side = G.side, t = G.t;
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
      if (G.state.sort === c.key) G.state.dir = -G.state.dir; else { G.state.sort = c.key; G.state.dir = 1; }
      G.update();
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

  // ---- the virtual list ---------------------------------------------------------------------
  G.selected = -1;
  // On a narrow list (a phone) the columns the person chose stay: the name, then the distances they
  // filter on, the available land when they filter on it, and the column they sort by (three at most).
  var NARROW = 640;
  function shownColumns() {
    if ((table.clientWidth || side.clientWidth) >= NARROW) return null;
    var keep = [];
    G.KINDS_PLACE.forEach(function (k) { if (G.state["max_" + k] !== null) keep.push("road_km_" + k); });
    if (G.state.min_available !== null) keep.push("available_ha");
    var sortCol = G.SORTABLE[G.state.sort];
    if (sortCol && sortCol.type === "num") keep.push(G.state.sort);
    if (!keep.length) keep.push("area_published_ha", "available_ha");
    var out = ["name"];
    keep.forEach(function (k) { if (out.indexOf(k) < 0 && out.length < 4) out.push(k); });
    return out;
  }
  var shown = null;
  function layoutColumns(row, cells) {
    row.style.gridTemplateColumns = shown ? "34px minmax(0, 1fr) repeat(" + (shown.length - 1) + ", 66px)" : "";
    COLUMNS.forEach(function (c) { cells[c.key].style.display = shown && shown.indexOf(c.key) < 0 ? "none" : ""; });
  }
  function renderRows() {
    shown = shownColumns();
    table.classList.toggle("gz-narrow", !!shown);
    layoutColumns(head, headCells);
    var total = G.order.length;
    spacer.style.height = total * ROW_H + "px";
    var top = viewport.scrollTop, height = viewport.clientHeight || 400;
    var first = Math.max(0, Math.floor(top / ROW_H) - 5), last = Math.min(total, Math.ceil((top + height) / ROW_H) + 5);
    rowsEl.textContent = "";
    rowsEl.style.transform = "translateY(" + first * ROW_H + "px)";
    for (var r = first; r < last; r++) {
      var i = G.order[r], s = SITES[i], row = el("div", "gz-row gz-site");
      row.setAttribute("role", "row");
      row.dataset.id = s.id;
      if (i === G.selected) row.className += " gz-selected";
      var cbCell = el("span", "gz-cell gz-c-compare"), cb = el("input");
      cb.type = "checkbox";
      cb.checked = G.state.compare.indexOf(s.id) >= 0;
      cb.setAttribute("aria-label", t("col.compare") + ": " + s.name);
      cb.addEventListener("change", (function (id) { return function () { G.toggleCompare(id); }; })(s.id));
      cbCell.appendChild(cb);
      row.appendChild(cbCell);
      var cells = {};
      for (var c = 0; c < COLUMNS.length; c++) {
        var cell = el("span", "gz-cell gz-c-" + COLUMNS[c].key, cellText(COLUMNS[c], s));
        cell.setAttribute("role", "cell");
        if (COLUMNS[c].key === "name") cell.title = s.name;  // the name wraps to two lines; the whole of it here
        cells[COLUMNS[c].key] = cell;
        row.appendChild(cell);
      }
      layoutColumns(row, cells);
      row.addEventListener("click", (function (idx) {
        return function (e) { if (e.target.tagName !== "INPUT") G.selectSite(idx, true); };
      })(i));
      rowsEl.appendChild(row);
    }
    emptyEl.hidden = total > 0;
  }
  viewport.addEventListener("scroll", function () { requestAnimationFrame(renderRows); });


  G.listBox = listBox;
  G.listTitle = listTitle;
  G.countEl = countEl;
  G.sortHint = sortHint;
  G.table = table;
  G.head = head;
  G.viewport = viewport;
  G.compareHead = compareHead;
  G.headCells = headCells;
  G.renderRows = renderRows;
  G.shownColumns = shownColumns;
  G.spacer = spacer;
  G.rowsEl = rowsEl;
  G.emptyEl = emptyEl;
})(window.geozonesExplorerModules = window.geozonesExplorerModules || {});
