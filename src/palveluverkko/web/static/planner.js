// The planner's page: scenarios, changes on the map, evaluation jobs, results, publishing.
import { T, LANG, api, el, fmt } from "./common.js";
import { makeMap, setPick } from "./map.js";

const $ = (id) => document.getElementById(id);
let current = null; // id of the open scenario
let lastJob = null; // finished job shown
let cells = null; // cells GeoJSON (with "cell" index)

const { map } = await makeMap("map");
map.on("click", (e) => {
  const lon = Math.round(e.lngLat.lng * 1e5) / 1e5;
  const lat = Math.round(e.lngLat.lat * 1e5) / 1e5;
  for (const prefix of ["open", "mobile"]) {
    if ($(prefix + "-lon")) {
      $(prefix + "-lon").value = lon;
      $(prefix + "-lat").value = lat;
    }
  }
  setPick(map, lon, lat);
});

function status(id, text, bad = false) {
  const p = $(id);
  if (!p) return;
  p.textContent = text;
  p.classList.toggle("error", bad);
}

async function loadScenarios(select) {
  const rows = await api("GET", "/api/scenarios");
  const list = $("scenario-list");
  list.replaceChildren(...rows.map((r) => el("option", { value: r.id }, `${r.name} (v${r.version})`)));
  if (select) list.value = String(select);
  const box = $("compare-with");
  if (box) {
    const legend = box.querySelector("legend");
    box.replaceChildren(legend);
    for (const r of rows) {
      const id = `cmp-${r.id}`;
      box.append(el("input", { type: "checkbox", id, value: r.id }), el("label", { for: id }, r.name), el("br"));
    }
  }
}

async function openScenario(id) {
  const s = await api("GET", `/api/scenarios/${id}`);
  current = s.id;
  const p = s.proposal;
  const items = [
    ...p.closures.map((c) => `${c.name}: ${T.closes_site}, ${T.replaced_by} ${c.substitute_name}`),
    ...p.openings.map((o) => `${T.new_site}: ${o.name} (${o.kind})`),
    ...p.conversions.map((c) => `${c.name}: ${T.convert_site} ${c.kind}`),
    ...p.mobile_stops.map((m) => `${T.mobile_stop}: ${m.stop} (${m.depot})`),
  ];
  const history = s.history.map((h) => el("li", {}, `v${h.version} ${h.author}: ${h.note} (${h.created_at})`));
  $("current").replaceChildren(
    el("h3", {}, `${s.name} (${T.version} ${s.version})`),
    el("ul", { id: "proposal-list" }, ...items.map((i) => el("li", {}, i))),
    el("h4", {}, T.history),
    el("ul", {}, ...history),
  );
}

$("open-scenario").addEventListener("click", () => openScenario($("scenario-list").value));

$("new-scenario").addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    const s = await api("POST", "/api/scenarios", { name: $("new-name").value });
    await loadScenarios(s.id);
    await openScenario(s.id);
    $("new-name").value = "";
  } catch (err) {
    status("change-status", err.message, true);
  }
});

const CHANGE_FIELDS = {
  close: () => ({ site: $("close-site").value, substitute: $("close-substitute").value }),
  convert: () => ({ site: $("convert-site").value, site_kind: $("convert-kind").value }),
  capacity: () => ({
    site: $("capacity-site").value,
    service: $("capacity-service").value,
    capacity_per_week: Number($("capacity-value").value),
  }),
  open: () => ({
    name: $("open-name").value,
    site_kind: $("open-kind").value,
    service: $("open-service").value,
    capacity_per_week: Number($("open-capacity").value),
    lon: Number($("open-lon").value),
    lat: Number($("open-lat").value),
  }),
  channels: () => ({ service: $("channels-service").value, digital_share: Number($("channels-share").value) }),
  mobile_stop: () => ({
    name: $("mobile-name").value,
    site: $("mobile-depot").value,
    service: $("mobile-service").value,
    lon: Number($("mobile-lon").value),
    lat: Number($("mobile-lat").value),
  }),
};

