// What the requester does on the page: reply, rate the answer, add a file. Each form reports
// through its own polite live region and asks the page to refresh once the API took the change.

import { callApi, ApiError } from "../shared/api.js";
import { announce } from "../shared/dom.js";

// page: {ticketId, token, t (current words), refresh(), touched(), onLanguage (callbacks)}.
export function wireForms(page) {
  wireReply(page);
  wireSatisfaction(page);
  wireEvidence(page);
}

async function busy(button, work) {
  button.disabled = true;
  try {
    return await work();
  } finally {
    button.disabled = false;
  }
}

function wireReply(page) {
  const form = document.getElementById("reply-form");
  const text = document.getElementById("reply-text");
  const status = document.getElementById("reply-status");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const message = text.value.trim();
    if (!message) {
      announce(status, page.t("reply.empty"), "error");
      text.focus();
      return;
    }
    announce(status, page.t("reply.sending"));
    await busy(form.querySelector("button"), async () => {
      try {
        await callApi("POST", `tickets/${page.ticketId}/messages`, { token: page.token, body: { text: message } });
        text.value = "";
        announce(status, page.t("reply.sent"), "ok");
        page.touched();
        await page.refresh();
      } catch (error) {
        announce(status, page.t(error.status === 0 ? "errors.network" : "errors.send"), "error");
      }
    });
  });
}

function wireSatisfaction(page) {
  const form = document.getElementById("csat-form");
  const status = document.getElementById("csat-status");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const picked = form.querySelector('input[name="rating"]:checked');
    if (!picked) {
      announce(status, page.t("csat.pick"), "error");
      form.querySelector('input[name="rating"]').focus();
      return;
    }
    const comment = document.getElementById("csat-comment").value.trim();
    const body = { rating: Number(picked.value), ...(comment ? { comment } : {}) };
    await busy(form.querySelector("button"), async () => {
      try {
        await callApi("POST", `tickets/${page.ticketId}/satisfaction`, { token: page.token, body });
        announce(status, "");
        page.touched();
        await page.refresh();
      } catch (error) {
        const already = error instanceof ApiError && error.code === "already_rated";
        announce(status, page.t(already ? "csat.already" : "errors.send"), "error");
      }
    });
  });
}

function wireEvidence(page) {
  const form = document.getElementById("evidence-form");
  const input = document.getElementById("evidence-file");
  const status = document.getElementById("evidence-status");
  const chosen = document.getElementById("evidence-chosen");
  const showChoice = () => {
    const file = input.files && input.files[0];
    chosen.textContent = file ? file.name : page.t("evidence.none_chosen");
  };
  input.addEventListener("change", showChoice);
  page.onLanguage.push(showChoice);
  showChoice();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = input.files && input.files[0];
    if (!file) {
      announce(status, page.t("evidence.pick"), "error");
      input.focus();
      return;
    }
    announce(status, page.t("evidence.uploading"));
    await busy(form.querySelector("button"), async () => {
      try {
        await uploadEvidence(page, file);
        input.value = "";
        showChoice();
        announce(status, page.t("evidence.uploaded"), "ok");
        page.touched();
        await page.refresh();
      } catch (error) {
        announce(status, page.t(evidenceError(error)), "error");
      }
    });
  });
}

function evidenceError(error) {
  if (!(error instanceof ApiError)) return "evidence.failed";
  if (error.status === 0) return "errors.network";
  if (error.status === 413 || error.code === "too_large") return "evidence.too_large";
  if (error.code === "empty_file") return "evidence.empty_file";
  if (error.code === "unsupported_type" || error.field === "content_type") return "evidence.bad_type";
  if (error.code === "too_many_files") return "evidence.too_many";
  return "evidence.failed";
}

// POST /tickets/{id}/evidence -> an S3 presigned POST; the file goes straight to S3 (a form
// post: S3 may send no CORS headers, so the answer is opaque), then the API confirms it is there.
async function uploadEvidence(page, file) {
  const path = `tickets/${page.ticketId}/evidence`;
  const declared = { filename: file.name, content_type: file.type || "application/octet-stream", size: file.size };
  const slot = await callApi("POST", path, { token: page.token, body: declared });
  if (slot.max_bytes && file.size > slot.max_bytes) throw new ApiError(413, "too_large", "", "size");
  const form = new FormData();
  for (const [name, value] of Object.entries(slot.upload.fields || {})) form.append(name, value);
  form.append("file", file);
  try {
    await fetch(slot.upload.url, { method: "POST", body: form, mode: "no-cors", credentials: "omit", referrerPolicy: "no-referrer" });
  } catch (error) {
    throw new ApiError(0, "network", String(error && error.message));
  }
  return callApi("POST", `${path}/${encodeURIComponent(slot.evidence_id)}/confirm`, { token: page.token });
}
