// Printing shows folded content: every closed <details> opens for the printout and closes after.

const opened = [];

window.addEventListener("beforeprint", () => {
  for (const details of document.querySelectorAll("details:not([open])")) {
    details.open = true;
    opened.push(details);
  }
});

window.addEventListener("afterprint", () => {
  for (const details of opened.splice(0)) details.open = false;
});
