/* StarBoost client portal: small progressive enhancements; every page works without them. */
(function () {
  "use strict";

  // Money as kernel.display.yuan writes it: "¥1,234.50", and "−¥5.00" with the minus sign
  // U+2212 before the currency sign. Amounts come in whole fen, so no float is ever rounded.
  var MINUS = "\u2212";

  function yuan(fen) {
    var sign = fen < 0 ? MINUS : "";
    var abs = Math.abs(fen);
    var whole = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var cents = (abs % 100).toString().padStart(2, "0");
    return sign + "¥" + whole + "." + cents;
  }

  // The one money formatter of every script on these pages.
  window.StarBoost = { yuan: yuan };

  // The 视频助推 module: keep the totals in step with the ticks (the server re-checks them all).
  function moduleTotals(form) {
    var fixed = parseInt(form.dataset.fixedFen, 10);
    var balance = parseInt(form.dataset.balanceFen, 10);
    var fees = 0;
    form.querySelectorAll("input.boost-tick").forEach(function (box) {
      if (box.checked && !box.disabled) { fees += parseInt(box.dataset.feeFen, 10) || 0; }
    });
    var after = balance - fixed - fees;
    var set = function (name, fen) {
      var el = form.querySelector("[data-total='" + name + "']");
      if (el) { el.textContent = yuan(fen); }
    };
    set("fees", fees);
    set("total", fixed + fees);
    set("after", after);
    var afterCell = form.querySelector("[data-total='after']");
    if (afterCell) { afterCell.classList.toggle("neg", after < 0); }
    var short = form.querySelector("[data-shortfall]");
    if (short) {
      short.hidden = after >= 0;
      var amount = short.querySelector("[data-total='missing']");
      if (amount) { amount.textContent = yuan(-after); }
    }
  }

  // Progress bars: the width and the whole-fee mark are data attributes, since the
  // Content-Security-Policy allows no inline style attribute (setting element.style is allowed).
  function placeProgress(root) {
    root.querySelectorAll(".progress [data-width]").forEach(function (bar) {
      bar.style.width = parseFloat(bar.dataset.width) + "%";
    });
    root.querySelectorAll(".progress [data-left]").forEach(function (mark) {
      mark.style.left = parseFloat(mark.dataset.left) + "%";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    placeProgress(document);
    document.querySelectorAll("form[data-module]").forEach(function (form) {
      form.addEventListener("change", function () { moduleTotals(form); });
    });
    // Confirm once: after the first submit the buttons go grey (the form id protects anyway).
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function () {
        window.setTimeout(function () {
          form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
        }, 0);
      });
    });
    // A page restored by Back from the browser's memory keeps its grey buttons: wake them, since
    // submitting the same form id again returns the first order and charges nothing twice.
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) { return; }
      document.querySelectorAll("form[data-once] button").forEach(function (b) { b.disabled = false; });
      document.querySelectorAll("form[data-module]").forEach(moduleTotals);
    });
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
      var button = select.form.querySelector(".js-hide");
      if (button) { button.hidden = true; }
    });
  });
})();
