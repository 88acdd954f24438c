/* geozones investor site explorer -- the page frame: header (title, links, language), side panel and map box.
 *
 * One of the ordered scripts of the explorer (maps/explorer.py SCRIPTS lists them in load order); they
 * share the namespace window.geozonesExplorerModules (G): each script exports its names onto G at its end
 * and reads earlier scripts' names at its top; shared mutable state is G.state, G.lang, G.order,
 * G.visible, G.selected, G.compareOpen. Every value reaches the page through textContent or canvas
 * fillText: no script assigns innerHTML. */
(function (G) {
  "use strict";
  var D = G.D, el = G.el;
  // ---- layout -------------------------------------------------------------------------------
  var root = el("div", "gz-app");
  document.body.appendChild(root);
  var header = el("header", "gz-header"), titleEl = el("h1", "gz-title"), nav = el("nav", "gz-nav");
  var langSelect = el("select", "gz-lang");
  langSelect.id = "gz-lang";
  var langLabel = el("label", "gz-lang-label");
  langLabel.htmlFor = "gz-lang";
  D.langs.forEach(function (code) {
    var o = el("option", null, D.messages[code] ? endonym(code) : code);
    o.value = code;
    langSelect.appendChild(o);
  });
  function endonym(code) {
    return { vi: "Tiếng Việt", en: "English", ko: "한국어", ja: "日本語", "zh-Hans": "简体中文" }[code] || code;
  }
  header.appendChild(titleEl);
  header.appendChild(nav);
  var langBox = el("div", "gz-lang-box");
  langBox.appendChild(langLabel);
  langBox.appendChild(langSelect);
  header.appendChild(langBox);
  var intro = el("p", "gz-intro");
  header.appendChild(intro);
  root.appendChild(header);

  var main = el("div", "gz-main"), side = el("section", "gz-side"), mapBox = el("div", "gz-map");
  mapBox.id = "gz-map";
  main.appendChild(side);
  main.appendChild(mapBox);
  root.appendChild(main);


  G.root = root;
  G.header = header;
  G.titleEl = titleEl;
  G.nav = nav;
  G.langSelect = langSelect;
  G.langLabel = langLabel;
  G.endonym = endonym;
  G.langBox = langBox;
  G.intro = intro;
  G.main = main;
  G.side = side;
  G.mapBox = mapBox;
})(window.geozonesExplorerModules = window.geozonesExplorerModules || {});
