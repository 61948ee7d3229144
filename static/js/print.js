// Printing shows folded content and the reader's own annotations: every closed <details> opens
// for the printout, and the reader's annotations (the side list is not printed) become
// endnotes "我的批注" after the body, numbered [n] after their highlights. All is undone after.

const opened = [];
const added = [];

window.addEventListener("beforeprint", () => {
  for (const details of document.querySelectorAll("details:not([open])")) {
    details.open = true;
    opened.push(details);
  }
  addEndnotes();
});

window.addEventListener("afterprint", () => {
  for (const details of opened.splice(0)) details.open = false;
  for (const node of added.splice(0)) node.remove();
});

function addEndnotes() {
  const body = document.querySelector("[data-note-body]");
  const cards = [...document.querySelectorAll("[data-annotations] li.annotation--mine")];
  if (!body || !cards.length || added.length) return;
  const marks = [...body.querySelectorAll("mark.annotation-highlight")];
  const list = document.createElement("ol");
  list.className = "print-endnotes__list";
  cards.forEach((card, index) => {
    const number = `[${index + 1}]`;
    const id = card.dataset.annotationId;
    const own = marks.filter((mark) => mark.dataset.annotationIds.split(" ").includes(id));
    if (own.length) {
      const reference = document.createElement("sup");
      reference.className = "print-endnote-ref";
      reference.textContent = number;
      own.at(-1).after(reference);
      added.push(reference);
    }
    const item = document.createElement("li");
    const label = document.createElement("span");
    label.className = "print-endnotes__number";
    label.textContent = number;
    const quote = card.querySelector(".annotation__quote")?.cloneNode(true);
    item.append(label, ...[quote, card.querySelector(".annotation__body")?.cloneNode(true)].filter(Boolean));
    if (card.classList.contains("annotation--orphan")) item.append(" (原文已删除)");
    list.append(item);
  });
  const section = document.createElement("section");
  section.className = "print-endnotes";
  const heading = document.createElement("h2");
  heading.textContent = "我的批注";
  section.append(heading, list);
  (body.closest(".note__layout") ?? body).after(section);
  added.push(section);
}
