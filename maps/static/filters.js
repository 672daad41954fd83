/* incident-map: the attribute filters, a panel of facets inside the time filter.
 *
 * The facets come from maps/filters.py FACETS: for each, its column, URL hash
 * key, label, tables, and values (most frequent first) with their labels. A
 * facet with nothing chosen is open; choosing values keeps only records with
 * one of them. This part holds the choice, its panel of checkboxes with counts,
 * and its text in the URL hash; the time filter applies it. Adds
 * IncidentMapLib.Filters.
 */
(function (lib) {
  "use strict";

  var el = lib.util.el;

  // specs: maps/filters.py facet_specs; onChange: called after every change of the choice.
  function Filters(specs, onChange) {
    this.specs = specs;
    this.onChange = onChange;
    this.chosen = specs.map(function () { return null; });  // per facet: null or a Set of values
    this.boxes = [];
    this.countCells = [];
  }

  Filters.prototype.indexOf = function (name) {
    for (var k = 0; k < this.specs.length; k++) {
      if (this.specs[k].column === name || this.specs[k].key === name) { return k; }
    }
    return -1;
  };

  Filters.prototype.active = function () {
    return this.chosen.some(function (set) { return set !== null; });
  };

  // Per facet, a Uint8Array by value code (1: passes), or null for an open facet.
  Filters.prototype.allowed = function () {
    var specs = this.specs;
    return this.chosen.map(function (set, k) {
      if (!set) { return null; }
      var values = specs[k].values, allowed = new Uint8Array(values.length);
      for (var j = 0; j < values.length; j++) { allowed[j] = set.has(values[j]) ? 1 : 0; }
      return allowed;
    });
  };

  // An area's facet codes (-1 where a facet is not for areas) against the choice; facet
  // `skip`, if given, is left out.
  Filters.prototype.passesArea = function (codes, skip) {
    for (var k = 0; k < this.chosen.length; k++) {
      var set = k === skip ? null : this.chosen[k];
      if (set && codes[k] >= 0 && !set.has(this.specs[k].values[codes[k]])) { return false; }
    }
    return true;
  };

  // {column: [values]} for the facets chosen; quietly, so the caller decides when to apply.
  Filters.prototype.get = function () {
    var out = {}, specs = this.specs;
    this.chosen.forEach(function (set, k) {
      if (set) { out[specs[k].column] = Array.from(set); }
    });
    return out;
  };

  // Set the facets named in `choice` (by column or hash key); null or [] opens a facet.
  Filters.prototype.set = function (choice, quiet) {
    var self = this;
    Object.keys(choice).forEach(function (name) {
      var k = self.indexOf(name);
      if (k < 0) {
        throw new Error("no filter named " + JSON.stringify(name) + "; filters: " +
          self.specs.map(function (s) { return s.column; }).join(", "));
      }
      var values = choice[name];
      if (values !== null && !Array.isArray(values)) { values = [values]; }
      self.chosen[k] = values && values.length ? new Set(values.map(String)) : null;
    });
    this._tick();
    if (!quiet) { this.onChange(); }
  };

  Filters.prototype.clear = function (quiet) {
    this.chosen = this.specs.map(function () { return null; });
    this._tick();
    if (!quiet) { this.onChange(); }
  };

  // "type=suicide_attack,bombing&claim=claimed": each value URI-encoded, "" for not stated.
  Filters.prototype.toHash = function () {
    var specs = this.specs, parts = [];
    this.chosen.forEach(function (set, k) {
      if (set) { parts.push(specs[k].key + "=" + Array.from(set).map(encodeURIComponent).join(",")); }
    });
    return parts.join("&");
  };

  // From the hash's {key: text} pairs; keys that name no facet are left alone.
  Filters.prototype.fromHash = function (pairs) {
    var choice = {}, self = this;
    this.specs.forEach(function (spec) {
      if (Object.prototype.hasOwnProperty.call(pairs, spec.key)) {
        choice[spec.column] = pairs[spec.key].split(",").map(function (text) {
          try { return decodeURIComponent(text); } catch (e) { return text; }  // a mangled link
        });
      }
    });
    this.clear(true);
    this.set(choice, true);
    return Object.keys(choice).length > 0;
  };

  // The panel: a collapsed <details> of facets, each a <details> of checkboxes with counts.
  Filters.prototype.build = function () {
    var self = this, panel = el("details", "im-filters");
    this.summary = el("summary", null, "Filters");
    panel.appendChild(this.summary);
    panel.addEventListener("toggle", function () { if (panel.open && self.onOpen) { self.onOpen(); } });
    var clear = el("button", "im-clear", "Clear filters");
    clear.type = "button";
    clear.addEventListener("click", function () { self.clear(); });
    var body = el("div", "im-facets");
    this.specs.forEach(function (spec, k) { body.appendChild(self._facet(spec, k)); });
    body.appendChild(clear);
    panel.appendChild(body);
    this.panel = panel;
    this._tick();
    return panel;
  };

  Filters.prototype._facet = function (spec, k) {
    var self = this, box = el("details", "im-facet");
    var summary = el("summary", null, spec.label);
    var chosenNote = el("span", "im-chosen");
    summary.appendChild(chosenNote);
    box.appendChild(summary);
    var list = el("div", "im-values");
    if (spec.search) {
      var search = el("input", "im-search");
      search.type = "search";
      search.placeholder = "Search " + spec.values.length + " values";
      search.setAttribute("aria-label", "Search " + spec.label);
      search.addEventListener("input", function () {
        var needle = search.value.toLowerCase();
        Array.prototype.forEach.call(list.children, function (row, j) {
          row.style.display = spec.labels[j].toLowerCase().indexOf(needle) >= 0 ? "" : "none";
        });
      });
      box.appendChild(search);
    }
    this.boxes[k] = [];
    this.countCells[k] = [];
    spec.values.forEach(function (value, j) {
      var row = el("label", "im-value"), input = el("input");
      input.type = "checkbox";
      input.addEventListener("change", function () {
        var set = self.chosen[k] ? new Set(self.chosen[k]) : new Set();
        if (input.checked) { set.add(value); } else { set.delete(value); }
        self.chosen[k] = set.size ? set : null;
        self._tick();
        self.onChange();
      });
      row.appendChild(input);
      row.appendChild(el("span", null, spec.labels[j]));
      var count = el("span", "im-count");
      row.appendChild(count);
      list.appendChild(row);
      self.boxes[k].push(input);
      self.countCells[k].push(count);
    });
    box.appendChild(list);
    this.boxes[k].note = chosenNote;
    return box;
  };

  // Tick the boxes and name the chosen count to match this.chosen.
  Filters.prototype._tick = function () {
    if (!this.panel) { return; }
    var chosen = 0, specs = this.specs;
    this.chosen.forEach(function (set) { if (set) { chosen++; } });
    this.summary.textContent = chosen ? "Filters (" + chosen + " on)" : "Filters";
    for (var k = 0; k < specs.length; k++) {
      var set = this.chosen[k];
      for (var j = 0; j < this.boxes[k].length; j++) { this.boxes[k][j].checked = !!set && set.has(specs[k].values[j]); }
      this.boxes[k].note.textContent = set ? " (" + set.size + ")" : "";
    }
  };

  // counts.incidents[k] and counts.areas[k]: per value of facet k, what choosing it would
  // show in the window (Int32Array or null).
  Filters.prototype.showCounts = function (counts) {
    if (!this.panel || !this.panel.open) { return; }
    for (var k = 0; k < this.specs.length; k++) {
      var inc = counts.incidents[k], areas = counts.areas[k];
      for (var j = 0; j < this.countCells[k].length; j++) {
        var parts = [];
        if (inc) { parts.push(String(inc[j])); }
        if (areas && (areas[j] || !inc)) { parts.push(areas[j] + (areas[j] === 1 ? " area" : " areas")); }
        this.countCells[k][j].textContent = parts.join(" + ");
      }
    }
  };

  lib.Filters = Filters;
})(window.IncidentMapLib);
