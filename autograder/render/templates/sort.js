(function () {
  "use strict";
  // Sorts each table of class "sortable" by the column whose header is clicked (a second click:
  // the other way round), and as the address asks: index.html#sort=<table id>:<column key>[:desc].
  // It moves the rows that are there and reads only data-value attributes and text: it writes no HTML.
  function value(row, column) {
    var cell = row.cells[column], raw = cell.getAttribute("data-value");
    if (raw === null) { return cell.textContent.trim().toLowerCase(); }
    return raw === "" ? null : parseFloat(raw);
  }
  function sortBy(table, column, descending) {
    var body = table.tBodies[0];
    var rows = Array.prototype.map.call(body.rows, function (row, index) { return [value(row, column), index, row]; });
    rows.sort(function (a, b) {
      if (a[0] === null || b[0] === null) { return (a[0] === null) - (b[0] === null) || a[1] - b[1]; }
      var order = a[0] < b[0] ? -1 : (a[0] > b[0] ? 1 : 0);
      return (descending ? -order : order) || a[1] - b[1];
    });
    rows.forEach(function (entry) { body.appendChild(entry[2]); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
      if (index === column) { header.setAttribute("aria-sort", descending ? "descending" : "ascending"); }
      else { header.removeAttribute("aria-sort"); }
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.title = "sort by this column";
      while (header.firstChild) { button.appendChild(header.firstChild); }
      header.appendChild(button);
      button.addEventListener("click", function () {
        var current = header.getAttribute("aria-sort");
        var numeric = table.tBodies[0].rows.length > 0 && table.tBodies[0].rows[0].cells[column].hasAttribute("data-value");
        sortBy(table, column, current ? current === "ascending" : numeric);
      });
    });
    table.setAttribute("data-sortable", "ready");
  });
  var wanted = /^#sort=([^:]+):([^:]+?)(:desc)?$/.exec(decodeURIComponent(location.hash));
  var table = wanted && document.getElementById(wanted[1]);
  if (table && table.classList.contains("sortable")) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, column) {
      if (header.getAttribute("data-key") === wanted[2]) { sortBy(table, column, Boolean(wanted[3])); }
    });
  }
}());
