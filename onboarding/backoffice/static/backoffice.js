// The case page's document viewer: tabs load an image only when shown (each view is audited), and zoom/rotate.
(function () {
  "use strict";
  function show(pane) {
    var img = pane.querySelector("img.document-image");
    if (img && !img.getAttribute("src")) { img.setAttribute("src", img.getAttribute("data-src")); }
  }
  function transform(img) {
    // Zoom changes the laid-out width (so the stage scrolls to any part); rotation is a transform.
    var scale = Number(img.dataset.scale || 1), angle = Number(img.dataset.angle || 0);
    var stage = img.closest(".stage");
    if (!img.dataset.base && scale > 1) { img.dataset.base = String(img.clientWidth); }
    stage.classList.toggle("zoomed", scale > 1);
    img.style.width = scale > 1 ? Math.round(Number(img.dataset.base) * scale) + "px" : "";
    img.style.transform = angle ? "rotate(" + angle + "deg)" : "";
  }
  document.addEventListener("DOMContentLoaded", function () {
    var tabs = Array.prototype.slice.call(document.querySelectorAll(".doc-tab"));
    var panes = Array.prototype.slice.call(document.querySelectorAll(".doc-pane"));
    tabs.forEach(function (tab) {
      tab.addEventListener("click", function () {
        tabs.forEach(function (t) { t.classList.remove("active"); t.setAttribute("aria-selected", "false"); });
        panes.forEach(function (p) { p.classList.remove("active"); });
        tab.classList.add("active"); tab.setAttribute("aria-selected", "true");
        var pane = document.getElementById(tab.getAttribute("aria-controls"));
        pane.classList.add("active"); show(pane);
      });
    });
    panes.filter(function (p) { return p.classList.contains("active"); }).forEach(show);
    document.querySelectorAll(".viewer").forEach(function (viewer) {
      var img = viewer.querySelector("img.document-image");
      viewer.querySelectorAll("[data-zoom]").forEach(function (button) {
        button.addEventListener("click", function () {
          var scale = Number(img.dataset.scale || 1) * (button.dataset.zoom === "in" ? 1.5 : 1 / 1.5);
          img.dataset.scale = String(Math.min(8, Math.max(1, scale))); transform(img);
        });
      });
      viewer.querySelectorAll("[data-rotate]").forEach(function (button) {
        button.addEventListener("click", function () {
          img.dataset.angle = String((Number(img.dataset.angle || 0) + 90) % 360); transform(img);
        });
      });
      viewer.querySelectorAll("[data-reset]").forEach(function (button) {
        button.addEventListener("click", function () { img.dataset.scale = "1"; img.dataset.angle = "0"; transform(img); });
      });
      img.addEventListener("dblclick", function () {
        img.dataset.scale = Number(img.dataset.scale || 1) > 1 ? "1" : "2.5"; transform(img);
      });
    });
  });
})();
