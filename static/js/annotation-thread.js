// The conversation part of an annotation card (annotations.js builds the rest): when it was
// written and whether it was edited, its tags (its author edits them in place), its replies
// with a form to answer a public annotation, a share button that copies its permalink (the
// note URL + #annotation-ID, which opens the note at the highlight with the card open) and a
// report button for other readers' public annotations and replies. Talks to annotations/api.py
// through the `send` function annotations.js gives it (JSON, CSRF header, errors as messages).

import { typeset } from "./math.js";

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
    window.prompt("复制这条批注的链接:", url);
  }
}

async function report(url, send, status) {
  const reason = window.prompt("举报理由(可不填):", "");
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
      if (!window.confirm("删除这条回复?")) return;
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

// The parts a card shows under its body: tags, replies, reply form, share and report.
// `send(url, method, data)` is annotations.js's API call; `signedIn` whether the reader may write.
export function threadParts(annotation, { send, signedIn }) {
  const section = element("div", { class: "annotation__thread", "data-annotation-thread": "" });

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
        const editor = tagEditor(annotation, send, render);
        actions.replaceWith(editor);
        editor.elements.tags.focus();
      });
      actions.append(tags);
    } else if (signedIn && annotation.visibility === "public") {
      const flag = button("举报");
      flag.addEventListener("click", () => report(`${annotation.url}flag/`, send, status));
      actions.append(flag);
    }
    if (actions.childElementCount) parts.push(actions, status);
    if (annotation.replies.length) {
      const context = {
        send,
        signedIn,
        onRemoved(reply) {
          annotation.replies = annotation.replies.filter((r) => r !== reply);
          render();
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
          render();
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
