/* geozones investor site explorer -- label placement on the site canvas (collision avoidance, joined and dense labels).
 *
 * One of the ordered scripts of the explorer (maps/explorer.py SCRIPTS lists them in load order); they
 * share the namespace window.geozonesExplorerModules (G): each script exports its names onto G at its end
 * and reads earlier scripts' names at its top; shared mutable state is G.state, G.lang, G.order,
 * G.visible, G.selected, G.compareOpen. Every value reaches the page through textContent or canvas
 * fillText: no script assigns innerHTML. */
(function (G) {
  "use strict";
  var LABEL_FONT = G.LABEL_FONT, MAX_LINES = G.MAX_LINES, SITES = G.SITES;
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


  G.DENSE = DENSE;
  G.CELL_W = CELL_W;
  G.CELL_H = CELL_H;
  G.denseLabels = denseLabels;
  G.widths = widths;
  G.estimate = estimate;
  G.placeLabels = placeLabels;
})(window.geozonesExplorerModules = window.geozonesExplorerModules || {});
