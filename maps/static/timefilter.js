/* incident-map: the time filter, one control for every layer.
 *
 * Dates, handles over a histogram, play with a step and speed, window or
 * cumulative mode, provinces shaded by incidents or deaths, the attribute
 * filters (filters.js), the download of what is in view (download.js), and the
 * window and filters in the URL's hash. setWindow is the single place a window
 * changes, _applyFilter the single place the filters do. Adds
 * IncidentMapLib.TimeFilter.
 */
(function (lib) {
  "use strict";

  var el = lib.util.el, isoOf = lib.util.isoOf, dayOf = lib.util.dayOf;

  // options (maps/render.py, maps/timefilter.py TimeFilter): extent, initial window,
  // histogram, shades by measure, province names, steps and speeds with the first chosen.
  function TimeFilter(map, options) {
    this.map = map;
    this.options = options;
    this.incidents = options.incidents;
    this.areas = options.areas;
    this.provinces = options.provinces;
    this.min = options.extent[0];
    this.max = options.extent[1];
    this.mode = "window";
    this.measure = Object.keys(options.shades)[0];
    this.playing = null;
    var self = this;
    this.filters = new lib.Filters(options.facets, function () { self._applyFilter(); });
    this.filters.onOpen = function () { self._showCounts(); };
    var initial = this._fromHash() || {start: options.initial[0], end: options.initial[1]};
    this._build();
    this.incidents.setFilter(this.filters.allowed());
    this._drawHistogram();
    this.setWindow(initial.start, initial.end);
  }

  TimeFilter.prototype._build = function () {
    var self = this, o = this.options;
    var control = L.control({position: "bottomright"});
    control.onAdd = function () {
      var root = el("div", "im-timefilter");
      L.DomEvent.disableClickPropagation(root);
      L.DomEvent.disableScrollPropagation(root);

      var row = el("div", "im-row");
      self.fromInput = el("input");
      self.fromInput.type = "date";
      self.fromInput.setAttribute("aria-label", "From");
      self.toInput = el("input");
      self.toInput.type = "date";
      self.toInput.setAttribute("aria-label", "To");
      [self.fromInput, self.toInput].forEach(function (input) {
        input.min = isoOf(self.min);
        input.max = isoOf(self.max);
        input.addEventListener("change", function () {
          var a = dayOf(self.fromInput.value), b = dayOf(self.toInput.value);
          if (a !== null && b !== null) { self.setWindow(a, b); }
        });
      });
      row.appendChild(el("label", null, "From "));
      row.appendChild(self.fromInput);
      row.appendChild(el("label", null, " to "));
      row.appendChild(self.toInput);
      root.appendChild(row);

      var track = el("div", "im-track");
      self.histogram = el("canvas", "im-histogram");
      track.appendChild(self.histogram);
      self.band = el("div", "im-window");  // the window, shaded over the histogram
      track.appendChild(self.band);
      self.lowHandle = el("input", "im-range");
      self.highHandle = el("input", "im-range");
      [self.lowHandle, self.highHandle].forEach(function (handle, which) {
        handle.type = "range";
        handle.min = self.min;
        handle.max = self.max;
        handle.step = 1;
        handle.setAttribute("aria-label", which === 0 ? "Window start" : "Window end");
        handle.addEventListener("input", function () {
          var a = Number(self.lowHandle.value), b = Number(self.highHandle.value);
          if (which === 0 && a > b) { a = b; }
          if (which === 1 && b < a) { b = a; }
          self.setWindow(a, b);
        });
        track.appendChild(handle);
      });
      root.appendChild(track);

      var controls = el("div", "im-row");
      self.playButton = el("button", "im-play", "Play");
      self.playButton.type = "button";
      self.playButton.addEventListener("click", function () { self.playing ? self.pause() : self.play(); });
      controls.appendChild(self.playButton);
      self.stepSelect = self._select(Object.keys(o.steps), o.step, "Step");
      self.speedSelect = self._select(o.speeds, o.speed, "Speed");
      self.modeSelect = self._select(["window", "cumulative"], "window", "Mode");
      self.modeSelect.addEventListener("change", function () { self.setMode(self.modeSelect.value); });
      self.measureSelect = self._select(Object.keys(o.shades), self.measure, "Shade provinces by");
      self.measureSelect.addEventListener("change", function () {
        self.measure = self.measureSelect.value;
        self._recolour();
      });
      [["step", self.stepSelect], ["speed", self.speedSelect], ["mode", self.modeSelect],
       ["provinces by", self.measureSelect]].forEach(function (pair) {
        controls.appendChild(el("span", "im-label", pair[0]));
        controls.appendChild(pair[1]);
      });
      root.appendChild(controls);

      self.totals = el("div", "im-totals");
      root.appendChild(self.totals);
      root.appendChild(self._downloads());
      root.appendChild(self.filters.build());
      self.root = root;
      return root;
    };
    control.addTo(this.map);
  };

  // "Download the N incidents in view: CSV, GeoJSON", and what the page could not carry.
  TimeFilter.prototype._downloads = function () {
    var self = this, row = el("div", "im-row im-download");
    if (this.incidents.data.weighted) {  // counts per cell: the records are not in the page
      row.appendChild(el("span", "im-label", "Incidents counted per " + this.incidents.data.cellDegrees +
        "\u00b0 square, month and type; the records are in incidents.parquet"));
      return row;
    }
    row.appendChild(el("span", "im-label", "Download what is in view:"));
    lib.download.formats.forEach(function (format) {
      var button = el("button", "im-save", format === "csv" ? "CSV" : "GeoJSON");
      button.type = "button";
      button.setAttribute("data-format", format);
      button.addEventListener("click", function () {
        lib.download.save(lib.download.file(self.incidents, format, self.start, self.end));
      });
      row.appendChild(button);
    });
    var left = this.incidents.data.downloadLeftOut;
    if (left.length) {
      row.appendChild(el("span", "im-note", "without " + left.join(", ") +
        " (too big for this page; see incidents.csv)"));
    }
    return row;
  };

  TimeFilter.prototype._select = function (values, selected, label) {
    var select = el("select");
    select.setAttribute("aria-label", label);
    values.forEach(function (value) {
      var option = el("option", null, value);
      option.value = value;
      if (value === selected) { option.selected = true; }
      select.appendChild(option);
    });
    return select;
  };

  // Incidents per month: the filtered in solid bars, all of them faint behind when filtered.
  TimeFilter.prototype._drawHistogram = function () {
    var canvas = this.histogram, h = this.options.histogram, width = 360, height = 34;
    canvas.width = width;
    canvas.height = height;
    var ctx = canvas.getContext("2d"), peak = Math.max.apply(null, h.counts.concat([1]));
    var span = Math.max(this.max - this.min, 1), self = this;
    var filtered = this.filters.active() ? this.incidents.monthCounts(h.months) : null;
    function bars(counts, colour) {
      ctx.fillStyle = colour;
      for (var k = 0; k < h.months.length; k++) {
        var x0 = (h.months[k] - self.min) / span * width;
        var x1 = ((k + 1 < h.months.length ? h.months[k + 1] : h.months[k] + 30) - self.min) / span * width;
        var bar = counts[k] / peak * (height - 2);
        ctx.fillRect(x0, height - bar, Math.max(x1 - x0 - 1, 1), bar);
      }
    }
    bars(h.counts, filtered ? "#d5dbe0" : "#7a8793");
    if (filtered) { bars(filtered, "#2b5d8a"); }
    this.filteredMonths = filtered;
  };

  // The single place the filters change: the canvas's choice, the histogram, then the window.
  TimeFilter.prototype._applyFilter = function () {
    this.incidents.setFilter(this.filters.allowed());
    this._drawHistogram();
    this.setWindow(this.start, this.end);
  };

  // What each value of each facet would show in the window, for the open panel.
  TimeFilter.prototype._showCounts = function () {
    if (!this.filters.panel || !this.filters.panel.open) { return; }
    this.filters.showCounts(this.facetCounts());
  };

  // {incidents: [...], areas: [...]}: per facet, counts by value code (or null).
  TimeFilter.prototype.facetCounts = function () {
    var specs = this.options.facets, sizes = specs.map(function (s) { return s.values.length; });
    var areas = specs.map(function (s, k) { return s.tables.indexOf("areas") >= 0 ? new Int32Array(sizes[k]) : null; });
    var all = this._areaLayers || [], filters = this.filters;
    for (var i = 0; i < all.length; i++) {
      var p = all[i].feature.properties;
      if (!(p.t0 <= this.end && p.t1 >= this.start)) { continue; }
      for (var k = 0; k < specs.length; k++) {
        if (!areas[k]) { continue; }
        if (filters.passesArea(p.facets, k)) { areas[k][p.facets[k]]++; }  // every other facet
      }
    }
    return {incidents: this.incidents.facetCounts(sizes), areas: areas};
  };

  // The single place a window changes: every layer, the totals, the inputs, the URL.
  TimeFilter.prototype.setWindow = function (start, end) {
    start = Math.max(this.min, Math.min(start, this.max));
    end = Math.max(start, Math.min(end, this.max));
    if (this.mode === "cumulative") { start = this.min; }
    this.start = start;
    this.end = end;
    this.incidents.setWindow(start, end);
    var held = 0;
    var group = this.areas, all = this._areaLayers || (this._areaLayers = group.getLayers());
    for (var i = 0; i < all.length; i++) {
      var p = all[i].feature.properties;
      var show = p.t0 <= end && p.t1 >= start && this.filters.passesArea(p.facets);
      if (show) { held++; }
      if (show && !group.hasLayer(all[i])) { group.addLayer(all[i]); }
      if (!show && group.hasLayer(all[i])) { group.removeLayer(all[i]); }
    }
    this.heldCount = held;
    this._recolour();
    this.fromInput.value = isoOf(start);
    this.toInput.value = isoOf(end);
    this.lowHandle.value = start;
    this.highHandle.value = end;
    var span = Math.max(this.max - this.min, 1);
    this.band.style.left = (100 * (start - this.min) / span) + "%";
    this.band.style.width = Math.max(100 * (end - start) / span, 0.5) + "%";
    this.totals.textContent = this.incidents.visibleIncidents + " incidents \u00b7 " +
      this.incidents.visibleDeaths + " deaths stated \u00b7 " + held + " areas held" +
      (this.filters.active() ? " (filtered)" : "");
    this._showCounts();
    this._toHash();
  };

  TimeFilter.prototype._recolour = function () {
    var counts = this.measure === "deaths" ? this.incidents.deathsByProvince : this.incidents.byProvince;
    var shades = this.options.shades[this.measure], names = this.options.provinceNames;
    var measure = this.measure;
    this.provinces.eachLayer(function (layer) {
      var idx = layer.feature.properties.idx, value = counts[idx], colour = shades.colours[0];
      for (var k = 0; k < shades.steps.length; k++) { if (value >= shades.steps[k]) { colour = shades.colours[k]; } }
      layer.setStyle({fillColor: colour});
      layer.feature.properties.value = value;
      layer.setTooltipContent(names[idx] + ": " + value + " " + (measure === "deaths" ? "deaths stated" : "incidents") + " in the window");
    });
  };

  TimeFilter.prototype.setMode = function (mode) {
    this.mode = mode === "cumulative" ? "cumulative" : "window";
    this.modeSelect.value = this.mode;
    this.setWindow(this.start, this.end);
  };

  TimeFilter.prototype.step = function () {
    var steps = this.options.steps, step = steps[this.stepSelect.value] || steps[this.options.step];
    if (this.end >= this.max) { this.pause(); return false; }
    if (this.mode === "cumulative") {
      this.setWindow(this.min, this.end + step);
    } else {
      var width = this.end - this.start;
      var end = Math.min(this.end + step, this.max);
      this.setWindow(end - width, end);
    }
    return true;
  };

  TimeFilter.prototype.play = function () {
    var self = this;
    if (this.playing) { return; }
    if (this.end >= this.max) {  // start over from the beginning
      var width = this.end - this.start;
      this.setWindow(this.min, this.min + width);
    }
    var speed = parseFloat(this.speedSelect.value) || 1;
    this.playButton.textContent = "Pause";
    this.playing = setInterval(function () { self.step(); }, this.options.playMs / speed);
  };

  TimeFilter.prototype.pause = function () {
    if (this.playing) { clearInterval(this.playing); }
    this.playing = null;
    this.playButton.textContent = "Play";
  };

  // #from=YYYY-MM-DD&to=YYYY-MM-DD&mode=window, then the filters (maps/filters.py keys).
  TimeFilter.prototype._toHash = function () {
    var keys = this.options.windowKeys, filters = this.filters.toHash();
    var hash = "#" + keys[0] + "=" + isoOf(this.start) + "&" + keys[1] + "=" + isoOf(this.end) +
      "&" + keys[2] + "=" + this.mode + (filters ? "&" + filters : "");
    if (window.location.hash !== hash && window.history && window.history.replaceState) {
      try { window.history.replaceState(null, "", hash); } catch (e) { /* file: pages may refuse */ }
    }
  };

  // The window and filters a shared link names; null when it names no window.
  TimeFilter.prototype._fromHash = function () {
    var pairs = {}, keys = this.options.windowKeys;
    window.location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var at = part.indexOf("=");
      if (at > 0) { pairs[part.slice(0, at)] = part.slice(at + 1); }
    });
    this.filters.fromHash(pairs);
    if (pairs[keys[2]] === "cumulative") { this.mode = "cumulative"; }
    var start = dayOf(pairs[keys[0]] || ""), end = dayOf(pairs[keys[1]] || "");
    if (start === null || end === null) { return null; }
    return {start: start, end: end};
  };

  lib.TimeFilter = TimeFilter;
})(window.IncidentMapLib);
