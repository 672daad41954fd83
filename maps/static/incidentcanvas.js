/* incident-map: the incident layer, one canvas redrawn from typed arrays.
 *
 * Incidents arrive as columns sorted by start day (see maps/payload.py). A
 * window [start, end] shows the incidents whose [t0, t0 + dur] overlaps it;
 * since t0 is sorted and no incident lasts longer than maxDur, the candidates
 * are one contiguous slice found by binary search, so a step costs the size
 * of the window, not of the dataset. Few in view are drawn one by one, many as
 * counted groups. The attribute filters (maps/filters.py) narrow the same slice:
 * a record shows when its window overlaps and every chosen facet allows its
 * code. Adds IncidentMapLib.IncidentCanvas.
 */
(function (lib) {
  "use strict";

  var el = lib.util.el;

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

  // The packed columns (maps/payload.py): base64 of one gzip block, inflated by the browser;
  // the layout names each column's typed array (payload.WIDTHS), offset and length, or
  // "Text" for UTF-8 text and its length in bytes.
  function unpack(data) {
    var text = atob(data.columns), bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) { bytes[i] = text.charCodeAt(i); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer().then(function (buffer) {
      var columns = {};
      Object.keys(data.layout).forEach(function (name) {
        var at = data.layout[name];
        columns[name] = at[0] === "Text" ? new TextDecoder().decode(new Uint8Array(buffer, at[1], at[2]))
          : new window[at[0]](buffer, at[1], at[2]);
      });
      return columns;
    });
  }

  // options (maps/timefilter.py IncidentCanvas, from maps/style.py): colours by type,
  // radius rule, exact precision, marker looks, groups; provinces: how many.
  var IncidentCanvas = L.Layer.extend({
    initialize: function (data, options) {
      L.setOptions(this, options);
      this.data = data;
      this.n = 0;
      this.visibleCount = 0;  // rows in the window (records, or counts per cell)
      this.visibleIncidents = 0;  // incidents they stand for
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
        var lat = columns.siteLat[i] / data.scale, lon = columns.siteLon[i] / data.scale;
        var s = Math.sin(lat * Math.PI / 180);
        this.sx[i] = (lon + 180) / 360;
        this.sy[i] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
      }
      this.site = columns.site;
      this.siteCount = new Int32Array(sites);  // incidents per place in the window
      this.siteRank = new Int32Array(sites);
      this.deaths = columns.deaths;
      this.prov = columns.prov;
      // With counts per cell (maps/payload.py cell_payload) a row stands for weight[i] incidents.
      this.weight = columns.weight || null;
      this.fanDx = new Float32Array(n);
      this.fanDy = new Float32Array(n);
      this.radius = new Float32Array(n);
      var rule = options.radius;  // maps/style.py RADIUS
      for (i = 0; i < n; i++) {
        var d = columns.deaths[i];
        this.radius[i] = d < 0 ? rule.base : Math.min(rule.base + rule.per_sqrt_death * Math.sqrt(d), rule.most);
      }
      // The type codes are indexes into data.types (geo/schema.py EVENT_TYPES).
      this.colours = data.types.map(function (type) { return options.colours[type]; });
      this.kind = new Uint8Array(n);  // drawing group: type * 2 + (approximate ? 1 : 0)
      for (i = 0; i < n; i++) {
        this.kind[i] = columns.type[i] * 2 + (columns.prec[i] > options.exact ? 1 : 0);
      }
      this.columns = columns;
      this.active = [];  // the facets chosen: [{k, codes, allowed}], see setFilter
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

    // Keep only records whose code in facet k is allowed: allowed[k] is a Uint8Array by
    // code, or null for a facet left open. Takes effect at the next setWindow.
    setFilter: function (allowed) {
      var columns = this.columns;
      this.active = [];
      for (var k = 0; k < allowed.length; k++) {
        var codes = columns["facet" + k];
        if (allowed[k] && codes) { this.active.push({k: k, codes: codes, allowed: allowed[k]}); }
      }
    },

    passes: function (i) {
      var active = this.active;
      for (var f = 0; f < active.length; f++) { if (!active[f].allowed[active[f].codes[i]]) { return false; } }
      return true;
    },

    // Show the incidents overlapping [start, end] (days) that the filters pass; draws at once.
    setWindow: function (start, end) {
      this.start = start;
      this.end = end;
      this.lo = lowerBound(this.t0, start - this.maxDur);
      this.hi = upperBound(this.t0, end);
      var count = 0, incidents = 0, deaths = 0, prov = this.prov, dead = this.deaths, t1 = this.t1;
      var visible = this.visible, site = this.site, siteCount = this.siteCount, weight = this.weight;
      this.byProvince.fill(0);
      this.deathsByProvince.fill(0);
      siteCount.fill(0);
      var active = this.active, na = active.length;
      outer: for (var i = this.lo; i < this.hi; i++) {
        if (t1[i] < start) { continue; }
        for (var f = 0; f < na; f++) { if (!active[f].allowed[active[f].codes[i]]) { continue outer; } }
        visible[count++] = i;
        var w = weight ? weight[i] : 1;
        incidents += w;
        siteCount[site[i]] += w;
        var d = dead[i] > 0 ? dead[i] : 0;
        deaths += d;
        if (prov[i] >= 0) { this.byProvince[prov[i]] += w; this.deathsByProvince[prov[i]] += d; }
      }
      this.visibleCount = count;
      this.visibleIncidents = incidents;
      this.visibleDeaths = deaths;
      this.redraw();
      this.fire("window");
    },

    isVisible: function (i) {
      return i >= this.lo && i < this.hi && this.t0[i] <= this.end && this.t1[i] >= this.start &&
        this.passes(i);
    },

    // For each facet with codes (sizes[k] values), the window's incidents per value that
    // pass every other facet: what choosing that value would show. null for other facets.
    facetCounts: function (sizes) {
      var columns = this.columns, codes = [], counts = [], chosen = [];
      for (var k = 0; k < sizes.length; k++) {
        codes[k] = columns["facet" + k] || null;
        counts[k] = codes[k] ? new Int32Array(sizes[k]) : null;
        chosen[k] = null;
      }
      this.active.forEach(function (a) { chosen[a.k] = a.allowed; });
      var start = this.start, t1 = this.t1, K = sizes.length, weight = this.weight;
      for (var i = this.lo; i < this.hi; i++) {
        if (t1[i] < start) { continue; }
        var failed = -1, fails = 0, w = weight ? weight[i] : 1;
        for (var f = 0; f < K && fails < 2; f++) {
          if (chosen[f] && !chosen[f][codes[f][i]]) { failed = f; fails++; }
        }
        if (fails === 1) { counts[failed][codes[failed][i]] += w; }
        if (fails === 0) { for (f = 0; f < K; f++) { if (codes[f]) { counts[f][codes[f][i]] += w; } } }
      }
      return counts;
    },

    // Incidents the filters pass, by calendar month of their start: starts[m] is month m's
    // first day (sorted), as in the histogram. One facet chosen costs months x values
    // after its first use; more than one, a pass over every record.
    monthCounts: function (starts) {
      var n = this.n, counts = new Int32Array(starts.length), i, f;
      if (!this._month || this._monthStarts !== starts) {  // each record's month, found once
        var t0 = this.t0, m = 0;
        this._month = new Uint16Array(n);
        this._byMonth = {};
        this._monthStarts = starts;
        for (i = 0; i < n; i++) {
          while (m + 1 < starts.length && t0[i] >= starts[m + 1]) { m++; }
          this._month[i] = m;
        }
      }
      var month = this._month, active = this.active, na = active.length, weight = this.weight;
      if (na === 1) {  // the usual case: from the facet's months-by-value table, built once
        var pass = active[0].allowed, values = pass.length;
        this._byMonth = this._byMonth || {};
        var table = this._byMonth[active[0].k];
        if (!table) {
          var only = active[0].codes;
          table = this._byMonth[active[0].k] = new Int32Array(starts.length * values);
          for (i = 0; i < n; i++) { table[month[i] * values + only[i]] += weight ? weight[i] : 1; }
        }
        for (var mo = 0; mo < starts.length; mo++) {
          for (var j = 0; j < values; j++) { if (pass[j]) { counts[mo] += table[mo * values + j]; } }
        }
        return counts;
      }
      outer: for (i = 0; i < n; i++) {
        for (f = 0; f < na; f++) { if (!active[f].allowed[active[f].codes[i]]) { continue outer; } }
        counts[month[i]] += weight ? weight[i] : 1;
      }
      return counts;
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
      // Counts per cell are only ever drawn counted: a marker would pass for one incident.
      if (this.weight || inView > this.options.groups.limit) {
        this.drawn = 0;
        this._drawGroups(ctx, size, scale, origin);
      } else {
        this.drawnGroups = 0;
        this._drawMarkers(ctx, size, scale, origin);
      }
    },

    // Incidents one by one; those sharing a place fan out on a ring around it.
    _drawMarkers: function (ctx, size, scale, origin) {
      var ox = origin.x, oy = origin.y, colours = this.colours, visible = this.visible;
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
        var looks = this.options.looks, colour = colours[keys[k] >> 1];
        var look = keys[k] % 2 === 1 ? looks.approximate : looks.exact;
        ctx.beginPath();
        for (var j = 0; j < onScreen; j++) {
          var idx = this._onScreen[j];
          if (kind[idx] !== keys[k]) { continue; }
          ctx.moveTo(xs[j] + radius[idx], ys[j]);
          ctx.arc(xs[j], ys[j], radius[idx], 0, 2 * Math.PI);
        }
        ctx.globalAlpha = look.fillOpacity;
        ctx.fillStyle = colour;
        ctx.fill();
        ctx.globalAlpha = 1;
        ctx.strokeStyle = colour;
        ctx.lineWidth = look.weight;
        ctx.setLineDash(look.dash);
        ctx.stroke();
      }
      ctx.setLineDash([]);
    },

    // Too many to tell apart: count the window's incidents in squares of the screen, and
    // draw each square's count at the centre of its incidents. Click one to zoom in.
    _drawGroups: function (ctx, size, scale, origin) {
      var cells = new Map(), counts = this.siteCount, rule = this.options.groups, side = rule.cell;
      for (var p = 0; p < counts.length; p++) {
        var c = counts[p];
        if (!c) { continue; }
        var wx = this.sx[p] * scale, wy = this.sy[p] * scale;
        var key = Math.floor(wx / side) * 4194304 + Math.floor(wy / side);
        var cell = cells.get(key);
        if (!cell) { cells.set(key, cell = {count: 0, x: 0, y: 0}); }
        cell.count += c;
        cell.x += wx * c;
        cell.y += wy * c;
      }
      var groups = [];
      cells.forEach(function (cell) {
        var x = cell.x / cell.count - origin.x, y = cell.y / cell.count - origin.y;
        var r = Math.min(rule.base + rule.per_log10 * Math.log10(cell.count), side / 2);
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
        ctx.fillStyle = rule.colour;
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

  lib.IncidentCanvas = IncidentCanvas;
})(window.IncidentMapLib);
