// The order form's "Add a line" button: a copy of the empty line from the page's
// <template>, numbered after the last one. Served from our own files, so the
// content security policy (no inline scripts) allows it.
(function () {
  "use strict";

  function setUp() {
    var button = document.getElementById("add-line");
    var template = document.getElementById("line-template");
    var total = document.querySelector("input[name='lines-TOTAL_FORMS']");
    var container = document.getElementById("order-lines");
    if (!button || !template || !total || !container) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var line = holder.firstElementChild;
      var legend = line.querySelector("legend");
      if (legend) {
        legend.textContent = button.dataset.label.replace("__number__", String(index + 1));
      }
      container.appendChild(line);
      total.value = String(index + 1);
      if (window.htmx) {
        window.htmx.process(line);
      }
      var first = line.querySelector("input:not([type=hidden])");
      if (first) {
        first.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
