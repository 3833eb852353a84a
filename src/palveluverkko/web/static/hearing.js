// The public hearing page: pick a place, see the travel time before and after, comment.
import { T, api, el, fmt } from "./common.js";
import { makeMap, setPick } from "./map.js";

const $ = (id) => document.getElementById(id);
const slug = document.querySelector("article.hearing").dataset.slug;
let picked = null;

const { map } = await makeMap("map");

async function showTimes(lon, lat) {
  picked = { lon, lat };
  setPick(map, lon, lat);
  try {
    const r = await api("GET", `/api/hearings/${slug}/travel?lon=${lon}&lat=${lat}`);
    $("times-service").textContent = `${r.service}, ${T.minutes_by_car}`;
    $("t-before").textContent = fmt(r.before_minutes);
    $("t-after").textContent = fmt(r.after_minutes);
    const d = r.after_minutes !== null && r.before_minutes !== null ? r.after_minutes - r.before_minutes : null;
    $("t-change").textContent = d === null ? "–" : (d > 0 ? "+" : "") + fmt(d);
    $("times").hidden = false;
  } catch (err) {
    $("times").hidden = true;
    $("comment-status") && ($("comment-status").textContent = err.message);
  }
}

map.on("click", (e) => {
  const lon = Math.round(e.lngLat.lng * 1e5) / 1e5;
  const lat = Math.round(e.lngLat.lat * 1e5) / 1e5;
  $("lon").value = lon;
  $("lat").value = lat;
  showTimes(lon, lat);
});

$("f-place").addEventListener("submit", (e) => {
  e.preventDefault();
  showTimes(Number($("lon").value), Number($("lat").value));
});

async function loadComments() {
  const rows = await api("GET", `/api/hearings/${slug}/comments`);
  $("comment-list").replaceChildren(
    ...rows.map((c) => el("li", {}, el("strong", {}, T["tag_" + c.tag] + ": "), c.text)),
  );
  map.getSource("comments").setData({
    type: "FeatureCollection",
    features: rows.filter((c) => c.lon !== null).map((c) => ({
      type: "Feature", geometry: { type: "Point", coordinates: [c.lon, c.lat] }, properties: { id: c.id },
    })),
  });
}

$("f-comment")?.addEventListener("submit", async (e) => {
  e.preventDefault();
  const tag = document.querySelector('input[name="tag"]:checked').value;
  const body = { text: $("comment-text").value, tag };
  if (picked) Object.assign(body, picked);
  try {
    await api("POST", `/api/hearings/${slug}/comments`, body);
    $("comment-status").textContent = T.comment_sent;
    $("comment-text").value = "";
  } catch (err) {
    $("comment-status").textContent = err.status === 429 ? T.too_many : err.message;
  }
});

map.on("load", loadComments);
document.body.dataset.ready = "1";
