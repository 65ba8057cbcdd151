// The map: the shipped governorate boundaries as the base layer (no tile
// server, so it works offline), and the incidents the viewer may see,
// coloured by ruling. Everything else on the site works without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("map");
  if (!el || !window.L) return;
  var map = L.map(el, { attributionControl: true }).setView([35.0, 38.5], 7);
  var colours = { violation: "#b3261e", not_violation: "#1e6b33", undetermined: "#7a5b00" };
  fetch(el.dataset.base).then(function (r) { return r.json(); }).then(function (g) {
    L.geoJSON(g, { style: { color: "#6b7480", weight: 1, fillColor: "#eef1f4", fillOpacity: 1 } }).addTo(map).bringToBack();
  });
  fetch(el.dataset.src).then(function (r) { return r.json(); }).then(function (g) {
    var layer = L.geoJSON(g, {
      pointToLayer: function (f, ll) {
        return L.circleMarker(ll, { radius: 6, color: "#fff", weight: 1, fillOpacity: 0.9, fillColor: colours[f.properties.verdict] || "#4a5360" });
      },
      onEachFeature: function (f, l) {
        var a = document.createElement("a");
        a.href = "/incidents/" + f.properties.id;
        a.textContent = f.properties.date + " · " + f.properties.act;
        var p = document.createElement("div");
        p.appendChild(a);
        p.appendChild(document.createElement("br"));
        p.appendChild(document.createTextNode(f.properties.verdict_label + " · " + f.properties.state));
        l.bindPopup(p);
      }
    }).addTo(map);
    el.dataset.count = String(g.features.length);
    if (g.features.length) map.fitBounds(layer.getBounds(), { maxZoom: 11 });
  });
});