for (const form of document.querySelectorAll("form[data-kind]")) {
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (current === null) {
      status("change-status", T.open + ": " + T.scenario, true);
      return;
    }
    const kind = form.dataset.kind;
    try {
      const r = await api("POST", `/api/scenarios/${current}/changes`, { kind, ...CHANGE_FIELDS[kind]() });
      status("change-status", `${T.save}: ${r.note} (v${r.version})`);
      await loadScenarios(current);
      await openScenario(current);
    } catch (err) {
      status("change-status", err.message, true);
    }
  });
}

function showResults(job) {
  const r = job.result;
  lastJob = job.id;
  const head = el("tr", {}, el("th", { scope: "col" }, T.figure), el("th", { scope: "col" }, T.today),
    ...r.names.map((n) => el("th", { scope: "col" }, n)), el("th", { scope: "col" }, T.change));
  const rows = r.headline
    .filter((h) => h.base !== null || h.scenarios.some((v) => v !== null))
    .map((h) => {
      const first = h.scenarios[0];
      const change = first !== null && h.base !== null ? first - h.base : null;
      const label = (h.labels && h.labels[LANG]) || h.figure;
      return el("tr", {}, el("th", { scope: "row" }, `${label} (${h.unit})`), el("td", {}, fmt(h.base)),
        ...h.scenarios.map((v) => el("td", {}, fmt(v))), el("td", {}, change === null ? "–" : (change > 0 ? "+" : "") + fmt(change)));
    });
  $("results").replaceChildren(
    el("table", { class: "data", id: "results-table" },
      el("caption", {}, `${T.results}: ${T.today} / ${r.names.join(" / ")}`),
      el("thead", {}, head), el("tbody", {}, ...rows)),
  );
  for (const [what, id] of [["report", "dl-report"], ["pdf", "dl-pdf"], ["excel", "dl-excel"], ["gpkg", "dl-gpkg"]]) {
    $(id).href = `/api/jobs/${job.id}/download/${what}`;
  }
  $("downloads").hidden = false;
  drawCells(r);
}

const CELL_COLOURS = {
  after: ["interpolate", ["linear"], ["coalesce", ["get", "after"], -1],
    -1, "#bbbbbb", 0, "#1a9850", 10, "#91cf60", 20, "#fee08b", 30, "#fc8d59", 45, "#d73027"],
  change: ["interpolate", ["linear"], ["coalesce", ["get", "change"], 0],
    -10, "#2166ac", -1, "#92c5de", 0, "#f7f7f7", 1, "#fddbc7", 10, "#b2182b"],
};
const LEGENDS = { after: "0 / 10 / 20 / 30 / 45", change: "−10 / 0 / +10" };
let lastResult = null;

async function drawCells(r) {
  lastResult = r;
  if (cells === null) cells = await (await fetch("/api/layers/cells.geojson")).json();
  const after = r.cells_after[0];
  for (const f of cells.features) {
    const a = after[f.properties.cell];
    const b = r.cells_base[f.properties.cell];
    f.properties.after = a;
    f.properties.change = a !== null && b !== null ? a - b : null;
  }
  map.getSource("cells").setData(cells);
  showLayer();
}

function showLayer() {
  if (lastResult === null) return;
  const which = $("cell-layer").value;
  map.setPaintProperty("cells", "circle-color", CELL_COLOURS[which]);
  const label = which === "after" ? T.after : T.change;
  $("map-legend").textContent = `${T.travel_time} (${lastResult.service}, ${T.minutes_by_car}), ${label}: ${lastResult.names[0]} — ${LEGENDS[which]}`;
}
$("cell-layer").addEventListener("change", showLayer);

function showProgress(job) {
  const bar = $("job-progress");
  if (job.total) {
    bar.max = job.total;
    bar.value = job.done;
  }
  status("job-status", `${T["job_" + job.status]} ${job.stage_label || ""} ${job.total ? job.done + "/" + job.total : ""}`);
}

function stream(id) {
  // progress streamed by the server (server-sent events); polling if the stream breaks
  return new Promise((resolve) => {
    const source = new EventSource(`/api/jobs/${id}/events?lang=${LANG}`);
    source.onmessage = (e) => {
      const job = JSON.parse(e.data);
      if (!job) return;
      showProgress(job);
      if (job.status === "done" || job.status === "failed") {
        source.close();
        resolve(poll(id));
      }
    };
    source.onerror = () => {
      source.close();
      resolve(poll(id));
    };
  });
}

