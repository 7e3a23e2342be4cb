// Aspire Open's own script: an ES module loaded by layout.html with the CSP nonce.
// Everything works without it; it starts GOV.UK Frontend's components and makes htmx
// safe under our Content-Security-Policy (no eval, no inline styles, no history cache).
import { initAll } from "/static/vendor/govuk-frontend.min.js";

// GOV.UK Frontend styles its components for JavaScript only when the body says the
// browser runs modules (their template does this with an inline script, which our CSP
// forbids; a module runs only where modules are supported, so here is the same test).
document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

const htmx = window.htmx;
if (htmx) {
  // The same values as the layout's htmx-config meta tag (SECURITY.md), set again here so
  // they hold even if the meta tag is missing from a page.
  Object.assign(htmx.config, {
    allowEval: false,
    includeIndicatorStyles: false,
    historyCacheSize: 0,
    selfRequestsOnly: true,
  });

  // asgi-csrf accepts the token in the x-csrftoken header; the page carries it in a meta tag.
  document.body.addEventListener("htmx:configRequest", (event) => {
    const meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) {
      event.detail.headers["x-csrftoken"] = meta.content;
    }
  });
}
