// "Copy" buttons: <button data-copy="ID"> copies the text of the element with that id.

for (const button of document.querySelectorAll("button[data-copy]")) {
  button.addEventListener("click", async () => {
    const source = document.getElementById(button.dataset.copy);
    const label = button.textContent;
    try {
      await navigator.clipboard.writeText(source.textContent);
      button.textContent = "已复制";
    } catch {
      window.getSelection().selectAllChildren(source);
      button.textContent = "已选中,按 Ctrl+C 复制";
    }
    setTimeout(() => { button.textContent = label; }, 2000);
  });
}
