// Branching of the symptom questionnaire: when the first question of an item is answered 0
// ("never" / "none"), its follow-up questions are hidden and cleared (the server refuses them).
(function () {
  function update(item) {
    var gate = document.querySelector('input[data-item="' + item + '"][data-gate="1"]:checked');
    var skip = gate !== null && gate.value === "0";
    document.querySelectorAll('.attr[data-item="' + item + '"][data-follow="1"]').forEach(function (el) {
      el.classList.toggle("is-skipped", skip);
      if (skip) { el.querySelectorAll("input").forEach(function (i) { i.checked = false; }); }
    });
  }
  document.addEventListener("change", function (ev) {
    var t = ev.target;
    if (t && t.dataset && t.dataset.gate === "1") { update(t.dataset.item); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll('input[data-gate="1"]').forEach(function (i) { update(i.dataset.item); });
  });
})();
