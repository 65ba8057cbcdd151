// Maps: the shipped governorate boundaries as the base layer (no tile
// server, so it works offline), the zones of an agreement, and the
// incidents the viewer may see, coloured by ruling. Every page works
// without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("map");
  if (!el || !window.L) return;
  var map = L.map(el, { attributionControl: true }).setView([35.0, 38.5], 7);
  var colours = { violation: "#b3261e", not_violation: "#1e6b33", undetermined: "#7a5b00" };
  var radius = { confirmed: 9, fair: 7, weak: 5, contested: 6, discounted: 4 };
  var get = function (url) { return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }); };
  get(el.dataset.base).then(function (g) {
    L.geoJSON(g, { interactive: false, style: { color: "#6b7480", weight: 1, fillColor: "#eef1f4", fillOpacity: 1 } }).addTo(map).bringToBack();
  });
  if (el.dataset.zones) {
    get(el.dataset.zones).then(function (g) {
      var layer = L.geoJSON(g, {
        style: { color: "#0b5cad", weight: 2, dashArray: "6 4", fillColor: "#0b5cad", fillOpacity: 0.08 },
        onEachFeature: function (f, l) { l.bindTooltip(f.properties.id + " · " + f.properties.name); }
      }).addTo(map);
      el.dataset.zoneCount = String(g.features.length);
      if (!el.dataset.src && g.features.length) map.fitBounds(layer.getBounds());
    });
  }
  // The humanitarian layers: besieged areas (their units' shapes) and aid
  // events (access requests, evacuations) at their area's centre, each
  // linking to the area's page; the reader switches them on and off.
  if (el.dataset.humanitarian) {
    get(el.dataset.humanitarian).then(function (g) {
      var link = function (f, l) {
        var a = document.createElement("a");
        a.href = f.properties.href;
        a.textContent = f.properties.name;
        var p = document.createElement("div");
        p.appendChild(a);
        p.appendChild(document.createElement("br"));
        p.appendChild(document.createTextNode(f.properties.label + " · " + (f.properties.date || f.properties.from || "") + (f.properties.to ? " – " + f.properties.to : "")));
        l.bindPopup(p);
      };
      var sieges = L.geoJSON(g, {
        filter: function (f) { return f.properties.layer === "siege"; },
        style: { color: "#8b1e3f", weight: 2, fillColor: "#8b1e3f", fillOpacity: 0.25 },
        onEachFeature: link
      }).addTo(map);
      var aid = L.geoJSON(g, {
        filter: function (f) { return f.properties.layer !== "siege"; },
        pointToLayer: function (f, ll) {
          var bad = ["denied", "delayed", "items_removed", "attacked"].indexOf(f.properties.fate) >= 0 || f.properties.attacked;
          return L.circleMarker(ll, { radius: 8, color: "#5b2a86", weight: 3, fillColor: bad ? "#5b2a86" : "#fff", fillOpacity: 0.9 });
        },
        onEachFeature: link
      }).addTo(map);
      var overlays = {};
      overlays[el.dataset.labelSieges] = sieges;
      overlays[el.dataset.labelAid] = aid;
      L.control.layers(null, overlays, { collapsed: false }).addTo(map);
      el.dataset.siegeCount = String(sieges.getLayers().length);
    });
  }
  if (!el.dataset.src) return;
  get(el.dataset.src).then(function (g) {
    var layer = L.geoJSON(g, {
      // Colour: the ruling. Size: the confidence grade (larger is
      // better established); contested and discounted are hollow.
      pointToLayer: function (f, ll) {
        var g = f.properties.grade, hollow = g === "contested" || g === "discounted";
        return L.circleMarker(ll, { radius: radius[g] || 5, color: hollow ? colours[f.properties.verdict] || "#4a5360" : "#fff", weight: hollow ? 2 : 1,
          fillOpacity: hollow ? 0.1 : 0.9, fillColor: colours[f.properties.verdict] || "#4a5360" });
      },
      onEachFeature: function (f, l) {
        var a = document.createElement("a");
        a.href = "/incidents/" + f.properties.id;
        a.textContent = f.properties.date + " · " + f.properties.act;
        var p = document.createElement("div");
        p.appendChild(a);
        p.appendChild(document.createElement("br"));
        p.appendChild(document.createTextNode(f.properties.verdict_label + " · " + f.properties.state + " · " + f.properties.grade_label));
        l.bindPopup(p);
      }
    }).addTo(map);
    el.dataset.count = String(g.features.length);
    if (g.features.length) map.fitBounds(layer.getBounds(), { maxZoom: 11 });
  });
});
