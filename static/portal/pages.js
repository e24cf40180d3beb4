/* Small progressive enhancements of the portal's pages (no framework). */
(function () {
  "use strict";

  /* Course forms: the program's practical share as it would be with the hours typed. */
  function sharePreview(box) {
    var form = box.parentNode.querySelector("form") || document;
    var theory = form.querySelector("[data-hours=theory]");
    var practice = form.querySelector("[data-hours=practice]");
    var out = box.querySelector("[data-share-value]");
    if (!theory || !practice || !out) return;
    var otherPractice = Number(box.dataset.otherPractice) || 0;
    var otherHours = Number(box.dataset.otherHours) || 0;
    function update() {
      var t = Math.max(0, parseInt(theory.value, 10) || 0);
      var p = Math.max(0, parseInt(practice.value, 10) || 0);
      var hours = otherHours + t + p;
      var share = hours ? (otherPractice + p) / hours : null;
      out.textContent = share === null ? "—" : Math.round(share * 100) + " %";
      out.className = share === null ? "" : (share >= 0.5 ? "ok" : "bad");
    }
    theory.addEventListener("input", update);
    practice.addEventListener("input", update);
    update();
  }

  /* Buttons asking for confirmation before a destructive POST. */
  function confirmations() {
    document.addEventListener("click", function (event) {
      var button = event.target.closest("[data-confirm]");
      if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-share-preview]").forEach(sharePreview);
    confirmations();
  });
})();

/* ---- Imports (programs/pages/imports.py): the progress page polls the import's JSON status every
   second, moves the progress bar and reloads the page when the import has finished (the server
   then renders the summary or the errors). ---- */
(function () {
  "use strict";

  function poll(box) {
    var url = box.dataset.importStatus;
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-import-text]");
    var templates = {
      checking: box.querySelector("template[data-import-checking]"),
      saving: box.querySelector("template[data-import-saving]")
    };
    function show(status) {
      if (bar) {
        bar.max = status.total || 1;
        bar.value = status.done || 0;
        bar.textContent = status.percent + " %";
      }
      var template = templates[status.state];
      if (text && template) {
        text.textContent = template.content.textContent.trim()
          .replace("{done}", status.done).replace("{total}", status.total);
      }
    }
    function tick() {
      fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin", cache: "no-store"})
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (status) {
          show(status);
          if (status.finished) window.location.reload();
          else window.setTimeout(tick, 1000);
        })
        .catch(function () { window.setTimeout(tick, 3000); });
    }
    window.setTimeout(tick, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-import-status]").forEach(poll);
  });
})();
