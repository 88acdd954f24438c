/* geozones investor site explorer -- the legend (also the switch of the reference layers).
 *
 * One of the ordered scripts of the explorer (maps/explorer.py SCRIPTS lists them in load order); they
 * share the namespace window.geozonesExplorerModules (G): each script exports its names onto G at its end
 * and reads earlier scripts' names at its top; shared mutable state is G.state, G.lang, G.order,
 * G.visible, G.selected, G.compareOpen. Every value reaches the page through textContent or canvas
 * fillText: no script assigns innerHTML. */
(function (G) {
  "use strict";
  var D = G.D, REF_STYLE = G.REF_STYLE, el = G.el, map = G.map, refLayers = G.refLayers, sites = G.sites, t = G.t;
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
      // never taller than about half the map (a phone's map is 380 px): the fit keeps the sites beside it
      var msize = map.getSize();
      box.style.maxHeight = Math.round(msize.y * (msize.x < 600 ? 0.45 : 0.62)) + "px";
      box.style.maxWidth = Math.round(Math.min(260, msize.x * 0.62)) + "px";
      var div = this._details = el("details");
      div.open = open;
      box.appendChild(div);
      // opening the legend never hides a filtered site: refit when one would be under it; labels move off it
      div.addEventListener("toggle", function () {
        if (G.underLegend().length) G.fitToSites();
        sites.redraw();
      });
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
  map.on("resize", function () { legend.render(); });
  L.control.scale({ imperial: false }).addTo(map);


  G.Legend = Legend;
  G.swatch = swatch;
  G.legend = legend;
})(window.geozonesExplorerModules = window.geozonesExplorerModules || {});
