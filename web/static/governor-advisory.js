// The Governor + full access advisory (Add a user, a user's page): shown as soon as both are
// chosen, hidden otherwise. Without this script the server shows it after Next/Save, and in a
// disclosure beforehand. A plain script file: the CSP forbids inline script.
(function () {
  "use strict";
  const region = document.querySelector("[data-governor-advisory]");
  if (!region) {
    return;
  }
  const form = region.closest("form");
  const advisory = region.querySelector("#governor-advisory");
  const details = region.querySelector("[data-governor-details]");
  if (!form || !advisory) {
    return;
  }
  // Out of the disclosure: with the script the advisory appears by itself when it applies.
  if (details) {
    region.appendChild(advisory);
    details.remove();
  }
  const tick = advisory.querySelector("#governorFullAccessConfirmed");

  function chosen(name) {
    const input = form.querySelector(`input[name="${name}"]:checked`);
    return input ? input.value : "";
  }

  function update() {
    const applies = chosen("role") === "Governor" && chosen("pupilAccess") === "FULL";
    advisory.hidden = !applies;
    if (tick) {
      // A hidden tick is never sent: the confirmation is only for the combination shown.
      tick.disabled = !applies;
    }
  }

  form.addEventListener("change", (event) => {
    if (event.target && (event.target.name === "role" || event.target.name === "pupilAccess")) {
      update();
    }
  });
  update();
})();
