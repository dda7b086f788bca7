// The print button of a communiqué page. It is rendered hidden: without this script it would do
// nothing. Loaded from a file rather than written in the page, for the Content-Security-Policy.
"use strict";

for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
  button.hidden = false;
}
