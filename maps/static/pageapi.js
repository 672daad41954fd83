/* incident-map: the page API, window.incidentMap, for tests and for embedding; and
 * IncidentMapLib.start, which starts the time filter and installs the API.
 */
(function (lib) {
  "use strict";

  var isoOf = lib.util.isoOf, dayOf = lib.util.dayOf;

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
        return {incidents: filter.incidents.visibleIncidents, areas: filter.heldCount,
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
      // Filters by column (or hash key): {event_type: ["bombing"], claim_status: ["claimed"]};
      // null or [] opens a facet, facets not named stay as they are. Returns getFilter().
      setFilter: function (choice) { filter.filters.set(choice || {}); return this.getFilter(); },
      getFilter: function () { return filter.filters.get(); },
      clearFilter: function () { filter.filters.clear(); return this.getFilter(); },
      // Per facet column, {value: incidents in the window that choosing it would show}.
      facetCounts: function () {
        var counts = filter.facetCounts(), out = {};
        filter.options.facets.forEach(function (spec, k) {
          var c = counts.incidents[k] || counts.areas[k], byValue = {};
          spec.values.forEach(function (value, j) { byValue[value] = c[j]; });
          out[spec.column] = byValue;
        });
        return out;
      },
      // The density layer: squares shaded, incidents counted in them, the busiest square's count.
      density: function () {
        var d = filter.density;
        return d && d._map ? {cells: d.cells, incidents: d.counted, busiest: d.busiest} : null;
      },
      // The file the Download buttons save, as {name, text}: format "csv" or "geojson".
      download: function (format) {
        var made = lib.download.file(filter.incidents, format, filter.start, filter.end);
        return {name: made.name, text: made.text};
      },
      // Incidents per month of the histogram: all, and those the filters pass (null if none).
      histogram: function () {
        var h = filter.options.histogram;
        return {months: h.months.map(isoOf), all: h.counts.slice(),
                filtered: filter.filteredMonths ? Array.from(filter.filteredMonths) : null};
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

  // The filter starts once the incident columns are inflated; incidentMap.ready says so.
  lib.start = function (map, options) {
    return options.incidents.ready.then(function () {
      var filter = new lib.TimeFilter(map, options);
      filter.density = options.density;
      install(filter);
      return filter;
    });
  };
})(window.IncidentMapLib);
