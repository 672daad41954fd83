/* incident-map: the density layer, where the incidents in view are thickest.
 *
 * It draws from the incident canvas's own count of the window's incidents per
 * place (siteCount, after the filters), so it follows every step and filter
 * without a data set of its own. The screen is cut into squares of
 * options.cell pixels (maps/style.py DENSITY), fixed to the world; each square holding incidents
 * is shaded by log(count) against the busiest square in view. Adds
 * IncidentMapLib.Density.
 */
(function (lib) {
  "use strict";

  var Density = L.Layer.extend({
    initialize: function (incidents, options) {
      L.setOptions(this, options);
      this.incidents = incidents;
      this.cells = 0;
      this.counted = 0;
      this.busiest = 0;
    },

    onAdd: function (map) {
      this._map = map;
      this._canvas = L.DomUtil.create("canvas", "density-canvas leaflet-zoom-hide");
      var pane = map.getPane("density") || map.createPane("density");
      pane.style.zIndex = 440;  // over provinces and areas, under the incidents
      pane.style.pointerEvents = "none";
      pane.appendChild(this._canvas);
      map.on("moveend zoomend resize viewreset", this.redraw, this);
      this.incidents.on("window", this.redraw, this);
      this.redraw();
    },

    onRemove: function (map) {
      L.DomUtil.remove(this._canvas);
      map.off("moveend zoomend resize viewreset", this.redraw, this);
      this.incidents.off("window", this.redraw, this);
      this._canvas = null;
      this.cells = this.counted = this.busiest = 0;
    },

    redraw: function () {
      var layer = this.incidents, map = this._map, canvas = this._canvas;
      if (!map || !canvas || !layer.siteCount) { return; }
      var size = map.getSize(), topLeft = map.containerPointToLayerPoint([0, 0]);
      L.DomUtil.setPosition(canvas, topLeft);
      canvas.width = size.x;
      canvas.height = size.y;
      var ctx = canvas.getContext("2d"), side = this.options.cell;
      var scale = 256 * Math.pow(2, map.getZoom()), origin = map.getPixelOrigin().add(topLeft);
      // Squares fixed to the world, not the screen, so panning does not reshuffle them.
      var ox = ((origin.x % side) + side) % side, oy = ((origin.y % side) + side) % side;
      var cols = Math.ceil((size.x + ox) / side), rows = Math.ceil((size.y + oy) / side);
      var grid = new Int32Array(cols * rows), counts = layer.siteCount, counted = 0;
      for (var p = 0; p < counts.length; p++) {
        if (!counts[p]) { continue; }
        var x = layer.sx[p] * scale - origin.x, y = layer.sy[p] * scale - origin.y;
        if (x < 0 || y < 0 || x >= size.x || y >= size.y) { continue; }
        grid[Math.floor((y + oy) / side) * cols + Math.floor((x + ox) / side)] += counts[p];
        counted += counts[p];
      }
      var busiest = 0, cells = 0, g;
      for (g = 0; g < grid.length; g++) {
        if (grid[g]) { cells++; if (grid[g] > busiest) { busiest = grid[g]; } }
      }
      var colours = this.options.colours, top = Math.log(busiest + 1);
      ctx.globalAlpha = this.options.opacity;
      for (g = 0; g < grid.length; g++) {
        if (!grid[g]) { continue; }
        var shade = Math.min(Math.floor(Math.log(grid[g] + 1) / top * colours.length), colours.length - 1);
        ctx.fillStyle = colours[shade];
        ctx.fillRect((g % cols) * side - ox, Math.floor(g / cols) * side - oy, side, side);
      }
      this.cells = cells;
      this.counted = counted;
      this.busiest = busiest;
    }
  });

  lib.Density = Density;
})(window.IncidentMapLib);
