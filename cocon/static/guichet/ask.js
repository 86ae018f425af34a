// Guichet — ask a referent: once a topic is chosen, offer only the organizations whose
// referents answer on it (each option lists its topic ids in data-topics); when a single
// organization answers, choose it. Without JavaScript every organization stays listed.
(function () {
  "use strict";
  var topic = document.getElementById("id_topic");
  var target = document.getElementById("id_target");
  if (!topic || !target) { return; }
  function filter() {
    var chosen = topic.value;
    var open = [];
    target.querySelectorAll("option[data-topics]").forEach(function (option) {
      var topics = " " + option.getAttribute("data-topics") + " ";
      var ok = !chosen || topics.indexOf(" " + chosen + " ") !== -1;
      option.hidden = !ok;
      option.disabled = !ok;
      if (ok) { open.push(option); }
    });
    var current = target.options[target.selectedIndex];
    if (current && current.disabled) { target.value = ""; }
    if (chosen && open.length === 1) { target.value = open[0].value; }
  }
  topic.addEventListener("change", filter);
  filter();
})();
