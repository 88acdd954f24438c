/* geozones data desk: fill a zone's investor figures, status and contact through the edit API.
 *
 * Data and catalogues come from #gz-desk-data (maps/desk.py). The editor key the person types is kept
 * in sessionStorage (this tab only) and sent as X-API-Key; edits are PATCH with If-Match, so the
 * store's history, placement checks and published-source rule apply. Every value reaches the page
 * through textContent or input values: this file never assigns innerHTML. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("gz-desk-data").textContent);
  var lang = D.lang, API = (window.geozonesDesk = {});
  function t(key, values) {
    var s = (D.messages[lang] || {})[key] || key;
    if (values) s = s.replace(/\{(\w+)\}/g, function (m, n) { return values[n] === undefined ? m : values[n]; });
    return s;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function key() { return sessionStorage.getItem("geozones-desk-key") || ""; }
  function headers(extra) {
    var h = { "X-API-Key": key() };
    Object.keys(extra || {}).forEach(function (k) { h[k] = extra[k]; });
    return h;
  }

  var header = el("header"), title = el("h1", null, t("desk.title"));
  var keyLabel = el("label", null, t("desk.key")), keyInput = el("input"), keyButton = el("button", null, t("desk.use_key"));
  keyInput.type = "password"; keyInput.id = "gz-desk-key"; keyInput.autocomplete = "off"; keyLabel.htmlFor = "gz-desk-key";
  keyButton.type = "button";
  var explorer = el("a", null, t("app.title"));
  explorer.href = (D.links.explorer || "#").replace("{lang}", lang);
  header.appendChild(title); header.appendChild(keyLabel); header.appendChild(keyInput); header.appendChild(keyButton);
  header.appendChild(explorer);
  header.appendChild(el("p", "gz-hint", t("desk.key_hint")));
  document.body.appendChild(header);

  var main = el("main"), left = el("section"), right = el("section");
  main.appendChild(left); main.appendChild(right);
  document.body.appendChild(main);
  var zoneLabel = el("label", null, t("desk.zone")), zoneSelect = el("select");
  zoneSelect.id = "gz-desk-zone"; zoneLabel.htmlFor = "gz-desk-zone";
  left.appendChild(zoneLabel); left.appendChild(zoneSelect);
  var form = el("form", "gz-desk-form"), fs = el("fieldset");
  form.appendChild(fs);
  var headRow = el("div", "gz-row");
  ["", "desk.value", "desk.source", "desk.as_of"].forEach(function (k) { headRow.appendChild(el("strong", null, k ? t(k) : "")); });
  fs.appendChild(headRow);
  var inputs = {};
  function choices(type) {
    return type === "status" ? D.statuses : type === "currency" ? D.currencies : type === "unit" ? D.units : type === "period" ? D.periods : null;
  }
  D.fields.forEach(function (f) {
    var name = f[0], type = f[1], row = el("div", "gz-row"), lab = el("label", null, t(f[2]));
    var opts = choices(type), input = el(opts ? "select" : "input");
    input.name = name; input.id = "gz-desk-" + name; lab.htmlFor = input.id;
    if (opts) {
      var blank = el("option", null, "–"); blank.value = ""; input.appendChild(blank);
      opts.forEach(function (o) {
        var label = type === "status" ? t("status." + o) : type === "period" ? t("period." + o) : o;
        var opt = el("option", null, label); opt.value = o; input.appendChild(opt);
      });
    } else {
      input.type = type === "text" ? "text" : "number";
      if (type !== "text") { input.min = "0"; input.step = type === "int" ? "1" : "any"; }
    }
    var source = el("input"), asOf = el("input");
    source.type = "text"; source.name = name + "__source"; source.placeholder = t("desk.source_hint");
    source.setAttribute("aria-label", t("desk.source") + ": " + t(f[2]));
    asOf.type = "date"; asOf.name = name + "__as_of"; asOf.setAttribute("aria-label", t("desk.as_of") + ": " + t(f[2]));
    row.appendChild(lab); row.appendChild(input); row.appendChild(source); row.appendChild(asOf);
    fs.appendChild(row);
    inputs[name] = { value: input, source: source, asOf: asOf, type: type };
  });
  var save = el("button", "gz-desk-save", t("desk.save")), status = el("p", "gz-desk-status");
  save.type = "submit"; status.setAttribute("aria-live", "polite");
  form.appendChild(save); form.appendChild(status);
  left.appendChild(form);

  var inqTitle = el("h2", null, t("desk.inquiries")), inqExport = el("button", "gz-desk-export", t("desk.export")),
      inqBox = el("div");
  inqExport.type = "button";
  left.appendChild(inqTitle); left.appendChild(inqExport); left.appendChild(inqBox);

  right.appendChild(el("h2", null, t("desk.preview")));
  var preview = el("iframe", "gz-desk-preview");
  preview.title = t("desk.preview");
  preview.setAttribute("sandbox", "");
  right.appendChild(preview);

  var current = null;  // { id, etag, props }
  function say(cls, text) { status.className = "gz-desk-status " + cls; status.textContent = text; }
  function reason(r, j) { return (j && (j.description || j.detail)) || r.status + " " + r.statusText; }

  function loadZones() {
    return fetch(D.links.items, { headers: headers() }).then(function (r) { return r.json(); }).then(function (fc) {
      zoneSelect.textContent = "";
      (fc.features || []).forEach(function (f) {
        var o = el("option", null, f.properties.name + " (" + f.id + ")");
        o.value = f.id;
        zoneSelect.appendChild(o);
      });
      if (zoneSelect.options.length) return loadZone(zoneSelect.value);
    });
  }
  function loadZone(id) {
    return fetch(D.links.item.replace("{id}", encodeURIComponent(id)), { headers: headers() }).then(function (r) {
      var etag = r.headers.get("ETag");
      return r.json().then(function (f) {
        current = { id: id, etag: etag, props: f.properties };
        Object.keys(inputs).forEach(function (k) {
          var v = f.properties[k];
          inputs[k].value.value = v === null || v === undefined ? "" : v;
          inputs[k].source.value = ""; inputs[k].asOf.value = "";
        });
        preview.src = D.links.factsheet.replace("{id}", encodeURIComponent(id)).replace("{lang}", lang);
        say("", "");
        return loadInquiries();
      });
    });
  }
  function changed() {
    var out = {};
    Object.keys(inputs).forEach(function (k) {
      var raw = inputs[k].value.value, old = current.props[k];
      var v = raw === "" ? null : inputs[k].type === "number" ? parseFloat(raw) : inputs[k].type === "int" ? parseInt(raw, 10) : raw;
      var before = old === undefined ? null : old;
      if (v !== before && !(typeof v === "number" && typeof before === "number" && Math.abs(v - before) < 1e-9)) out[k] = v;
    });
    return out;
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!current) return;
    var props = changed(), names = Object.keys(props);
    if (!names.length) { say("", t("desk.nothing")); return; }
    var investor = [], statusNotes = [];
    for (var n = 0; n < names.length; n++) {
      var k = names[n], src = inputs[k].source.value.trim(), asOf = inputs[k].asOf.value;
      if (k === "status_year") continue;  // the year of the status: its source is the status's
      if (props[k] !== null && (!src || !asOf)) { say("gz-error", t("desk.need_source", { field: t(D.fields.filter(function (f) { return f[0] === k; })[0][2]) })); return; }
      if (props[k] === null) continue;
      var note = k + ": " + src + " (" + t("desk.as_of") + " " + asOf + ")";
      if (k === "status") statusNotes.push(note); else investor.push(note);
    }
    if (investor.length) {
      var old = current.props.investor_info_sources;
      props.investor_info_sources = (old ? old + "; " : "") + investor.join("; ");
    }
    if (statusNotes.length) props.sources = (current.props.sources ? current.props.sources + "; " : "") + statusNotes.join("; ");
    save.disabled = true;
    fetch(D.links.item.replace("{id}", encodeURIComponent(current.id)), {
      method: "PATCH", headers: headers({ "Content-Type": "application/json", "If-Match": current.etag || "" }),
      body: JSON.stringify({ properties: props })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        save.disabled = false;
        if (!r.ok) { say("gz-error", t("desk.failed", { reason: reason(r, j) })); return; }
        return loadZone(current.id).then(function () { say("gz-ok", t("desk.saved")); API.savedAt = Date.now(); });
      });
    }).catch(function (err) { save.disabled = false; say("gz-error", t("desk.failed", { reason: String(err) })); });
  });

  var INQ = ["created", "company", "contact", "sector", "land_ha", "message", "lang"];
  var INQ_KEYS = { created: "desk.received", company: "inquiry.company", contact: "inquiry.contact", sector: "inquiry.sector",
                   land_ha: "inquiry.land", message: "inquiry.message", lang: "nav.language" };
  function loadInquiries() {
    if (!key()) { inqBox.textContent = t("desk.key_hint"); return Promise.resolve(); }
    var url = D.links.inquiries + "?zone=" + encodeURIComponent(current.id);
    return fetch(url, { headers: headers() }).then(function (r) {
      return r.json().then(function (j) {
        inqBox.textContent = "";
        if (!r.ok) { inqBox.appendChild(el("p", "gz-error", t("desk.failed", { reason: reason(r, j) }))); return; }
        if (!j.inquiries.length) { inqBox.appendChild(el("p", "gz-hint", t("desk.no_inquiries"))); return; }
        var tbl = el("table", "gz-inquiries"), hr = el("tr");
        INQ.forEach(function (c) { hr.appendChild(el("th", null, t(INQ_KEYS[c]))); });
        tbl.appendChild(hr);
        j.inquiries.forEach(function (q) {
          var tr = el("tr", "gz-inquiry-row");
          tr.dataset.id = q.id;
          INQ.forEach(function (c) { tr.appendChild(el("td", null, q[c] === null ? "" : q[c])); });
          tbl.appendChild(tr);
        });
        inqBox.appendChild(tbl);
      });
    });
  }
  inqExport.addEventListener("click", function () {
    fetch(D.links.inquiries + "?f=csv", { headers: headers() }).then(function (r) { return r.blob(); }).then(function (blob) {
      var a = el("a");
      a.href = URL.createObjectURL(blob);
      a.download = "geozones-inquiries.csv";
      document.body.appendChild(a); a.click(); a.remove();
    });
  });
  keyInput.value = key();
  keyButton.addEventListener("click", function () {
    sessionStorage.setItem("geozones-desk-key", keyInput.value.trim());
    if (current) loadInquiries();
  });
  zoneSelect.addEventListener("change", function () { loadZone(zoneSelect.value); });
  loadZones().then(function () { window.geozonesReady = true; });
})();
