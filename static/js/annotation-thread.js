// The conversation part of an annotation card (annotations.js builds the rest): when it was
// written and whether it was edited, its tags (its author edits them in place), its replies
// with a form to answer a public annotation, a share button that copies its permalink (the
// note URL + #annotation-ID, which opens the note at the highlight with the card open), a
// report button for other readers' public annotations and replies, and for moderators
// (`can_hide`) a hide button. Questions are asked in annotation-dialog.js's dialog. Talks to
// annotations/api.py through the `send` function annotations.js gives it (JSON, CSRF header,
// errors as messages).

import { openDialog } from "./annotation-dialog.js";
import { typeset } from "./math.js";

const FLAG_REASON_MAX_LENGTH = 200; // annotations.models.Flag.reason

const TIME_FORMAT = new Intl.DateTimeFormat("zh-CN", {
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
});

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name === "html") node.innerHTML = value; // server-sanitized HTML only
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function button(text, className = "link-button") {
  return element("button", { type: "button", class: className, text });
}

// "2026-12-05 17:03", in a <time> whose datetime is the server's ISO time.
export function timeElement(iso, edited) {
  const time = element("time", {
    class: "annotation__time",
    datetime: iso,
    text: TIME_FORMAT.format(new Date(iso)).replaceAll("/", "-"),
  });
  const parts = [time];
  if (edited) parts.push(element("span", { class: "annotation__edited", text: "已编辑" }));
  return parts;
}

function hiddenNotice(kind) {
  return element("p", {
    class: "annotation__hidden",
    role: "note",
    text: `这条${kind}已被管理员隐藏,只有你自己看得到。`,
  });
}

// A short-lived status beside a button ("已复制", "已举报"), read out by screen readers.
function flash(status, text) {
  status.textContent = text;
  setTimeout(() => {
    if (status.textContent === text) status.textContent = "";
  }, 3000);
}

async function share(annotation, status) {
  const url = new URL(annotation.permalink, window.location.href).href;
  try {
    await navigator.clipboard.writeText(url);
    flash(status, "链接已复制");
  } catch {
    await openDialog({
      title: "复制这条批注的链接",
      message: "浏览器没有允许复制,请自己复制下面的链接(已选中,按 Ctrl+C 或 ⌘C)。",
      field: { label: "链接", value: url, readOnly: true },
      confirm: null,
      cancel: "关闭",
    });
  }
}

async function report(url, send, status) {
  const reason = await openDialog({
    title: "举报这条内容",
    message: "管理员会查看并决定是否隐藏它。",
    field: { label: "理由(可不填)", maxLength: FLAG_REASON_MAX_LENGTH },
    confirm: "举报",
  });
  if (reason === null) return;
  try {
    await send(url, "POST", { reason });
    flash(status, "已举报,谢谢。管理员会查看。");
  } catch (error) {
    flash(status, error.message);
  }
}

function tagList(annotation) {
  return element(
    "ul",
    { class: "annotation__tags", "aria-label": "标签" },
    ...annotation.tags.map((tag) => element("li", { class: "tag", text: tag })),
  );
}

function tagEditor(annotation, send, done) {
  const form = element(
    "form",
    { class: "annotation__tag-form" },
    element("input", {
      name: "tags",
      "aria-label": "标签,用逗号或空格分隔",
      placeholder: "标签,用逗号或空格分隔",
    }),
    button("保存", "button"),
    element("p", { class: "annotation-editor__error", hidden: "" }),
  );
  form.elements.tags.value = annotation.tags.join(", ");
  form.querySelector("button").type = "submit";
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const tags = form.elements.tags.value.split(/[,,\s]+/).filter(Boolean);
    try {
      const updated = await send(annotation.url, "PATCH", { tags });
      annotation.tags = updated.tags;
      done();
    } catch (error) {
      const message = form.querySelector(".annotation-editor__error");
      message.textContent = error.message;
      message.hidden = false;
    }
  });
  return form;
}

// Asks a moderator to confirm, then hides `url`'s annotation or reply (a DELETE by a moderator
// hides, annotations/api.py): true when hidden.
async function hide(url, kind, send, status) {
  const confirmed = await openDialog({
    title: `隐藏这条${kind}?`,
    message: `其他读者将看不到它;作者仍看得到,并会收到邮件通知。`,
    confirm: "隐藏",
  });
  if (confirmed === null) return false;
  try {
    await send(url, "DELETE");
    return true;
  } catch (error) {
    flash(status, error.message);
    return false;
  }
}

