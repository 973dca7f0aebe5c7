/* Where the problem is, on the report forms (cases.forms, docs/workorders.md). Served by the app,
   no inline script (Content-Security-Policy); without it every field still works by hand.
   [data-where-choice]       the select or radios of the kind of place: shows the group
                             [data-where-group="<kind>"] of the choice, disables the others' inputs
                             (so a hidden, stale choice is never posted)
   svg.place-map-interactive a click or a tap sets the point (longitude, latitude) into the input
                             named by data-point-field, and selects the grid or compound under it
                             in the select named by data-select-field; choosing in that select
                             (the keyboard's way) clears the point and highlights the shape
   [data-house-search]       a text input: the addresses matching what is typed
                             (GET data-house-search?q=…), picked into the hidden input named by
                             data-house-field; the house's compound fills the facilities
   [data-compound-places]    the compound select of the staff form: choosing one fills the
                             building, unit and facility selects with that compound's
                             (GET data-compound-places?compound=…) */
(function () {
  "use strict";

  function showGroups(form) {
    var chooser = form.querySelector("[data-where-choice]");
    if (!chooser) return;
    var checked = chooser.matches("select") ? chooser : chooser.querySelector("input:checked");
    var value = checked ? checked.value : "";
    form.querySelectorAll("[data-where-group]").forEach(function (group) {
      var on = group.dataset.whereGroup.split(" ").indexOf(value.split(":")[0]) !== -1;
      group.hidden = !on;
      group.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !on; });
    });
  }

  function highlight(svg, value) {
    svg.querySelectorAll("[data-place]").forEach(function (shape) {
      shape.classList.toggle("selected", shape.dataset.place === value);
    });
  }

  function setPoint(svg, x, y, lonlat) {
    var dot = svg.querySelector(".map-point");
    dot.setAttribute("cx", x.toFixed(1));
    dot.setAttribute("cy", y.toFixed(1));
    dot.setAttribute("visibility", lonlat ? "visible" : "hidden");
    document.getElementById(svg.dataset.pointField).value = lonlat || "";
  }

  function mapClicked(svg, event) {
    var p = svg.createSVGPoint();
    p.x = event.clientX;
    p.y = event.clientY;
    var at = p.matrixTransform(svg.getScreenCTM().inverse());
    var d = svg.dataset;
    var lon = parseFloat(d.x0) + (at.x - 10) / (parseFloat(d.kx) * parseFloat(d.scale));
    var lat = parseFloat(d.y1) - (at.y - 10) / parseFloat(d.scale);
    setPoint(svg, at.x, at.y, lon.toFixed(6) + "," + lat.toFixed(6));
    var shape = event.target.closest("[data-place]");
    var select = document.getElementById(d.selectField);
    select.value = shape ? shape.dataset.place : "";
    highlight(svg, select.value);
  }

  function initMap(svg) {
    var select = document.getElementById(svg.dataset.selectField);
    highlight(svg, select.value);
    var point = document.getElementById(svg.dataset.pointField).value;
    if (!point) setPoint(svg, 0, 0, "");
    svg.addEventListener("click", function (event) { mapClicked(svg, event); });
    select.addEventListener("change", function () {
      setPoint(svg, 0, 0, "");
      highlight(svg, select.value);
    });
  }

  var PLACE_LISTS = ["building", "unit", "facility"];

  function fillPlaces(form, compound, names) {
    var picker = form.querySelector("[data-compound-places]");
    if (!picker) return;
    var selects = names.map(function (name) { return form.querySelector("select[name='" + name + "']"); })
      .filter(Boolean);
    function fill(data) {
      selects.forEach(function (select) {
        var first = select.options[0];
        first.textContent = compound ? "---------" : select.dataset.beforeCompound;
        var options = (data[select.name] || []).map(function (place) {
          return new Option(place.label, place.id);
        });
        select.replaceChildren.apply(select, [first].concat(options));
      });
    }
    if (!compound) { fill({}); return; }
    fetch(picker.dataset.compoundPlaces + "?compound=" + encodeURIComponent(compound), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(fill);
  }

  function initHouseSearch(input) {
    var hidden = document.getElementById(input.dataset.houseField);
    var list = document.createElement("div");
    list.className = "list-group house-results mt-1";
    list.setAttribute("role", "listbox");
    input.after(list);
    var timer = null;
    input.addEventListener("input", function () {
      hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (!input.value.trim()) { list.replaceChildren(); return; }
        fetch(input.dataset.houseSearch + "?q=" + encodeURIComponent(input.value), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) {
            list.replaceChildren.apply(list, data.results.map(function (house) {
              var item = document.createElement("button");
              item.type = "button";
              item.className = "list-group-item list-group-item-action";
              item.setAttribute("role", "option");
              item.textContent = house.label;
              item.addEventListener("click", function () {
                hidden.value = house.id;
                input.value = house.label;
                if (input.form) fillPlaces(input.form, house.compound, ["facility"]);
                list.replaceChildren();
              });
              return item;
            }));
          });
      }, 200);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("[data-where-choice]")) return;
      showGroups(form);
      form.addEventListener("change", function (event) {
        if (event.target.closest("[data-where-choice]")) showGroups(form);
      });
    });
    document.querySelectorAll("svg.place-map-interactive").forEach(initMap);
    document.querySelectorAll("[data-house-search]").forEach(initHouseSearch);
    document.querySelectorAll("[data-compound-places]").forEach(function (select) {
      select.addEventListener("change", function () { fillPlaces(select.form, select.value, PLACE_LISTS); });
    });
  });
})();
