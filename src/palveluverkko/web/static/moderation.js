// Moderation: approve, hide or flag a comment.
import { T, api } from "./common.js";

for (const button of document.querySelectorAll("button[data-moderate]")) {
  button.addEventListener("click", async () => {
    const id = button.dataset.id;
    const r = await api("POST", `/api/comments/${id}/moderate`, { action: button.dataset.moderate });
    document.getElementById(`status-${id}`).textContent = T["status_" + r.status];
  });
}
document.body.dataset.ready = "1";
