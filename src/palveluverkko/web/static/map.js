// The map, offline: MapLibre GL JS served by the app and a style built only from the region's
// own GeoJSON layers (no tiles, no glyphs, no external origin).
import * as maplibregl from "/static/vendor/maplibre-gl/maplibre-gl.mjs";

export { maplibregl };

export const COLOURS = {
  background: "#f4f2ee",
  municipality: "#ffffff",
  border: "#6f6f6f",
  water: "#a8cbe8",
  road: "#b58b5e",
  site: "#1a4f8b",
};

export function baseStyle() {
  const src = (name) => ({ type: "geojson", data: `/api/layers/${name}.geojson` });
  return {
    version: 8,
    sources: {
      municipalities: src("municipalities"),
      water: src("water"),
      roads: src("roads"),
      sites: src("sites"),
      cells: { type: "geojson", data: { type: "FeatureCollection", features: [] } },
      pick: { type: "geojson", data: { type: "FeatureCollection", features: [] } },
      comments: { type: "geojson", data: { type: "FeatureCollection", features: [] } },
    },
    layers: [
      { id: "bg", type: "background", paint: { "background-color": COLOURS.background } },
      { id: "muni-fill", type: "fill", source: "municipalities", paint: { "fill-color": COLOURS.municipality } },
      { id: "water", type: "fill", source: "water", paint: { "fill-color": COLOURS.water } },
      { id: "muni-line", type: "line", source: "municipalities", paint: { "line-color": COLOURS.border, "line-width": 1 } },
      { id: "roads", type: "line", source: "roads", paint: { "line-color": COLOURS.road, "line-width": 1 } },
      {
        id: "cells", type: "circle", source: "cells",
        paint: {
          "circle-radius": 4,
          "circle-opacity": 0.85,
          "circle-stroke-color": "#6f6f6f",
          "circle-stroke-width": 0.5,
          "circle-color": [
            "interpolate", ["linear"], ["coalesce", ["get", "value"], -1],
            -1, "#bbbbbb", 0, "#1a9850", 10, "#91cf60", 20, "#fee08b", 30, "#fc8d59", 45, "#d73027",
          ],
        },
      },
      { id: "comments", type: "circle", source: "comments", paint: { "circle-radius": 5, "circle-color": "#7b3294", "circle-stroke-color": "#fff", "circle-stroke-width": 1 } },
      { id: "sites", type: "circle", source: "sites", paint: { "circle-radius": 6, "circle-color": COLOURS.site, "circle-stroke-color": "#fff", "circle-stroke-width": 2 } },
      { id: "pick", type: "circle", source: "pick", paint: { "circle-radius": 7, "circle-color": "#000", "circle-stroke-color": "#ffde00", "circle-stroke-width": 3 } },
    ],
  };
}

export async function makeMap(container) {
  const region = await (await fetch("/api/region")).json();
  const map = new maplibregl.Map({
    container,
    style: baseStyle(),
    bounds: region.bounds,
    fitBoundsOptions: { padding: 10 },
    attributionControl: false,
    fadeDuration: 0, // no symbol fade: the map is "idle" as soon as it has drawn
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  window.__mapReady = new Promise((resolve) => map.once("idle", resolve));
  return { map, region };
}

export function setPick(map, lon, lat) {
  map.getSource("pick").setData({
    type: "FeatureCollection",
    features: [{ type: "Feature", geometry: { type: "Point", coordinates: [lon, lat] }, properties: {} }],
  });
}
