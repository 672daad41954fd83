/* incident-map: the page's one namespace, IncidentMapLib, and the helpers its parts share.
 *
 * The page script comes in parts, inlined in the order of maps/timefilter.py ASSETS:
 * this file, then incidentcanvas.js (the incident layer), timefilter.js (the time
 * filter) and pageapi.js (window.incidentMap). Each adds its component here. What
 * they know of the records (columns, type codes, colours, rules, steps) comes from
 * Python in the payload and options; text reaches the page only through textContent.
 */
window.IncidentMapLib = (function () {
  "use strict";

  var DAY_MS = 86400000;  // the payload's unit of time is the day since 1970-01-01

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

  return {util: {isoOf: isoOf, dayOf: dayOf, el: el}};
})();
