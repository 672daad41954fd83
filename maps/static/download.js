/* incident-map: the records in view as files, written in the page from its own data.
 *
 * The payload carries the exports' columns (maps/payload.py _download_columns):
 * each column's distinct cells as incidents.csv writes them, in one text with
 * offsets, and each record's code. The files hold the visible incidents in
 * the exports' order: CSV as incidents.csv (UTF-8, "\n", quotes where needed)
 * and GeoJSON as incidents.geojson (RFC 7946: lon/lat, a bbox, 6 decimals,
 * the first column as each feature's id). Adds IncidentMapLib.download.
 */
(function (lib) {
  "use strict";

  // Per carried column: its name, kind and cell(i), the text of record i's cell.
  function readers(layer) {
    var columns = layer.columns;
    return layer.data.download.map(function (spec) {
      var text = columns[spec.text], at = columns[spec.offsets];
      var codes = spec.codes === null ? null : spec.codes === "identity" ? "identity" : columns[spec.codes];
      var site = spec.bySite ? layer.site : null;  // codes by place, not by record
      var code = function (i) {
        return codes === null ? 0 : codes === "identity" ? i : codes[site ? site[i] : i];
      };
      var cell = function (i) { var k = code(i); return text.slice(at[k], at[k + 1]); };
      // As incidents.geojson has it: null where missing, numbers for numeric columns.
      var value = function (i) {
        var k = code(i);
        if (k === spec.missing) { return null; }
        return spec.kind === "number" ? Number(text.slice(at[k], at[k + 1])) : text.slice(at[k], at[k + 1]);
      };
      return {name: spec.name, cell: cell, value: value};
    });
  }

  function quoted(text) {
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function csv(layer) {
    var cols = readers(layer), lines = [cols.map(function (c) { return quoted(c.name); }).join(",")];
    for (var v = 0; v < layer.visibleCount; v++) {
      var i = layer.visible[v], row = new Array(cols.length);
      for (var c = 0; c < cols.length; c++) { row[c] = quoted(cols[c].cell(i)); }
      lines.push(row.join(","));
    }
    return lines.join("\n") + "\n";
  }

  function geojson(layer) {
    var cols = readers(layer), byName = {}, unit = Math.pow(10, layer.data.decimals);
    var round = function (value) { return Math.round(value * unit) / unit; };  // geo/export.py
    cols.forEach(function (c) { byName[c.name] = c; });
    var features = [], box = [Infinity, Infinity, -Infinity, -Infinity];
    for (var v = 0; v < layer.visibleCount; v++) {
      var i = layer.visible[v], properties = {};
      for (var c = 0; c < cols.length; c++) { properties[cols[c].name] = cols[c].value(i); }
      var lon = round(Number(byName.longitude.cell(i))), lat = round(Number(byName.latitude.cell(i)));
      box = [Math.min(box[0], lon), Math.min(box[1], lat), Math.max(box[2], lon), Math.max(box[3], lat)];
      features.push({type: "Feature", id: properties[cols[0].name], properties: properties,
                     geometry: {type: "Point", coordinates: [lon, lat]}});
    }
    var collection = {type: "FeatureCollection"};
    if (features.length) { collection.bbox = box; }
    collection.features = features;
    return JSON.stringify(collection) + "\n";
  }

  var FORMATS = {
    csv: {write: csv, type: "text/csv;charset=utf-8"},
    geojson: {write: geojson, type: "application/geo+json"}
  };

  // {name, text} of the visible incidents as `format` ("csv" or "geojson").
  function file(layer, format, start, end) {
    var chosen = FORMATS[format];
    if (!chosen) { throw new Error("download formats: " + Object.keys(FORMATS).join(", ")); }
    return {name: "incidents_" + lib.util.isoOf(start) + "_" + lib.util.isoOf(end) + "." + format,
            text: chosen.write(layer), type: chosen.type};
  }

  // Hand the file to the browser's own download, from memory: no request leaves the page.
  function save(made) {
    var url = URL.createObjectURL(new Blob([made.text], {type: made.type}));
    var link = lib.util.el("a");
    link.href = url;
    link.download = made.name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  lib.download = {formats: Object.keys(FORMATS), file: file, save: save};
})(window.IncidentMapLib);
