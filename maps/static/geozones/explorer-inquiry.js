/* geozones investor site explorer -- register interest: a form posting an inquiry for 1-4 sites.
 *
 * One of the ordered scripts of the explorer (maps/explorer.py SCRIPTS). Shown only on the served
 * explorer (D.links.inquiry); the answer's confirmation (in the page's language) is shown as text.
 * The zone office's contact is shown only when published (the site's `contact` field). */
(function (G) {
  "use strict";
  var D = G.D, SITES = G.SITES, el = G.el, present = G.present, t = G.t;
  var FIELDS = [["company", "text", 200, true], ["contact", "text", 200, true], ["sector", "text", 120, false],
                ["land_ha", "number", 0, false], ["message", "textarea", 2000, false]];
  var KEYS = { company: "inquiry.company", contact: "inquiry.contact", sector: "inquiry.sector",
               land_ha: "inquiry.land", message: "inquiry.message" };
  var box = null;
  function close() { if (box) { box.remove(); box = null; } }
  function openInquiry(ids) {
    if (!D.links.inquiry) return;
    close();
    var byId = {};
    SITES.forEach(function (s) { byId[s.id] = s; });
    var chosen = ids.map(function (id) { return byId[id]; }).filter(Boolean);
    box = el("div", "gz-inquiry");
    box.setAttribute("role", "dialog");
    var form = el("form", "gz-inquiry-form");
    form.appendChild(el("h3", null, t("inquiry.title", { site: chosen.map(function (s) { return s.name; }).join(", ") })));
    form.appendChild(el("p", "gz-hint", t("inquiry.intro")));
    chosen.forEach(function (s) {
      if (present(s.contact)) form.appendChild(el("p", "gz-office", t("inquiry.office") + ": " + s.name + " — " + s.contact));
    });
    var inputs = {};
    FIELDS.forEach(function (f) {
      var lab = el("label", "gz-inquiry-field"), input = el(f[1] === "textarea" ? "textarea" : "input");
      lab.appendChild(el("span", null, t(KEYS[f[0]])));
      input.name = f[0];
      if (f[1] !== "textarea") input.type = f[1];
      if (f[1] === "number") { input.min = "0"; input.step = "any"; }
      if (f[2]) input.maxLength = f[2];
      input.required = f[3];
      lab.appendChild(input);
      form.appendChild(lab);
      inputs[f[0]] = input;
    });
    var status = el("p", "gz-inquiry-status");
    status.setAttribute("aria-live", "polite");
    var actions = el("div", "gz-actions"), send = el("button", "gz-inquiry-send", t("inquiry.send")),
        cancel = el("button", "gz-inquiry-close", t("inquiry.cancel"));
    send.type = "submit"; cancel.type = "button";
    cancel.addEventListener("click", close);
    actions.appendChild(send); actions.appendChild(cancel);
    form.appendChild(actions);
    form.appendChild(status);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var body = { zone_ids: ids, lang: G.lang };
      Object.keys(inputs).forEach(function (k) { body[k] = inputs[k].value; });
      send.disabled = true;
      fetch(D.links.inquiry + "?lang=" + encodeURIComponent(G.lang), {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
      }).then(function (r) {
        return r.json().then(function (j) { return [r.ok, j]; });
      }).then(function (res) {
        if (res[0]) {
          status.className = "gz-inquiry-status gz-ok";
          status.textContent = res[1].message;
          form.querySelectorAll("input, textarea").forEach(function (x) { x.disabled = true; });
        } else {
          status.className = "gz-inquiry-status gz-error";
          status.textContent = t("inquiry.failed", { reason: res[1].description || res[1].detail || "" });
          send.disabled = false;
        }
      }).catch(function (err) {
        status.className = "gz-inquiry-status gz-error";
        status.textContent = t("inquiry.failed", { reason: String(err) });
        send.disabled = false;
      });
    });
    box.appendChild(form);
    document.body.appendChild(box);
    inputs.company.focus();
  }

  G.openInquiry = openInquiry;
  G.closeInquiry = close;
})(window.geozonesExplorerModules = window.geozonesExplorerModules || {});
