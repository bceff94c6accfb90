// Glue between the vendored ipywidgets HTML manager, require.js and MathJax 3, loaded by
// myst-nb on pages with widgets (nb_ipywidgets_js in _config.yml), after require.js and
// before embed-amd.js. Written for this book; not part of any vendored package.
(function () {
  "use strict";

  // 1. Fonts. embed-amd.js locates its Font Awesome files relative to the require.js URL of
  //    the module "@jupyter-widgets/html-manager/dist/...", i.e. relative to the current page.
  //    Map that prefix onto the vendored copy in _static/ (the page's data-content_root is the
  //    relative path from the page to the book root, e.g. "../" for chapters/x.html).
  var root = document.documentElement.getAttribute("data-content_root") || "./";
  if (window.require && window.require.config) {
    window.require.config({
      paths: { "@jupyter-widgets/html-manager/dist": root + "_static/vendor/html-manager" },
    });
  }

  // 2. Math in widgets. The manager typesets widget text with the MathJax 2 call
  //    MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]); MathJax 3 has no Hub. Provide one
  //    that forwards to MathJax 3's typesetPromise, queuing elements until MathJax is ready.
  var pending = [];
  function typeset(el) {
    var mj = window.MathJax;
    if (mj && mj.typesetPromise && mj.startup && mj.startup.promise) {
      mj.startup.promise.then(function () {
        return mj.typesetPromise([el]);
      });
    } else {
      pending.push(el);
    }
  }
  var hub = {
    Queue: function () {
      for (var i = 0; i < arguments.length; i++) {
        var job = arguments[i];
        if (Array.isArray(job) && job[0] === "Typeset" && job[2]) {
          typeset(job[2]);
        }
      }
    },
  };
  function install() {
    if (window.MathJax && !window.MathJax.Hub) {
      window.MathJax.Hub = hub;
    }
  }

  if (window.MathJax && window.MathJax.version) {
    install(); // MathJax 3 already loaded
    return;
  }
  // MathJax 3 has not run yet: window.MathJax is its configuration object. MathJax replaces
  // the global when it starts, so install the shim again from its ready() hook.
  var config = (window.MathJax = window.MathJax || {});
  install();
  config.startup = config.startup || {};
  var userReady = config.startup.ready;
  config.startup.ready = function () {
    if (userReady) {
      userReady();
    } else {
      window.MathJax.startup.defaultReady();
    }
    install();
    window.MathJax.startup.promise.then(function () {
      pending.splice(0).forEach(typeset);
    });
  };
})();
