/* Copy buttons, as an enhancement: without JavaScript the address sits in a read-only field that
   can be selected and copied by hand, and the (hidden) button never shows. With it, each
   [data-copy-for] button appears, copies its field's text and says so in a live region. */
(function () {
  "use strict";
  function copyText(field) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(field.value);
    }
    field.focus();
    field.select();
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }
  document.querySelectorAll("button[data-copy-for]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-for"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!field) { return; }
    field.addEventListener("focus", function () { field.select(); });
    button.hidden = false;
    button.addEventListener("click", function () {
      copyText(field).then(function () {
        if (status) { status.textContent = button.getAttribute("data-copied"); }
      }, function () {
        field.focus();
        field.select();
        if (status) { status.textContent = button.getAttribute("data-copy-failed"); }
      });
    });
  });
})();
