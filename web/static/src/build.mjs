// Writes web/static/vendor/ (git-ignored) from the npm packages pinned in package.json:
// govuk.css (compiled from govuk.scss), GOV.UK Frontend's JS and images, and htmx.
// Run from the repository root: `npm run build` (the Makefile does).
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const modules = join(root, "node_modules");
const govuk = join(modules, "govuk-frontend", "dist", "govuk");
const vendor = join(root, "web", "static", "vendor");

rmSync(vendor, { recursive: true, force: true });
mkdirSync(join(vendor, "assets"), { recursive: true });

const { css } = sass.compile(join(root, "web", "static", "src", "govuk.scss"), {
  loadPaths: [modules],
  style: "compressed",
  sourceMap: false,
  // GOV.UK Frontend 6 still uses some Sass features that newer Sass deprecates.
  quietDeps: true,
});
if (css.includes("@font-face") || css.includes("GDS Transport")) {
  throw new Error("govuk.css must not name or load the GDS Transport typeface");
}
writeFileSync(join(vendor, "govuk.css"), css);

for (const file of ["govuk-frontend.min.js", "govuk-frontend.min.js.map"]) {
  cpSync(join(govuk, file), join(vendor, file));
}
// Images only: the fonts are GOV.UK's typeface, which we do not use.
cpSync(join(govuk, "assets", "images"), join(vendor, "assets", "images"), { recursive: true });
cpSync(join(modules, "htmx.org", "dist", "htmx.min.js"), join(vendor, "htmx.min.js"));
// The GraphQL explorer for signed-in users, served from here rather than a CDN.
mkdirSync(join(vendor, "graphiql"), { recursive: true });
for (const [pkg, file] of [
  ["react", "umd/react.production.min.js"],
  ["react-dom", "umd/react-dom.production.min.js"],
  ["graphiql", "graphiql.min.js"],
  ["graphiql", "graphiql.min.css"],
]) {
  cpSync(join(modules, pkg, file), join(vendor, "graphiql", file.split("/").pop()));
}

console.log(`web/static/vendor/ written (govuk.css ${Math.round(css.length / 1024)} KB)`);
