// Keyboard first: focus lands on the next item's answer with its text selected, so typing
// replaces the machine's reading and Enter (unchanged) accepts it. Tab moves to the next item.
// F2 or Ctrl+Space shows the whole page with the field outlined; Esc closes it.
(function () {
  "use strict";
  let current = null;

  function answerOf(card) { return card && card.querySelector(".answer"); }

  function focusCard(card) {
    const input = answerOf(card);
    if (!input) { return; }
    input.focus();
    if (input.select) { input.select(); }
  }

  function openPage(card) {
    if (!card || !card.dataset.page) { return; }
    const overlay = document.getElementById("overlay");
    const img = document.getElementById("overlay-img");
    const box = document.getElementById("overlay-box");
    img.src = card.dataset.page;
    if (card.dataset.area) {
      const [x, y, w, h] = card.dataset.area.split(",").map(Number);
      Object.assign(box.style, { left: x + "%", top: y + "%", width: w + "%", height: h + "%", display: "block" });
    } else {
      box.style.display = "none";
    }
    overlay.hidden = false;
  }

  function closePage() {
    const overlay = document.getElementById("overlay");
    if (!overlay.hidden) {
      overlay.hidden = true;
      focusCard(current);
      return true;
    }
    return false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    const wanted = document.body.dataset.focus;
    let card = wanted ? document.getElementById(wanted) : null;
    if (!card || !answerOf(card)) {
      card = Array.from(document.querySelectorAll(".card")).find(answerOf) || null;
    }
    if (card) { current = card; focusCard(card); card.scrollIntoView({ block: "center" }); }

    document.addEventListener("focusin", function (e) {
      const c = e.target.closest(".card");
      if (c && c !== current) { current = c; c.scrollIntoView({ block: "center" }); }
      if (e.target.matches("input.answer") && e.target.select) { e.target.select(); }
    });

    document.addEventListener("keydown", function (e) {
      if (e.key === "F2" || (e.ctrlKey && e.code === "Space")) {
        e.preventDefault();
        if (!closePage()) { openPage(current); }
      } else if (e.key === "Escape") {
        if (closePage()) { e.preventDefault(); }
      }
    });

    document.getElementById("overlay").addEventListener("click", closePage);
    document.querySelectorAll("img.pagethumb").forEach(function (img) {
      img.addEventListener("click", function () { current = img.closest(".card"); openPage(current); });
    });
  });
})();
