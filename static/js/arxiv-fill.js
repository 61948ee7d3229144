// "从 arXiv 填写" on the paper form: a button after the arXiv id field (whose data-arxiv-fields
// names the admin's JSON view) that fills the title, authors, abstract and date from arXiv.
// Without JavaScript there is no button, and the form saves what was typed as before.

const FIELD_IDS = {
  title: "id_title",
  authors: "id_authors",
  abstract: "id_abstract",
  published_on: "id_published_on",
};

function show(status, message, isError) {
  status.textContent = message;
  status.classList.toggle("arxiv-fill__status--error", isError);
}

async function fill(idField, button, status) {
  const url = new URL(idField.dataset.arxivFields, window.location.href);
  url.searchParams.set("id", idField.value);
  button.disabled = true;
  show(status, "正在向 arXiv 查询…", false);
  try {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    const reply = await response.json();
    if (!response.ok) {
      show(status, `${reply.error}表单未改动。`, true);
      return;
    }
    for (const [name, id] of Object.entries(FIELD_IDS)) {
      const field = document.getElementById(id);
      field.value = reply.fields[name];
      field.dispatchEvent(new Event("change", { bubbles: true }));
    }
    show(status, `已按 arXiv:${reply.fields.arxiv_id} 填写标题、作者、摘要和日期;保存后生效。`, false);
  } catch {
    // No answer, or one that is not JSON (a login page once the session has ended).
    show(status, "没能查询(网络断开或已退出登录),表单未改动;请刷新页面后再试。", true);
  } finally {
    button.disabled = false;
  }
}

const idField = document.querySelector("input[data-arxiv-fields]");
if (idField) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button arxiv-fill";
  button.textContent = "从 arXiv 填写";
  // Under the field, lined up as the admin lines up help text.
  const status = document.createElement("div");
  status.className = "help arxiv-fill__status";
  status.setAttribute("role", "status");
  idField.after(button);
  (idField.closest(".flex-container") ?? button).after(status);
  button.addEventListener("click", () => fill(idField, button, status));
}
