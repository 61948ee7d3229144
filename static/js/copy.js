// Copy buttons: <button data-copy="ID"> (the citation) copies the text of the element with that
// id, and every code block of a note gets a 复制 button that copies its code. A status region
// tells screen-reader users the outcome, which the button also shows for two seconds.
//
// The code buttons are not note text: plain-text.js skips buttons, so annotations' offsets still
// agree with the server's, and they cannot be selected, so a copied selection leaves them out.

const SHOWN_MS = 2000;

const status = document.createElement("p");
status.className = "visually-hidden";
status.setAttribute("role", "status");
status.dataset.copyStatus = "";
document.body.append(status);

async function copy(button, element, text) {
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = status.textContent = "已复制";
  } catch {
    window.getSelection().selectAllChildren(element);
    button.textContent = status.textContent = "已选中,按 Ctrl+C 复制";
  }
  setTimeout(() => {
    button.textContent = label;
    status.textContent = ""; // so that copying again is announced again
  }, SHOWN_MS);
}

for (const button of document.querySelectorAll("button[data-copy]")) {
  button.addEventListener("click", () => {
    const source = document.getElementById(button.dataset.copy);
    copy(button, source, source.textContent);
  });
}

for (const block of document.querySelectorAll(".note-content .highlight")) {
  const code = block.querySelector("pre");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "code-copy";
  button.textContent = "复制";
  const language = block.dataset.language;
  button.setAttribute("aria-label", language ? `复制 ${language} 代码` : "复制代码");
  // Pygments ends the code with a newline of its own.
  button.addEventListener("click", () => copy(button, code, code.textContent.replace(/\n$/, "")));
  block.prepend(button);
}
