/* geozones investor site explorer -- a site's popup, zoom to a site, selection.
 *
 * One of the ordered scripts of the explorer (maps/explorer.py SCRIPTS lists them in load order); they
 * share the namespace window.geozonesExplorerModules (G): each script exports its names onto G at its end
 * and reads earlier scripts' names at its top; shared mutable state is G.state, G.lang, G.order,
 * G.visible, G.selected, G.compareOpen. Every value reaches the page through textContent or canvas
 * fillText: no script assigns innerHTML. */
(function (G) {
  "use strict";
  var D = G.D, KINDS_PLACE = G.KINDS_PLACE, ROW_H = G.ROW_H, SITES = G.SITES, el = G.el, located = G.located, map = G.map, present = G.present, renderRows = G.renderRows, sites = G.sites, t = G.t, toggleCompare = G.toggleCompare, value = G.value, viewport = G.viewport;
  // ---- popup --------------------------------------------------------------------------------
  function popupContent(s, i) {
    var box = el("div", "gz-popup"), h = el("h3", null, s.name);
    box.appendChild(h);
    if (present(s.name_ascii) && s.name_ascii !== s.name) box.appendChild(el("div", "gz-ascii", s.name_ascii));
    var actions = el("div", "gz-actions");
    var zoom = el("button", null, t("popup.zoom"));
    zoom.type = "button";
    zoom.addEventListener("click", function () { zoomTo(i); });
    actions.appendChild(zoom);
    var add = el("button", "gz-add-compare", t("popup.add_compare"));
    add.type = "button";
    add.addEventListener("click", function () { if (G.state.compare.indexOf(s.id) < 0) toggleCompare(s.id); });
    actions.appendChild(add);
    if (D.links.inquiry) {
      var interest = el("button", "gz-interest", t("inquiry.button"));
      interest.type = "button";
      interest.addEventListener("click", function () { G.openInquiry([s.id]); });
      actions.appendChild(interest);
    }
    if (D.links.factsheet) {
      ["pdf", "html"].forEach(function (f) {
        var a = el("a", "gz-factsheet-" + f, t("popup.factsheet_" + f));
        a.href = D.links.factsheet.replace("{id}", encodeURIComponent(s.id)).replace("{lang}", G.lang).replace("{f}", f);
        a.target = "_blank"; a.rel = "noopener";
        actions.appendChild(a);
      });
    }
    box.appendChild(actions);
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
    G.PLUGINS.forEach(function (p) { (p.popupRows ? p.popupRows(s) : []).forEach(function (r) { row(r[0], r[1]); }); });
    box.appendChild(tbl);
    box.appendChild(el("p", "gz-note " + (s.location_only ? "gz-location-only" : "gz-quality"),
                       value("geometry_quality", s)));
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
    G.PLUGINS.forEach(function (p) { if (p.onSelect) p.onSelect(SITES[i], map, D); });
    G.selected = i;
    var s = SITES[i];
    if (fromList && located[i]) {
      if (!map.getBounds().contains([s.lat, s.lon])) map.panTo([s.lat, s.lon]);
    }
    if (located[i]) {
      // the popup fits the map (a phone's map is 390 px wide): narrower, and scrolling inside when tall
      var size = map.getSize();
      var narrow = size.x < 600;
      L.popup({ maxWidth: Math.min(360, size.x - 70), minWidth: Math.min(220, size.x - 70),
                maxHeight: Math.max(160, size.y - 90), autoPanPaddingTopLeft: narrow ? [8, 8] : [52, 12],
                autoPanPaddingBottomRight: [8, 8], keepInView: true })
        .setLatLng([s.lat, s.lon]).setContent(popupContent(s, i)).openOn(map);
    }
    var at = -1;
    for (var r = 0; r < G.order.length; r++) if (G.order[r] === i) { at = r; break; }
    if (at >= 0 && !fromList) {
      var top = at * ROW_H;
      if (top < viewport.scrollTop || top > viewport.scrollTop + viewport.clientHeight - ROW_H) viewport.scrollTop = top - ROW_H;
    }
    renderRows();
    sites.redraw();
  }


  G.popupContent = popupContent;
  G.zoomTo = zoomTo;
  G.selectSite = selectSite;
})(window.geozonesExplorerModules = window.geozonesExplorerModules || {});
