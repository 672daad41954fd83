/* incident-map: the incident canvas layer and the time filter that drives every layer.
 *
 * Incidents arrive as columns sorted by start day (see maps/payload.py). A
 * window [start, end] shows the incidents whose [t0, t0 + dur] overlaps it;
 * since t0 is sorted and no incident lasts longer than maxDur, the candidates
 * are one contiguous slice found by binary search, so a step costs the size
 * of the window, not of the dataset. Text reaches the page only through
 * textContent.
 */
(function () {
  "use strict";

  var DAY_MS = 86400000;

  function isoOf(day) { return new Date(day * DAY_MS).toISOString().slice(0, 10); }
  function dayOf(iso) {
    var t = Date.parse(iso + "T00:00:00Z");
    return isNaN(t) ? null : Math.round(t / DAY_MS);
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  // 1234 -> "1.2k", 1234567 -> "1.2M": a group's count in its circle.
  function shortCount(n) {
    if (n < 1000) { return String(n); }
    if (n < 1e6) { return (n / 1e3).toFixed(n < 1e4 ? 1 : 0) + "k"; }
    return (n / 1e6).toFixed(1) + "M";
  }
  // First index i in sorted `values` with values[i] > x.
  function upperBound(values, x) {
    var lo = 0, hi = values.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (values[mid] <= x) { lo = mid + 1; } else { hi = mid; } }
    return lo;
  }
  function lowerBound(values, x) {
    var lo = 0, hi = values.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (values[mid] < x) { lo = mid + 1; } else { hi = mid; } }
    return lo;
  }

  /* ---- The incident layer: one canvas, redrawn from typed arrays. ---- */

  // The packed columns (maps/payload.py): base64 of one gzip block, inflated by the browser.
  function unpack(data) {
    var text = atob(data.columns), bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) { bytes[i] = text.charCodeAt(i); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer().then(function (buffer) {
      var types = {u8: Uint8Array, u16: Uint16Array, i32: Int32Array, f64: Float64Array}, columns = {};
      Object.keys(data.layout).forEach(function (name) {
        var at = data.layout[name];
        columns[name] = new types[at[0]](buffer, at[1], at[2]);
      });
      return columns;
    });
  }

  // Fewer incidents than this in view are drawn one by one; more are drawn as counted groups.
  var MARKER_LIMIT = 2000;
  var CELL = 64;  // pixels: the side of a group's square of the screen

  var IncidentCanvas = L.Layer.extend({
    initialize: function (data, options) {
      L.setOptions(this, options);
      this.data = data;
      this.n = 0;
      this.visibleCount = 0;
      this.visibleDeaths = 0;
      this.drawn = 0;
      this.drawnGroups = 0;
      this.byProvince = new Int32Array(options.provinces || 0);
      this.deathsByProvince = new Int32Array(options.provinces || 0);
      this.ready = unpack(data).then(this._load.bind(this));
    },

    _load: function (columns) {
      var data = this.data, n = data.n, options = this.options, i;
      this.n = n;
      this.t0 = new Int32Array(n);
      this.t1 = new Int32Array(n);
      this.maxDur = 0;
      var t = 0;
      for (i = 0; i < n; i++) {
        t += columns.dt0[i];
        this.t0[i] = t;
        this.t1[i] = t + columns.dur[i];
        if (columns.dur[i] > this.maxDur) { this.maxDur = columns.dur[i]; }
      }
      // Web Mercator in [0, 1] for each distinct place, so a zoom change is one multiplication.
      var sites = data.sites;
      this.sx = new Float64Array(sites);
      this.sy = new Float64Array(sites);
      for (i = 0; i < sites; i++) {
        var lat = columns.siteLat[i] / 1e4, lon = columns.siteLon[i] / 1e4;
        var s = Math.sin(lat * Math.PI / 180);
        this.sx[i] = (lon + 180) / 360;
        this.sy[i] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
      }
      this.site = columns.site;
      this.siteCount = new Int32Array(sites);  // incidents per place in the window
      this.siteRank = new Int32Array(sites);
      this.deaths = columns.deaths;
      this.prov = columns.prov;
      this.fanDx = new Float32Array(n);
      this.fanDy = new Float32Array(n);
      this.radius = new Float32Array(n);
      var rule = options.radius;  // maps/style.py RADIUS
      for (i = 0; i < n; i++) {
        var d = columns.deaths[i];
        this.radius[i] = d < 0 ? rule.base : Math.min(rule.base + rule.per_sqrt_death * Math.sqrt(d), rule.most);
      }
      this.kind = new Uint8Array(n);  // drawing group: type * 2 + (approximate ? 1 : 0)
      for (i = 0; i < n; i++) { this.kind[i] = columns.type[i] * 2 + (columns.prec[i] > 1 ? 1 : 0); }
      this.popup = data.popup.map(function (field) {
        return field.codes ? {label: field.label, values: field.values, codes: columns[field.codes]} : field;
      });
      this.visible = new Int32Array(n);  // indexes shown in the window, in start order
      this._onScreen = new Int32Array(n);
      this.xs = new Float32Array(n);
      this.ys = new Float32Array(n);
      this.lo = 0;
      this.hi = 0;
      this.start = -Infinity;
      this.end = Infinity;
      return this;
    },

    onAdd: function (map) {
      this._map = map;
      this._canvas = L.DomUtil.create("canvas", "incident-canvas leaflet-zoom-hide");
      // Its own pane, above the province and area shapes, below tooltips and popups.
      var pane = map.getPane("incidents") || map.createPane("incidents");
      pane.style.zIndex = 450;
      pane.appendChild(this._canvas);
      map.on("moveend zoomend resize viewreset", this.redraw, this);
      map.on("click", this._click, this);
      map.on("mousemove", this._hover, this);
      this.redraw();
    },

    onRemove: function (map) {
      L.DomUtil.remove(this._canvas);
      map.off("moveend zoomend resize viewreset", this.redraw, this);
      map.off("click", this._click, this);
      map.off("mousemove", this._hover, this);
      this._canvas = null;
    },

    // Show the incidents overlapping [start, end] (days); returns nothing, draws at once.
    setWindow: function (start, end) {
      this.start = start;
      this.end = end;
      this.lo = lowerBound(this.t0, start - this.maxDur);
      this.hi = upperBound(this.t0, end);
      var count = 0, deaths = 0, prov = this.prov, dead = this.deaths, t1 = this.t1;
      var visible = this.visible, site = this.site, siteCount = this.siteCount;
      this.byProvince.fill(0);
      this.deathsByProvince.fill(0);
      siteCount.fill(0);
      for (var i = this.lo; i < this.hi; i++) {
        if (t1[i] < start) { continue; }
        visible[count++] = i;
        siteCount[site[i]]++;
        var d = dead[i] > 0 ? dead[i] : 0;
        deaths += d;
        if (prov[i] >= 0) { this.byProvince[prov[i]]++; this.deathsByProvince[prov[i]] += d; }
      }
      this.visibleCount = count;
      this.visibleDeaths = deaths;
      this.redraw();
    },

    isVisible: function (i) {
      return i >= this.lo && i < this.hi && this.t0[i] <= this.end && this.t1[i] >= this.start;
    },

    _pixel: function (i, scale, origin) {
      var p = this.site[i];
      return [this.sx[p] * scale - origin.x + this.fanDx[i], this.sy[p] * scale - origin.y + this.fanDy[i]];
    },

    redraw: function () {
      if (!this._map || !this._canvas || !this.site) { return; }
      var map = this._map, size = map.getSize(), canvas = this._canvas;
      var topLeft = map.containerPointToLayerPoint([0, 0]);
      L.DomUtil.setPosition(canvas, topLeft);
      var ratio = window.devicePixelRatio || 1;
      if (canvas.width !== size.x * ratio || canvas.height !== size.y * ratio) {
        canvas.width = size.x * ratio;
        canvas.height = size.y * ratio;
        canvas.style.width = size.x + "px";
        canvas.style.height = size.y + "px";
      }
      var ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, size.x, size.y);
      var scale = 256 * Math.pow(2, map.getZoom());
      var origin = map.getPixelOrigin().add(topLeft);
      // How many incidents of the window are in view, counted by place.
      var inView = 0, counts = this.siteCount, margin = this.options.radius.most + 40;
      for (var p = 0; p < counts.length; p++) {
        if (!counts[p]) { continue; }
        var px = this.sx[p] * scale - origin.x, py = this.sy[p] * scale - origin.y;
        if (px > -margin && py > -margin && px < size.x + margin && py < size.y + margin) { inView += counts[p]; }
      }
      this.groups = [];
      if (inView > MARKER_LIMIT) {
        this.drawn = 0;
        this._drawGroups(ctx, size, scale, origin);
      } else {
        this.drawnGroups = 0;
        this._drawMarkers(ctx, size, scale, origin);
      }
    },

    // Incidents one by one; those sharing a place fan out on a ring around it.
    _drawMarkers: function (ctx, size, scale, origin) {
      var ox = origin.x, oy = origin.y, colours = this.options.colours, visible = this.visible;
      var kind = this.kind, site = this.site, xs = this.xs, ys = this.ys, radius = this.radius;
      var counts = this.siteCount, rank = this.siteRank, onScreen = 0, present = {};
      rank.fill(0);
      for (var v = 0; v < this.visibleCount; v++) {
        var i = visible[v], p = site[i], r = radius[i], group = counts[p];
        var x = this.sx[p] * scale - ox, y = this.sy[p] * scale - oy;
        if (group > 1) {
          var ring = 8 + 4 * group, angle = 2 * Math.PI * rank[p]++ / group;
          this.fanDx[i] = ring * Math.sin(angle);
          this.fanDy[i] = -ring * Math.cos(angle);
        } else {
          this.fanDx[i] = 0;
          this.fanDy[i] = 0;
        }
        x += this.fanDx[i];
        y += this.fanDy[i];
        if (x < -r || y < -r || x > size.x + r || y > size.y + r) { continue; }
        xs[onScreen] = x;
        ys[onScreen] = y;
        this._onScreen[onScreen++] = i;
        present[kind[i]] = true;
      }
      this.drawn = onScreen;
      // One path per colour and style; approximate places first (hollow, dashed), exact on top.
      var keys = Object.keys(present).map(Number).sort(function (a, b) { return (b % 2) - (a % 2) || a - b; });
      for (var k = 0; k < keys.length; k++) {
        var hollow = keys[k] % 2 === 1, colour = colours[keys[k] >> 1];
        ctx.beginPath();
        for (var j = 0; j < onScreen; j++) {
          var idx = this._onScreen[j];
          if (kind[idx] !== keys[k]) { continue; }
          ctx.moveTo(xs[j] + radius[idx], ys[j]);
          ctx.arc(xs[j], ys[j], radius[idx], 0, 2 * Math.PI);
        }
        ctx.globalAlpha = hollow ? 0.12 : 0.8;
        ctx.fillStyle = colour;
        ctx.fill();
        ctx.globalAlpha = 1;
        ctx.strokeStyle = colour;
        ctx.lineWidth = hollow ? 2.5 : 1.5;
        ctx.setLineDash(hollow ? [4, 3] : []);
        ctx.stroke();
      }
      ctx.setLineDash([]);
    },

    // Too many to tell apart: count the window's incidents in squares of the screen, and
    // draw each square's count at the centre of its incidents. Click one to zoom in.
    _drawGroups: function (ctx, size, scale, origin) {
      var cells = new Map(), counts = this.siteCount;
      for (var p = 0; p < counts.length; p++) {
        var c = counts[p];
        if (!c) { continue; }
        var wx = this.sx[p] * scale, wy = this.sy[p] * scale;
        var key = Math.floor(wx / CELL) * 4194304 + Math.floor(wy / CELL);
        var cell = cells.get(key);
        if (!cell) { cells.set(key, cell = {count: 0, x: 0, y: 0}); }
        cell.count += c;
        cell.x += wx * c;
        cell.y += wy * c;
      }
      var groups = [];
      cells.forEach(function (cell) {
        var x = cell.x / cell.count - origin.x, y = cell.y / cell.count - origin.y;
        var r = Math.min(10 + 4 * Math.log10(cell.count) * 2, CELL / 2);
        if (x < -r || y < -r || x > size.x + r || y > size.y + r) { return; }
        groups.push({x: x, y: y, r: r, count: cell.count});
      });
      groups.sort(function (a, b) { return a.count - b.count; });  // the biggest on top
      ctx.font = "bold 11px sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      for (var g = 0; g < groups.length; g++) {
        var group = groups[g];
        ctx.beginPath();
        ctx.arc(group.x, group.y, group.r, 0, 2 * Math.PI);
        ctx.fillStyle = "rgba(122, 30, 30, 0.72)";
        ctx.fill();
        ctx.lineWidth = 2;
        ctx.strokeStyle = "#fff";
        ctx.stroke();
        ctx.fillStyle = "#fff";
        ctx.fillText(shortCount(group.count), group.x, group.y);
      }
      this.groups = groups;
      this.drawnGroups = groups.length;
    },

    groupAt: function (point) {
      for (var g = this.groups.length - 1; g >= 0; g--) {
        var group = this.groups[g], dx = group.x - point.x, dy = group.y - point.y;
        if (dx * dx + dy * dy <= group.r * group.r) { return group; }
      }
      return null;
    },

    // The visible incident nearest to a container point, within its radius.
    hit: function (point) {
      if (!this._map || this.drawnGroups) { return -1; }
      var map = this._map, scale = 256 * Math.pow(2, map.getZoom());
      var origin = map.getPixelOrigin().add(map.containerPointToLayerPoint([0, 0]));
      var best = -1, bestDistance = Infinity;
      for (var v = 0; v < this.visibleCount; v++) {
        var i = this.visible[v], p = this._pixel(i, scale, origin);
        var dx = p[0] - point.x, dy = p[1] - point.y, dist = Math.sqrt(dx * dx + dy * dy);
        if (dist <= this.radius[i] + 3 && dist < bestDistance) { best = i; bestDistance = dist; }
      }
      return best;
    },

    latLngOf: function (i) {
      var map = this._map, scale = 256 * Math.pow(2, map.getZoom());
      var site = this.site[i];
      var p = L.point(this.sx[site] * scale + this.fanDx[i], this.sy[site] * scale + this.fanDy[i]);
      return map.unproject(p, map.getZoom());
    },

    // Popup fields: a heading, table rows, a summary; each a constant or distinct values + codes.
    popupContent: function (i) {
      var fields = this.popup, value = function (f) { return f.values ? f.values[f.codes[i]] : f.value; };
      var box = el("div", "popup");
      box.appendChild(el("h4", null, value(fields[0])));
      var table = el("table", "record");
      for (var k = 1; k < fields.length - 1; k++) {
        var text = value(fields[k]);
        if (!text) { continue; }
        var tr = el("tr");
        tr.appendChild(el("th", null, fields[k].label));
        tr.appendChild(el("td", null, text));
        table.appendChild(tr);
      }
      box.appendChild(table);
      var summary = value(fields[fields.length - 1]);
      if (summary) { box.appendChild(el("p", "summary", summary)); }
      if (this.data.leftOut.length) {
        box.appendChild(el("p", "left-out", this.data.leftOut.join(", ") + ": too many to carry in " +
          "this page; see row " + (i + 1) + " of incidents.csv"));
      }
      return box;
    },

    openPopup: function (i) {
      L.popup({maxWidth: 380}).setLatLng(this.latLngOf(i)).setContent(this.popupContent(i)).openOn(this._map);
    },

    _click: function (event) {
      var group = this.drawnGroups ? this.groupAt(event.containerPoint) : null;
      if (group) {
        var map = this._map;
        map.setView(map.containerPointToLatLng([group.x, group.y]), Math.min(map.getZoom() + 2, map.getMaxZoom()));
        return;
      }
      var i = this.hit(event.containerPoint);
      if (i >= 0) { this.openPopup(i); }
    },

    _hover: function (event) {
      var over = this.drawnGroups ? this.groupAt(event.containerPoint) !== null : this.hit(event.containerPoint) >= 0;
      this._map.getContainer().style.cursor = over ? "pointer" : "";
    }
  });

  /* ---- The time filter: one control for every layer. ---- */

  var STEPS = {week: 7, month: 30, quarter: 91, year: 365};

  function TimeFilter(map, options) {
    this.map = map;
    this.options = options;
    this.incidents = options.incidents;
    this.areas = options.areas;
    this.provinces = options.provinces;
    this.min = options.extent[0];
    this.max = options.extent[1];
    this.mode = "window";
    this.measure = "incidents";
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
      self.stepSelect = self._select(["week", "month", "quarter", "year"], "month", "Step");
      self.speedSelect = self._select(["0.5x", "1x", "2x", "4x"], "1x", "Speed");
      self.modeSelect = self._select(["window", "cumulative"], "window", "Mode");
      self.modeSelect.addEventListener("change", function () { self.setMode(self.modeSelect.value); });
      self.measureSelect = self._select(["incidents", "deaths"], "incidents", "Shade provinces by");
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
    var step = STEPS[this.stepSelect.value] || 30;
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
    this.playing = setInterval(function () { self.step(); }, 800 / speed);
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

  /* ---- The page API, for tests and for embedding. ---- */

  function install(filter) {
    window.incidentMap = {
      setWindow: function (startISO, endISO) {
        var a = dayOf(startISO), b = dayOf(endISO);
        if (a === null || b === null) { throw new Error("setWindow wants two YYYY-MM-DD dates"); }
        filter.setWindow(a, b);
        return this.getWindow();
      },
      getWindow: function () { return {start: isoOf(filter.start), end: isoOf(filter.end), mode: filter.mode}; },
      visible: function () {
        return {incidents: filter.incidents.visibleCount, areas: filter.heldCount,
                deaths: filter.incidents.visibleDeaths};
      },
      provinces: function () {
        var out = {}, names = filter.options.provinceNames;
        for (var k = 0; k < names.length; k++) {
          out[names[k]] = {incidents: filter.incidents.byProvince[k], deaths: filter.incidents.deathsByProvince[k]};
        }
        return out;
      },
      drawn: function () { return filter.incidents._canvas ? filter.incidents.drawn : 0; },
      // Groups drawn instead of single markers (0 when markers are shown).
      groups: function () { return filter.incidents._canvas ? filter.incidents.drawnGroups : 0; },
      // Each group drawn: where (container pixels) and how many incidents it holds.
      groupList: function () {
        return (filter.incidents.groups || []).map(function (g) { return {x: g.x, y: g.y, count: g.count}; });
      },
      setView: function (lat, lon, zoom) { filter.map.setView([lat, lon], zoom, {animate: false}); },
      getZoom: function () { return filter.map.getZoom(); },
      setMode: function (mode) { filter.setMode(mode); return this.getWindow(); },
      step: function () { return filter.step(); },
      play: function () { filter.play(); },
      pause: function () { filter.pause(); },
      openPopup: function (i) { filter.incidents.openPopup(i); },
      // Where incident i (in start-date order) is drawn, in container pixels; null if hidden.
      markerPoint: function (i) {
        var layer = filter.incidents;
        if (!layer._map || !layer.isVisible(i)) { return null; }
        var point = layer._map.latLngToContainerPoint(layer.latLngOf(i));
        return {x: point.x, y: point.y};
      },
      ready: true
    };
  }

  window.IncidentMapLib = {
    IncidentCanvas: IncidentCanvas,
    TimeFilter: TimeFilter,
    // The filter starts once the incident columns are inflated; incidentMap.ready says so.
    start: function (map, options) {
      return options.incidents.ready.then(function () {
        var filter = new TimeFilter(map, options);
        install(filter);
        return filter;
      });
    }
  };
})();
