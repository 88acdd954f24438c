/* geozones investor site explorer -- the comparison as CSV (formula cells neutralised).
 *
 * One of the ordered scripts of the explorer (maps/explorer.py SCRIPTS lists them in load order); they
 * share the namespace window.geozonesExplorerModules (G): each script exports its names onto G at its end
 * and reads earlier scripts' names at its top; shared mutable state is G.state, G.lang, G.order,
 * G.visible, G.selected, G.compareOpen. Every value reaches the page through textContent or canvas
 * fillText: no script assigns innerHTML. */
(function (G) {
  "use strict";
  var D = G.D, t = G.t, value = G.value;
  // OWASP CSV injection: text starting with = + - @ tab or CR gets a ' so spreadsheets show it as text
  // (the same rule as geozones.io.csvcells.csv_cell on the server)
  function csvCell(v) { v = String(v); return /^[=+\-@\t\r]/.test(v) ? "'" + v : v; }
  function compareCsv() {
    var chosen = G.chosenSites();
    function q(v) { v = csvCell(v); return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v; }
    var lines = [[t("compare.field")].concat(chosen.map(function (s) { return s.name; }))];
    lines.push([t("field.id")].concat(G.state.compare));
    D.compare_fields.forEach(function (f) {
      lines.push([t(f[0])].concat(chosen.map(function (s) { return value(f[1], s); })));
    });
    return lines.map(function (l) { return l.map(q).join(","); }).join("\r\n") + "\r\n";
  }

  G.csvCell = csvCell;
  G.compareCsv = compareCsv;
})(window.geozonesExplorerModules = window.geozonesExplorerModules || {});
