// novalite dashboard: the page's live parts. No inline scripts (the CSP forbids them):
// everything is wired here from data- attributes.
"use strict";

// Confirmation before every form marked data-confirm (actions, deletes).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm &&
      !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
}, true);

// The project switcher submits itself.
for (const form of document.querySelectorAll("form[data-autosubmit]")) {
  form.addEventListener("change", () => form.submit());
}

// Live status: a table or block with data-poll fetches its JSON twin and updates the
// cells marked data-field, row by row (data-id), without reloading.
function applyServer(container, server) {
  for (const cell of container.querySelectorAll("[data-field]")) {
    const value = server[cell.dataset.field];
    const text = value === null || value === undefined ? "" : String(value);
    if (cell.textContent !== text) cell.textContent = text;
  }
}

function poll(element) {
  const url = element.dataset.poll;
  let wait = 2000;
  const tick = async () => {
    try {
      const answer = await fetch(url, {credentials: "same-origin",
                                       headers: {"Accept": "application/json"}});
      if (answer.status === 401) { window.location.assign("/login"); return; }
      if (answer.ok) {
        const body = await answer.json();
        if (body.server) applyServer(element, body.server);
        if (body.actions) {
          // the buttons that apply in the new state (the policy made the set)
          const usable = new Set(body.actions);
          for (const form of document.querySelectorAll("form[data-action-form]")) {
            form.hidden = !usable.has(form.dataset.actionForm);
          }
        }
        if (body.servers) {
          const known = new Set();
          for (const server of body.servers) {
            known.add(server.id);
            const row = element.querySelector(`tr[data-id="${server.id}"]`);
            if (row) applyServer(row, server);
          }
          for (const row of element.querySelectorAll("tr[data-id]")) {
            if (!known.has(row.dataset.id)) row.classList.add("gone");
          }
        }
        wait = 2000;
      }
    } catch (error) {
      wait = Math.min(wait * 2, 30000);
    }
    window.setTimeout(tick, wait);
  };
  window.setTimeout(tick, wait);
}
for (const element of document.querySelectorAll("[data-poll]")) poll(element);

// Tabs (the console page): one panel shown at a time.
for (const tabs of document.querySelectorAll("[data-tabs]")) {
  tabs.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-tab]");
    if (!button) return;
    for (const other of tabs.querySelectorAll("button[data-tab]")) {
      other.classList.toggle("active", other === button);
    }
    for (const panel of document.querySelectorAll("[data-panel]")) {
      panel.hidden = panel.dataset.panel !== button.dataset.tab;
    }
  });
}

// Image upload with a progress bar (XMLHttpRequest reports upload progress).
for (const form of document.querySelectorAll("form[data-upload]")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const bar = form.querySelector("progress");
    bar.hidden = false;
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("X-Requested-With", "fetch");
    request.upload.addEventListener("progress", (progress) => {
      if (progress.lengthComputable) bar.value = (100 * progress.loaded) / progress.total;
    });
    request.addEventListener("load", () => { window.location.assign("/images"); });
    request.addEventListener("error", () => { window.location.assign("/images"); });
    request.send(new FormData(form));
  });
}
