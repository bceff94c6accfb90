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

  // 2. Containers whose children change quickly (a Stack whose selected_index follows a
  //    slider through jslink; the Box of a Stack frame). Views are created asynchronously, and
  //    the manager finishes some steps of a child view after a promise resolves: a Box inserts
  //    the new child into its Lumino panel, a Box or Stack posts it a resize message, and every
  //    view posts itself a resize once its layout view exists. When the Stack switches again
  //    before those steps ran, the view they act on has already been removed and disposed:
  //    (a) "Could not add child view to box" (insertion into a disposed panel), and one
  //    animation frame later (b) "Cannot read properties of null (reading
  //    'processLuminoMessage')" (the message reaches a disposed widget, whose link to its
  //    view the manager has set to null). Here the late steps act only on live views:
  //    - ViewList.update (Box, Stack) resolves with the child views that are still alive, so
  //      the resize goes only to children that are still shown;
  //    - BoxView.add_child_model does not insert into a box that was removed meanwhile, and
  //      removes the orphaned child view instead (it would otherwise stay alive, unattached);
  //    - a disposed Jupyter Lumino widget drops a message that still arrives (the resize
  //      DOMWidgetView.setLayout posts when the layout view is ready; Lumino itself discards
  //      pending messages at dispose, only those posted later reach the widget).
  //    The manager is otherwise unchanged. The patches are applied from require.js's
  //    onResourceLoad hook, synchronously when embed-amd.js's modules are instantiated and
  //    before any widget exists, so they cannot come too late whatever the load order.
  function isAlive(view) {
    return !(view && view.luminoWidget && view.luminoWidget.isDisposed);
  }
  function patchBase(base) {
    var update = base.ViewList.prototype.update;
    base.ViewList.prototype.update = function () {
      return update.apply(this, arguments).then(function (views) {
        return views.filter(isAlive);
      });
    };
    [base.JupyterLuminoWidget, base.JupyterLuminoPanelWidget].forEach(function (cls) {
      var processMessage = cls.prototype.processMessage;
      cls.prototype.processMessage = function (msg) {
        if (this.isDisposed) {
          return; // view removed: nothing left to resize or notify
        }
        processMessage.call(this, msg);
      };
    });
  }
  function patchControls(controls, base) {
    // the plain Lumino Widget class (JupyterLuminoWidget's parent), for the placeholder
    var LuminoWidget = Object.getPrototypeOf(base.JupyterLuminoWidget);
    // BoxView.add_child_model of @jupyter-widgets/controls 5.0.9, plus the isDisposed check
    controls.BoxView.prototype.add_child_model = function (model) {
      var panel = this.luminoWidget;
      var placeholder = new LuminoWidget();
      panel.addWidget(placeholder);
      return this.create_child_view(model)
        .then(function (view) {
          if (panel.isDisposed) {
            view.remove(); // the box was removed while this child was being created
            return view;
          }
          panel.insertWidget(panel.widgets.indexOf(placeholder), view.luminoWidget);
          placeholder.dispose();
          return view;
        })
        .catch(base.reject("Could not add child view to box", true));
    };
  }
  var req = window.requirejs;
  if (req) {
    var previousHook = req.onResourceLoad;
    req.onResourceLoad = function (context, map, deps) {
      if (previousHook) {
        previousHook.apply(this, arguments);
      }
      var defined = context.defined;
      if (map.id === "@jupyter-widgets/base") {
        patchBase(defined[map.id]);
      } else if (map.id === "@jupyter-widgets/controls") {
        patchControls(defined[map.id], defined["@jupyter-widgets/base"]);
      }
    };
  }

  // 3. Math in widgets. The manager typesets widget text with the MathJax 2 call
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