async function poll(id) {
  for (;;) {
    const job = await api("GET", `/api/jobs/${id}?lang=${LANG}`);
    const bar = $("job-progress");
    if (job.total) {
      bar.max = job.total;
      bar.value = job.done;
    }
    status("job-status", `${T["job_" + job.status]} ${job.stage_label || ""} ${job.total ? job.done + "/" + job.total : ""}`);
    if (job.status === "done") {
      bar.max = 1;
      bar.value = 1;
      showResults(job);
      return job;
    }
    if (job.status === "failed") {
      status("job-status", `${T.job_failed}: ${job.error}`, true);
      return job;
    }
    await new Promise((res) => setTimeout(res, 400));
  }
}

$("evaluate")?.addEventListener("click", async () => {
  if (current === null) {
    status("job-status", T.open + ": " + T.scenario, true);
    return;
  }
  const others = [...document.querySelectorAll("#compare-with input:checked")]
    .map((i) => Number(i.value))
    .filter((v) => v !== current);
  try {
    const job = await api("POST", "/api/jobs", { scenario_ids: [current, ...others] });
    status("job-status", T.job_queued);
    await stream(job.id);
  } catch (err) {
    status("job-status", err.message, true);
  }
});

$("f-publish")?.addEventListener("submit", async (e) => {
  e.preventDefault();
  if (lastJob === null || current === null) {
    status("publish-status", T.evaluate + "!", true);
    return;
  }
  const body = { scenario_id: current, job_id: lastJob, opens: $("p-opens").value, closes: $("p-closes").value };
  for (const f of ["title_fi", "title_sv", "title_en", "text_fi", "text_sv", "text_en"]) body[f] = $("p-" + f).value;
  try {
    const h = await api("POST", "/api/hearings", body);
    const p = $("publish-status");
    p.classList.remove("error");
    p.replaceChildren(`${T.published}: `, el("a", { href: h.url, id: "hearing-link" }, h.url));
  } catch (err) {
    status("publish-status", err.message, true);
  }
});

async function showComments() {
  // residents' comments of every hearing beside the scenario (points on the map, and a table)
  let hearings = [];
  try {
    hearings = await api("GET", "/api/admin/hearings");
  } catch {
    return;
  }
  const rows = [];
  for (const h of hearings) {
    try {
      for (const c of await api("GET", `/api/admin/hearings/${h.slug}/comments`)) rows.push({ ...c, hearing: h.title });
    } catch {
      return; // a viewer does not read unmoderated comments
    }
  }
  const shown = rows.filter((c) => c.status !== "hidden");
  map.getSource("comments").setData({
    type: "FeatureCollection",
    features: shown.filter((c) => c.lon !== null).map((c) => ({
      type: "Feature", geometry: { type: "Point", coordinates: [c.lon, c.lat] }, properties: { id: c.id },
    })),
  });
  $("comments-table").replaceChildren(
    ...shown.map((c) => el("tr", {}, el("td", {}, c.hearing), el("td", {}, T["tag_" + c.tag]),
      el("td", {}, T["status_" + c.status]), el("td", { class: "comment-text" }, c.text))),
  );
}

$("f-optimize")?.addEventListener("submit", async (e) => {
  e.preventDefault();
  status("opt-status", T.optimize_running);
  const body = {
    name: $("opt-name").value,
    service: $("opt-service").value,
    model: $("opt-model").value,
    p: Number($("opt-p").value) || null,
    per_municipality: 0,
  };
  try {
    const r = await api("POST", `/api/optimize?lang=${LANG}`, body);
    status("opt-status", `${T.save}: ${r.name}`);
    $("opt-explanation").textContent = r.explanation;
    $("opt-explanation").hidden = false;
    await loadScenarios(r.id);
    await openScenario(r.id);
  } catch (err) {
    status("opt-status", err.message, true);
  }
});

const today = new Date().toISOString().slice(0, 10);
if ($("p-opens")) {
  $("p-opens").value = today;
  $("p-closes").value = new Date(Date.now() + 30 * 864e5).toISOString().slice(0, 10);
}
await loadScenarios();
map.on("load", showComments);
document.body.dataset.ready = "1";
