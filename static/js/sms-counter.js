/* Text alert length as the officer types: an estimate only; the check step shows the server's count. */
(function () {
  "use strict";
  var body = document.querySelector("textarea[data-fragment-counter]");
  var out = document.getElementById("fragment-count");
  var team = document.getElementById("team");
  if (!body || !out) return;
  var basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var ext = "^{}\\[~]|€\f";
  var cap = parseInt(out.getAttribute("data-cap"), 10) || 3;
  var footer = out.getAttribute("data-footer") || "";
  function count(text) {
    text = text.replace(/[\u2018\u2019]/g, "'").replace(/[\u201c\u201d]/g, '"').replace(/[\u2013\u2014]/g, "-").replace(/\u2026/g, "...");
    var gsm = true, units = 0, i;
    for (i = 0; i < text.length; i++) {
      if (ext.indexOf(text[i]) >= 0) units += 2;
      else if (basic.indexOf(text[i]) >= 0) units += 1;
      else { gsm = false; break; }
    }
    if (!gsm) units = text.length;
    var single = gsm ? 160 : 70, part = gsm ? 153 : 67;
    return units <= single ? 1 : Math.ceil(units / part);
  }
  function update() {
    var name = team && team.options[team.selectedIndex] ? team.options[team.selectedIndex].text.replace(/ Neighbourhood Team$/, "") : "";
    var words = body.value.split(/\s+/).filter(Boolean).join(" ");
    var parts = count(name + " police: " + words + "\n" + footer);
    out.textContent = "About " + parts + " text message part" + (parts === 1 ? "" : "s") + " of at most " + cap + ", with the line added at the end." + (parts > cap ? " Too long: make it shorter." : "");
  }
  body.addEventListener("input", update);
  if (team) team.addEventListener("change", update);
  update();
})();
