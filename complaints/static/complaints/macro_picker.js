// The canned-reply picker of the complaint's reply form. Each option carries the text already filled in for this
// complaint by the server (data-text) and the macro's visibility and next status; picking one copies them into the
// form, where the agent edits them before sending. A static file, no inline script: nothing here needs a build step
// or a CSP exception. Without it the form still works: the agent types the reply.
(function () {
  "use strict";

  function choose(select, value) {
    if (!select) {
      return;
    }
    var known = Array.prototype.some.call(select.options, function (option) {
      return option.value === value;
    });
    // A status the complaint cannot move to now (or the one it is in) leaves the first choice: "stays as it is".
    select.value = known ? value : select.options[0].value;
  }

  function picked(event) {
    var picker = event.target;
    var form = picker.form;
    var option = picker.options[picker.selectedIndex];
    var message = form.querySelector("textarea[name$='message']");
    var visibility = form.querySelector("select[name$='visibility']");
    var nextStatus = form.querySelector("select[name$='next_status']");
    if (!option || !option.hasAttribute("data-text")) {
      choose(visibility, "public");
      choose(nextStatus, "");
      return;
    }
    message.value = option.getAttribute("data-text");
    choose(visibility, option.getAttribute("data-visibility") || "public");
    choose(nextStatus, option.getAttribute("data-next-status") || "");
    message.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select.redress-macro-picker").forEach(function (picker) {
      picker.addEventListener("change", picked);
    });
  });
})();
