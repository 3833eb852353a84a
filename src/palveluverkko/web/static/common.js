// Shared helpers: texts of the page's language, CSRF-protected JSON calls, DOM built without
// innerHTML (user text is always set as textContent).
export const T = JSON.parse(document.getElementById("texts").textContent);
export const LANG = document.body.dataset.lang || "fi";

export function csrf() {
  return document.querySelector('meta[name="csrf-token"]').content;
}

export async function api(method, url, body) {
  const init = { method, headers: { "X-CSRF-Token": csrf() }, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const r = await fetch(url, init);
  const data = r.headers.get("content-type")?.includes("json") ? await r.json() : null;
  if (!r.ok) {
    const detail = data && data.detail;
    const text = typeof detail === "string" ? detail : JSON.stringify(detail ?? r.statusText);
    const err = new Error(text);
    err.status = r.status;
    throw err;
  }
  return data;
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) {
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function fmt(value, digits = 1) {
  if (value === null || value === undefined) return "–";
  return Number(value).toLocaleString(LANG === "en" ? "en-GB" : LANG + "-FI", {
    maximumFractionDigits: digits,
  });
}
