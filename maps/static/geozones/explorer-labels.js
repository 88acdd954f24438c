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
  // Greedy placement with collision avoidance: a label takes the first of eight places around its marker
  // that lies inside the map, off every marker, off the map's controls (legend, zoom, scale, attribution)
  // and off the labels placed before it (list order: the first rows get the best places).
  function placeLabels(ctx, drawn, size) {
    ctx.font = LABEL_FONT;
    if (drawn.length > DENSE) return denseLabels(ctx, drawn, size);
    var CELL = 64, grid = {}, groups = [], H = 15;
    function cells(b) {
      var out = [];
      for (var gx = Math.floor(b[0] / CELL); gx <= Math.floor(b[2] / CELL); gx++)
        for (var gy = Math.floor(b[1] / CELL); gy <= Math.floor(b[3] / CELL); gy++) out.push(gx + ":" + gy);
      return out;
    }
    function hits(b, self) {
      if (b[0] < 0 || b[1] < 0 || b[2] > size.x || b[3] > size.y) return true;
      var cs = cells(b);
      for (var c = 0; c < cs.length; c++) {
        var list = grid[cs[c]];
        if (!list) continue;
        for (var j = 0; j < list.length; j++) {
          if (list[j] === self || list[j].site === self) continue;
          var o = list[j].box;
          if (b[0] < o[2] && b[2] > o[0] && b[1] < o[3] && b[3] > o[1]) return true;
        }
      }
      return false;
    }
    function reserve(g) { cells(g.box).forEach(function (c) { (grid[c] = grid[c] || []).push(g); }); }
    function add(g) { reserve(g); groups.push(g); }
    function measure(name) { return widths[name] || (widths[name] = ctx.measureText(name).width); }
    function spots(x, y, w, h) {
      return [[x + 10, y - H / 2], [x - 10 - w, y - H / 2], [x - w / 2, y - 10 - h], [x - w / 2, y + 10],
              [x + 8, y - 8 - h], [x + 8, y + 8], [x - 8 - w, y - 8 - h], [x - 8 - w, y + 8]];
    }
    function free(x, y, w, h, self) {
      var cand = spots(x, y, w, h);
      for (var c = 0; c < cand.length; c++) {
        var b = [cand[c][0] - 2, cand[c][1], cand[c][0] + w + 2, cand[c][1] + h];
        if (!hits(b, self)) return b;
      }
      return null;
    }
    var obstacles = G.controlRects ? G.controlRects() : [];
    obstacles.forEach(function (r) { reserve({ box: [r.left - 2, r.top - 2, r.right + 2, r.bottom + 2] }); });
    function underControl(x, y) {
      for (var c = 0; c < obstacles.length; c++) {
        var r = obstacles[c];
        if (x >= r.left && x <= r.right && y >= r.top && y <= r.bottom) return true;
      }
      return false;
    }
    drawn.forEach(function (d) { reserve({ box: [d[1] - 8, d[2] - 8, d[1] + 8, d[2] + 8], site: d[0] }); });
    var byOrder = drawn.slice().reverse();
    var anchors = {};  // grid of groups by anchor for joining
    function nearest(x, y, reach) {
      var best = null, bestD = reach * reach, n = Math.ceil(reach / 48);
      for (var ax = Math.floor(x / 48) - n; ax <= Math.floor(x / 48) + n; ax++)
        for (var ay = Math.floor(y / 48) - n; ay <= Math.floor(y / 48) + n; ay++) {
          (anchors[ax + ":" + ay] || []).forEach(function (g) {
            var dd = (g.ax - x) * (g.ax - x) + (g.ay - y) * (g.ay - y);
            if (dd <= bestD) { bestD = dd; best = g; }
          });
        }
      return best;
    }
    for (var d = 0; d < byOrder.length; d++) {
      var i = byOrder[d][0], x = byOrder[d][1], y = byOrder[d][2];
      if (x < 0 || y < 0 || x > size.x || y > size.y) continue;
      if (underControl(x, y)) continue;  // hidden under the legend or a button: not labelled over it
      var name = SITES[i].name || SITES[i].id, w = measure(name);
      var placed = free(x, y, w, H, i);
      if (placed) {
        var g = { box: placed, x: placed[0] + 2, y: placed[1], members: [i], ax: x, ay: y, w: w };
        add(g);
        var key = Math.floor(x / 48) + ":" + Math.floor(y / 48);
        (anchors[key] = anchors[key] || []).push(g);
        continue;
      }
      // a label that fits nowhere joins the label of the nearest site (one box listing several names);
      // the grown box moves to a free place around its first site when it would cover another label
      var best = nearest(x, y, 48) || nearest(x, y, 160) || nearest(x, y, Math.max(size.x, size.y));
      if (best) {
        best.members.push(i);
        best.w = Math.max(best.w, w);
        var lines = Math.min(best.members.length, MAX_LINES), hh = lines * H + 2, ww = best.w + 6;
        var grown = [best.x - 3, best.y - 1, best.x - 3 + ww, best.y - 1 + hh];
        if (hits(grown, best)) {
          var again = free(best.ax, best.ay, ww, hh, best);
          if (again) grown = again;
        }
        best.box = grown; best.x = grown[0] + 3; best.y = grown[1] + 1;
        reserve(best);
        continue;
      }
      // nothing to join (the first label of a tight cluster): the first of the eight places that is off
      // every control and inside the map, even over a marker (a tall legend can cover the right-hand one)
      var cand = spots(x, y, w, H);
      for (var f = 0; f < cand.length; f++) {
        var fb = [cand[f][0] - 2, cand[f][1], cand[f][0] + w + 2, cand[f][1] + H];
        var off = fb[0] < 0 || fb[1] < 0 || fb[2] > size.x || fb[3] > size.y;
        var onControl = obstacles.some(function (r) { return fb[0] < r.right && fb[2] > r.left && fb[1] < r.bottom && fb[3] > r.top; });
        if (!off && !onControl) {
          var fg = { box: fb, x: fb[0] + 2, y: fb[1], members: [i], ax: x, ay: y, w: w };
          add(fg);
          var fkey = Math.floor(x / 48) + ":" + Math.floor(y / 48);
          (anchors[fkey] = anchors[fkey] || []).push(fg);
          break;
        }
      }
    }
    // draw; with thousands of sites on screen a joined label names its first sites and counts the rest
    var maxLines = drawn.length > 2000 ? 3 : MAX_LINES;
    ctx.textBaseline = "top";
    ctx.lineJoin = "round";
    function shape(g) {  // the lines and the final box of a label, kept inside the map
      var lines = g.members.slice(0, g.members.length > maxLines ? maxLines - 1 : maxLines).map(function (i) {
        return SITES[i].name || SITES[i].id;
      });
      if (g.members.length > maxLines) lines.push("+" + (g.members.length - maxLines + 1) + " …");
      var width = 0;
      lines.forEach(function (l) { width = Math.max(width, measure(l)); });
      var pad = g.members.length > 1 ? 3 : 0, hh = lines.length * H;
      var x0 = Math.min(Math.max(g.x, pad), Math.max(pad, size.x - width - pad));
      var y0 = Math.min(Math.max(g.y, 1), Math.max(1, size.y - hh - 1));
      g.lines_ = lines; g.x = x0; g.y = y0; g.width = width;
      g.box = [x0 - pad, y0 - 1, x0 + width + pad, y0 + hh + 1];
    }
    groups.forEach(shape);
    function overlaps(A, B) { return A[0] < B[2] && A[2] > B[0] && A[1] < B[3] && A[3] > B[1]; }
    function onAControl(b) {
      return obstacles.some(function (r) { return overlaps(b, [r.left - 1, r.top - 1, r.right + 1, r.bottom + 1]); });
    }
    // a label (a grown joined label, most often: many sites in one province) that lies over a control
    // moves to the free place nearest its first site: around it, else beside, above or below the control
    function relocate(g) {
      var bw = g.box[2] - g.box[0], bh = g.box[3] - g.box[1], pad = g.x - g.box[0];
      var cand = spots(g.ax, g.ay, bw, bh).map(function (c) { return [c[0], c[1]]; });
      obstacles.forEach(function (r) {
        [g.ay - bh / 2, r.top, r.bottom - bh, 1, size.y - bh - 1].forEach(function (y) {
          cand.push([r.left - bw - 3, y]); cand.push([r.right + 3, y]);
        });
        [g.ax - bw / 2, r.left, r.right - bw, 1, size.x - bw - 1].forEach(function (x) {
          cand.push([x, r.top - bh - 3]); cand.push([x, r.bottom + 3]);
        });
      });
      var ok = [];
      cand.forEach(function (c) {
        var b = [c[0], c[1], c[0] + bw, c[1] + bh];
        if (b[0] < 0 || b[1] < 0 || b[2] > size.x || b[3] > size.y || onAControl(b)) return;
        var dx = c[0] + bw / 2 - g.ax, dy = c[1] + bh / 2 - g.ay;
        var crowded = groups.some(function (o) { return o !== g && overlaps(b, o.box); });
        ok.push([crowded ? 1 : 0, dx * dx + dy * dy, c]);
      });
      if (!ok.length) return false;
      ok.sort(function (p, q) { return p[0] - q[0] || p[1] - q[1]; });
      g.x = ok[0][2][0] + pad; g.y = ok[0][2][1] + 1;
      shape(g);
      return true;
    }
    // a label that still overlaps another (a grown joined label) is joined with it, and one over a control
    // is moved off it: repeat until neither is so
    for (var round = 0; round < groups.length + 4; round++) {
      var changed = false;
      groups.forEach(function (g) { if (onAControl(g.box) && relocate(g)) changed = true; });
      for (var a = 0; a < groups.length; a++) {
        for (var b2 = a + 1; b2 < groups.length; b2++) {
          if (overlaps(groups[a].box, groups[b2].box)) {
            groups[a].members = groups[a].members.concat(groups[b2].members);
            groups.splice(b2, 1);
            shape(groups[a]);
            changed = true;
            b2 = a;  // the grown label may now overlap one already checked
          }
        }
      }
      if (!changed) break;
    }
    groups.forEach(function (g) {
      var lines = g.lines_, width = g.width, x0 = g.x, y0 = g.y;
      if (g.members.length > 1) {  // a joined label: a box
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
