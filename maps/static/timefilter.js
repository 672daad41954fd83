/* incident-map: the time filter, one control for every layer.
 *
 * Dates, handles over a histogram, play with a step and speed, window or
 * cumulative mode, provinces shaded by incidents or deaths, and the window in
 * the URL's hash. setWindow is the single place a window changes. Adds
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
    var initial = this._fromHash() || {start: options.initial[0], end: options.initial[1]};
    this._build();
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
      self.root = root;
      return root;
    };
    control.addTo(this.map);
    this._drawHistogram();
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

  TimeFilter.prototype._drawHistogram = function () {
    var canvas = this.histogram, h = this.options.histogram, width = 360, height = 34;
    canvas.width = width;
    canvas.height = height;
    var ctx = canvas.getContext("2d"), peak = Math.max.apply(null, h.counts.concat([1]));
    var span = Math.max(this.max - this.min, 1);
    ctx.fillStyle = "#7a8793";
    for (var k = 0; k < h.months.length; k++) {
      var x0 = (h.months[k] - this.min) / span * width;
      var x1 = ((k + 1 < h.months.length ? h.months[k + 1] : h.months[k] + 30) - this.min) / span * width;
      var bar = h.counts[k] / peak * (height - 2);
      ctx.fillRect(x0, height - bar, Math.max(x1 - x0 - 1, 1), bar);
    }
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
      var p = all[i].feature.properties, show = p.t0 <= end && p.t1 >= start;
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
    this.totals.textContent = this.incidents.visibleCount + " incidents \u00b7 " +
      this.incidents.visibleDeaths + " deaths stated \u00b7 " + held + " areas held";
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

  TimeFilter.prototype._toHash = function () {
    var hash = "#from=" + isoOf(this.start) + "&to=" + isoOf(this.end) + "&mode=" + this.mode;
    if (window.location.hash !== hash && window.history && window.history.replaceState) {
      try { window.history.replaceState(null, "", hash); } catch (e) { /* file: pages may refuse */ }
    }
  };

  TimeFilter.prototype._fromHash = function () {
    var match = /from=(\d{4}-\d{2}-\d{2})&to=(\d{4}-\d{2}-\d{2})(?:&mode=(\w+))?/.exec(window.location.hash);
    if (!match) { return null; }
    if (match[3] === "cumulative") { this.mode = "cumulative"; }
    return {start: dayOf(match[1]), end: dayOf(match[2])};
  };

  lib.TimeFilter = TimeFilter;
})(window.IncidentMapLib);