function replyItem(reply, { send, signedIn, onRemoved }) {
  const status = element("span", { class: "annotation__status", role: "status" });
  const item = element(
    "li",
    { class: "annotation-reply", "data-reply-id": reply.id }, // no id: the popover repeats cards
    element(
      "p",
      { class: "annotation__header" },
      element("span", { class: "annotation__author", text: reply.author }),
      ...timeElement(reply.created_at, reply.edited),
    ),
  );
  if (reply.hidden) item.append(hiddenNotice("回复"));
  item.append(element("div", { class: "annotation__body", html: reply.body_html }));
  const actions = element("p", { class: "annotation__actions" });
  if (reply.mine) {
    const remove = button("删除");
    remove.addEventListener("click", async () => {
      const confirmed = await openDialog({ title: "删除这条回复?", confirm: "删除" });
      if (confirmed === null) return;
      try {
        await send(reply.url, "DELETE");
        onRemoved(reply);
      } catch (error) {
        flash(status, error.message);
      }
    });
    actions.append(remove);
  } else if (signedIn) {
    const flag = button("举报");
    flag.addEventListener("click", () => report(`${reply.url}flag/`, send, status));
    actions.append(flag);
  }
  if (reply.can_hide) {
    const hideButton = button("隐藏");
    hideButton.addEventListener("click", async () => {
      if (await hide(reply.url, "回复", send, status)) onRemoved(reply);
    });
    actions.append(hideButton);
  }
  if (actions.childElementCount) item.append(actions, status);
  return item;
}

function replyForm(annotation, send, added) {
  const form = element(
    "form",
    { class: "annotation__reply-form" },
    element("textarea", {
      name: "body",
      rows: "2",
      "aria-label": "回复内容",
      placeholder: "回复:支持 *强调*、`代码`、$公式$",
    }),
    element("p", { class: "annotation-editor__error", hidden: "" }),
    element("p", { class: "annotation-editor__buttons" }, button("回复", "button")),
  );
  form.querySelector("button").type = "submit";
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const message = form.querySelector(".annotation-editor__error");
    try {
      const reply = await send(`${annotation.url}replies/`, "POST", {
        body: form.elements.body.value,
      });
      added(reply);
    } catch (error) {
      message.textContent = error.message;
      message.hidden = false;
    }
  });
  return form;
}

// The thread sections on the page by annotation id: an annotation has one in its card in the
// side list and one in the popover, and a change made in one is drawn in the other at once.
const sections = new Map();

function redrawCopies(annotation, changed) {
  const shown = [...(sections.get(annotation.id) ?? [])].filter((copy) => copy.node.isConnected);
  sections.set(annotation.id, new Set(shown));
  for (const copy of shown) if (copy.node !== changed) copy.render();
}

// The parts a card shows under its body: tags, replies, reply form, share, report and hide.
// `send(url, method, data)` is annotations.js's API call; `signedIn` whether the reader may
// write; `onHidden(annotation)` is called once a moderator has hidden it.
export function threadParts(annotation, { send, signedIn, onHidden }) {
  const section = element("div", { class: "annotation__thread", "data-annotation-thread": "" });
  const kept = [...(sections.get(annotation.id) ?? [])].filter((copy) => copy.node.isConnected);
  sections.set(annotation.id, new Set([...kept, { node: section, render }]));

  // Draws this section again and the annotation's other one, after a change made here.
  function changed() {
    render();
    redrawCopies(annotation, section);
  }

  function render() {
    const status = element("span", { class: "annotation__status", role: "status" });
    const parts = [];
    if (annotation.hidden) parts.push(hiddenNotice("批注"));
    if (annotation.tags.length) parts.push(tagList(annotation));
    const actions = element("p", { class: "annotation__actions annotation__actions--thread" });
    if (annotation.visibility === "public" && !annotation.hidden) {
      const copy = button("分享");
      copy.setAttribute("aria-label", "复制这条批注的链接");
      copy.addEventListener("click", () => share(annotation, status));
      actions.append(copy);
    }
    if (annotation.mine) {
      const tags = button(annotation.tags.length ? "编辑标签" : "加标签");
      tags.addEventListener("click", () => {
        const editor = tagEditor(annotation, send, changed);
        actions.replaceWith(editor);
        editor.elements.tags.focus();
      });
      actions.append(tags);
    } else if (signedIn && annotation.visibility === "public") {
      const flag = button("举报");
      flag.addEventListener("click", () => report(`${annotation.url}flag/`, send, status));
      actions.append(flag);
    }
    if (annotation.can_hide) {
      const hideButton = button("隐藏");
      hideButton.setAttribute("aria-label", "隐藏这条批注(管理员)");
      hideButton.addEventListener("click", async () => {
        if (await hide(annotation.url, "批注", send, status)) onHidden(annotation);
      });
      actions.append(hideButton);
    }
    if (actions.childElementCount) parts.push(actions, status);
    if (annotation.replies.length) {
      const context = {
        send,
        signedIn,
        onRemoved(reply) {
          annotation.replies = annotation.replies.filter((r) => r !== reply);
          changed();
        },
      };
      parts.push(
        element(
          "ol",
          { class: "annotation__replies", "aria-label": `${annotation.replies.length} 条回复` },
          ...annotation.replies.map((reply) => replyItem(reply, context)),
        ),
      );
    }
    if (signedIn && annotation.replies_open) {
      parts.push(
        replyForm(annotation, send, (reply) => {
          annotation.replies.push(reply);
          changed();
          section.querySelector(".annotation__reply-form textarea")?.focus();
        }),
      );
    }
    section.replaceChildren(...parts);
    typeset(section);
  }

  render();
  return section;
}
