// Comments without a page load. The comment form ([data-comment-form]) is posted with fetch
// and the server answers JSON: the new comment's HTML (the same include as the list), which
// is inserted in place and typeset, or {"error": ...}, shown above the form. "回复" moves the
// form under the comment it answers; "取消回复" moves it back. Without JavaScript the same
// form posts normally and the server redirects to the new comment.

import { typeset } from "./math.js";

const section = document.querySelector("[data-comments]");
if (section) setUp(section);

function setUp(section) {
  const form = section.querySelector("[data-comment-form]");
  const home = section.querySelector("[data-form-home]");
  const list = section.querySelector("[data-comment-list]");
  const title = form.querySelector("[data-form-title]");
  const cancel = form.querySelector("[data-cancel-reply]");
  const error = form.querySelector("[data-comment-error]");
  const notice = form.querySelector("[data-comment-notice]");
  const submit = form.querySelector("button[type=submit]");
  const parent = form.elements.parent;
  const newTitle = "发表评论";

  function say(element, text) {
    element.textContent = text;
    element.hidden = !text;
  }

  function replyTo(id, name) {
    const comment = document.getElementById(`comment-${id}`);
    if (!comment) return;
    parent.value = id;
    title.textContent = `回复 ${name}`;
    cancel.hidden = false;
    comment.append(form);
    form.elements.body.focus();
  }

  function cancelReply() {
    parent.value = "";
    title.textContent = newTitle;
    cancel.hidden = true;
    home.append(form);
  }

  section.addEventListener("click", (event) => {
    const reply = event.target.closest("[data-reply]");
    if (reply) {
      event.preventDefault();
      say(error, "");
      replyTo(reply.dataset.reply, reply.dataset.replyName);
    } else if (event.target.closest("[data-cancel-reply]")) {
      event.preventDefault();
      cancelReply();
    }
  });

  // A page opened with ?reply=ID (the link without JavaScript) already has the parent set.
  if (parent.value) {
    const comment = document.getElementById(`comment-${parent.value}`);
    if (comment) comment.append(form);
  }

  function insert(data) {
    const template = document.createElement("template");
    template.innerHTML = data.html.trim();
    const comment = template.content.firstElementChild;
    const thread = data.parent
      ? document.getElementById(`comment-${data.parent}`)?.querySelector(":scope > [data-replies]")
      : list;
    const existing = document.getElementById(data.anchor); // a double submit answers the same one
    if (existing) existing.replaceWith(comment);
    else (thread ?? list).append(comment);
    typeset(comment);
    section.querySelector("[data-comment-count]").textContent = data.count;
    section.querySelector("[data-comment-empty]").hidden = true;
    comment.classList.add("comment--new");
    return comment;
  }

  function renew(security) {
    if (!security) return;
    for (const [name, value] of Object.entries(security)) form.elements[name].value = value;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(error, "");
    say(notice, "");
    submit.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json", "X-Requested-With": "fetch" },
        credentials: "same-origin",
      });
      const data = await response.json().catch(() => ({}));
      renew(data.security);
      if (!response.ok) {
        say(error, data.error ?? `评论没有提交(错误 ${response.status}),请刷新页面后再试。`);
        return;
      }
      form.elements.body.value = "";
      cancelReply();
      const comment = insert(data);
      say(notice, data.message);
      comment.scrollIntoView({ block: "nearest" });
    } catch {
      say(error, "网络出错,评论没有提交,请稍后再试。");
    } finally {
      submit.disabled = false;
    }
  });
}
