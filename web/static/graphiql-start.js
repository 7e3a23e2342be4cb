// Starts GraphiQL (served from /static/vendor, never a CDN) with the page's CSRF token.
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var fetcher = window.GraphiQL.createFetcher({
    url: root.getAttribute("data-endpoint"),
    headers: { "x-csrftoken": csrf },
  });
  window.ReactDOM.createRoot(root).render(
    window.React.createElement(window.GraphiQL, {
      fetcher: fetcher,
      defaultQuery: root.getAttribute("data-example-query"),
      shouldPersistHeaders: false,
    })
  );
})();
