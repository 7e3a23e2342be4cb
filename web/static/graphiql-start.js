// Starts GraphiQL (served from /static/vendor, never a CDN) with the page's CSRF token.
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var fetcher = window.GraphiQL.createFetcher({
    url: root.getAttribute("data-endpoint"),
    headers: { "x-csrftoken": csrf },
  });
  // GraphiQL's editors are CodeMirror 5: give their hidden textareas names and let
  // keyboard users reach the scrolling panes.
  var names = ["Query editor", "Variables", "Headers", "Result"];
  function label() {
    root.querySelectorAll(".CodeMirror textarea").forEach(function (area, i) {
      if (!area.hasAttribute("aria-label")) {
        area.setAttribute("aria-label", area.readOnly ? "Result" : names[Math.min(i, 2)]);
      }
    });
    root.querySelectorAll(".CodeMirror-scroll").forEach(function (pane) {
      if (pane.getAttribute("tabindex") !== "0") pane.setAttribute("tabindex", "0");
    });
  }
  new MutationObserver(label).observe(root, { childList: true, subtree: true });
  window.ReactDOM.createRoot(root).render(
    window.React.createElement(window.GraphiQL, {
      fetcher: fetcher,
      defaultQuery: root.getAttribute("data-example-query"),
      shouldPersistHeaders: false,
    })
  );
})();
