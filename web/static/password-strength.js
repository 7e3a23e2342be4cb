// Password strength meter: progressive enhancement only. The server decides what is
// accepted (length, common passwords, login and organisation names); this only guides.
(function () {
  const input = document.getElementById("password");
  const output = document.getElementById("password-strength");
  if (!input || !output) {
    return;
  }
  function score(value) {
    if (value.length < 12) {
      return 0;
    }
    let kinds = 0;
    [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/, /\s/].forEach(function (pattern) {
      if (pattern.test(value)) {
        kinds += 1;
      }
    });
    const distinct = new Set(value.toLowerCase()).size;
    let points = 1;
    if (value.length >= 16) points += 1;
    if (value.length >= 20) points += 1;
    if (kinds >= 3) points += 1;
    if (distinct < 6) points = 1;
    return Math.min(points, 4);
  }
  const words = [
    "Too short: use at least 12 characters",
    "Weak: longer is stronger",
    "Fair",
    "Good",
    "Strong",
  ];
  function update() {
    if (!input.value) {
      output.hidden = true;
      output.textContent = "";
      return;
    }
    output.hidden = false;
    output.textContent = "Password strength: " + words[score(input.value)];
  }
  input.addEventListener("input", update);
})();
