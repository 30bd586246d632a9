// A convenience for fieldsets made by the checkbox_group() macro: the "whole group" box ticks or
// unticks every box of its group, and unticking one of them unticks it. The server reads a ticked
// "whole group" box as every option, so the form works the same without this script.
(function () {
  "use strict";
  document.querySelectorAll("fieldset.checkbox-group").forEach(function (group) {
    var all = group.querySelector("input[data-group-all]");
    if (!all) {
      return;
    }
    var boxes = Array.prototype.filter.call(group.querySelectorAll("input[type=checkbox]"), function (box) {
      return box !== all;
    });
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        if (!box.checked) {
          all.checked = false;
        }
      });
    });
  });
}());
