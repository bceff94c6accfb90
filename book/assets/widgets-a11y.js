// Text alternatives and keyboard access for the ipywidgets HTML manager's views, loaded by
// myst-nb on pages with widgets (nb_ipywidgets_js in _config.yml). Written for this book; not
// part of any vendored package. tests/test_accessibility.py (axe-core) checks the result.
//
// 1. aria-input-field-name: a slider's handle (noUiSlider, role="slider") has no accessible
//    name; the widget's description is a separate <label> that does not point at it. The
//    handle is labelled by that label (aria-labelledby, so math typeset by MathJax keeps its
//    assistive text), or named "滑块" when the slider has no description.
// 2. scrollable-region-focusable: a widget box whose content is wider or taller than the box
//    scrolls (overflow: auto), which a keyboard user can only do when it can take focus; such
//    boxes get tabindex="0". Only boxes that really overflow (rechecked on resize), so that
//    the many boxes that fit add no stops to the tab order.
(function () {
  "use strict";
  var counter = 0;

  function labelSliders(root) {
    var handles = root.querySelectorAll(".noUi-handle[role='slider']");
    for (var i = 0; i < handles.length; i++) {
      var handle = handles[i];
      if (handle.hasAttribute("aria-label") || handle.hasAttribute("aria-labelledby")) continue;
      var widget = handle.closest(".widget-slider, .jupyter-widgets");
      var label = widget && widget.querySelector(".widget-label");
      if (label && label.textContent.trim() && label.style.display !== "none") {
        if (!label.id) label.id = "rnn-book-widget-label-" + ++counter;
        handle.setAttribute("aria-labelledby", label.id);
      } else {
        handle.setAttribute("aria-label", "滑块");
      }
    }
  }

  function focusScrollables(root) {
    var boxes = root.querySelectorAll(".widget-container, .widget-html-content, .widget-output");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var style = window.getComputedStyle(box);
      var scrolls =
        (/(auto|scroll)/.test(style.overflowX) && box.scrollWidth > box.clientWidth + 1) ||
        (/(auto|scroll)/.test(style.overflowY) && box.scrollHeight > box.clientHeight + 1);
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-rnn-book-scroll-focus", "");
      } else if (!scrolls && box.hasAttribute("data-rnn-book-scroll-focus")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-rnn-book-scroll-focus");
      }
    }
  }

  var pending = false;
  function update() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      labelSliders(document);
      focusScrollables(document);
    });
  }

  function start() {
    update();
    new MutationObserver(update).observe(document.body, { childList: true, subtree: true });
    window.addEventListener("resize", update);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
