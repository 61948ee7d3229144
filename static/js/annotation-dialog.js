// The one modal dialog of the annotation UI, in place of the browser's prompt(), confirm() and
// alert(), which screen readers announce poorly, cannot be styled for dark mode and block the
// page. A <dialog> shown with showModal() keeps Tab inside it and closes on Escape; it is named
// by its heading and described by its message. The focus goes to its field, or else to the
// button that changes nothing (a stray Enter must not delete or hide), and, when it closes, back
// to what had it before, if that is still on the page.

let dialog = null;

function build() {
  dialog = document.createElement("dialog");
  dialog.className = "annotation-dialog";
  dialog.setAttribute("aria-labelledby", "annotation-dialog-title");
  dialog.setAttribute("aria-describedby", "annotation-dialog-message");
  dialog.innerHTML = `
    <form method="dialog" class="annotation-dialog__form">
      <h2 class="annotation-dialog__title" id="annotation-dialog-title"></h2>
      <p class="annotation-dialog__message" id="annotation-dialog-message"></p>
      <label class="annotation-dialog__field">
        <span class="annotation-dialog__label"></span>
        <textarea name="value" rows="3"></textarea>
      </label>
      <p class="annotation-dialog__buttons">
        <button type="submit" class="button button--primary" value="confirm"></button>
        <button type="submit" class="button" value="cancel"></button>
      </p>
    </form>`;
  document.body.append(dialog);
  return dialog;
}

// Shows the dialog and resolves when it closes: null when the reader cancels (the cancel
// button or Escape), else the field's text ("" without a field).
//   title, message: what it asks; confirm: the confirming button's text (null: none, for a
//   dialog that only shows something); cancel: the other button's text;
//   field: {label, value, readOnly, maxLength} for a text to write or to copy.
export function openDialog({ title, message = "", confirm = "确定", cancel = "取消", field = null }) {
  const shown = dialog ?? build();
  const opener = document.activeElement;
  const [confirmButton, cancelButton] = shown.querySelectorAll("button");
  const label = shown.querySelector(".annotation-dialog__field");
  const input = shown.querySelector("textarea");
  shown.querySelector(".annotation-dialog__title").textContent = title;
  const description = shown.querySelector(".annotation-dialog__message");
  description.textContent = message;
  description.hidden = !message;
  confirmButton.textContent = confirm ?? "";
  confirmButton.hidden = confirm === null;
  cancelButton.textContent = cancel;
  label.hidden = field === null;
  shown.querySelector(".annotation-dialog__label").textContent = field?.label ?? "";
  input.value = field?.value ?? "";
  input.readOnly = Boolean(field?.readOnly);
  if (field?.maxLength) input.maxLength = field.maxLength;
  else input.removeAttribute("maxlength");
  input.disabled = field === null; // not sent, not reached with Tab
  shown.returnValue = "";
  shown.showModal();
  if (field) {
    input.focus();
    if (field.readOnly) input.select(); // ready for Ctrl+C
  } else {
    cancelButton.focus();
  }
  return new Promise((resolve) => {
    shown.addEventListener(
      "close",
      () => {
        if (opener?.isConnected) opener.focus({ preventScroll: true });
        resolve(shown.returnValue === "confirm" ? (field ? input.value : "") : null);
      },
      { once: true },
    );
  });
}
