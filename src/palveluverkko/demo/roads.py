"""The demo county's hierarchical road network.

Roads live on a jittered 250 m lattice of nodes (each node moved up to ``JITTER_M`` so the map
does not look ruled), so lines meet exactly at shared vertices:

- rural roads follow a 1 km sub-lattice: each *link* is a 5-vertex line between two 1 km nodes.
  A random spanning tree of the links that stay on land (``minimum_spanning_tree`` over random
  weights) keeps the county connected; extra links are added with probability
  ``0.12 + 0.55 exp(-d / 8 km)`` (``d`` to the nearest centre) so that roads are denser near
  settlements;
- main roads are least-cost paths over all land links (cost = length times a random factor
  1..1.5, so they wander): trunk roads from the city to the two biggest towns, primary roads to
  the other towns, secondary roads from every rural centre to its nearest city or town, tertiary
  roads to villages and between neighbouring rural centres;
- a motorway runs north-south through the city on its own vertices, ``MOTORWAY_OFFSET_M`` off
  the lattice (so it crosses local roads on bridges), joining them only at interchanges every
  ``INTERCHANGE_SPACING_M`` (half that near the city); walkers and cyclists, who may not use it,
  keep a connected network of their own;
- streets (``residential``) fill every 250 m lattice edge within a settlement radius.

A line that touches a lake is never built, so roads go around lakes. Only the components that hold
the city and the island village are kept (the rest is counted in the log). The island is joined to
the mainland by one ``ferry`` line over the narrowest gap.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components, dijkstra, minimum_spanning_tree
from scipy.spatial import cKDTree

from ..errors import InternalError
from .geography import Geography

log = logging.getLogger("palveluverkko.demo")

STEP_M = 250.0
LINK_STEPS = 4  # a rural link spans 4 lattice steps = 1 km
JITTER_M = 55.0
FERRY_WAIT_MIN = 10.0
MOTORWAY_OFFSET_M = 70.0
INTERCHANGE_SPACING_M = 8_000.0

# class -> (rank for priority, speed in the open, speed within a settlement)
ROAD_SPEEDS_KPH: dict[str, tuple[int, float, float]] = {
    "motorway": (0, 110.0, 100.0),
    "trunk": (1, 90.0, 70.0),
    "primary": (2, 80.0, 60.0),
    "secondary": (3, 70.0, 50.0),
    "tertiary": (4, 60.0, 50.0),
    "unclassified": (5, 50.0, 40.0),
    "residential": (6, 40.0, 30.0),
}
_CLASSES = tuple(ROAD_SPEEDS_KPH)


@dataclass(frozen=True)
class Lattice:
    """The 250 m node lattice: origin, size and jittered node coordinates."""

    x0: float
    y0: float
    nx: int
    ny: int
    node_xy: np.ndarray  # (nx*ny, 2), node id = j * nx + i
    land: np.ndarray  # (nx*ny,) bool

    def node(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Node ids of lattice indices."""
        return j * self.nx + i


@dataclass(frozen=True)
class RoadResult:
    """Road lines with attributes, plus the graph the other generators route on."""

    lines: np.ndarray  # shapely LineStrings
    road_class: np.ndarray  # str
    speed_kph: np.ndarray
    ferry_wait_min: np.ndarray  # NaN except on the ferry
    vertex_xy: np.ndarray  # (n_vertices, 2) coordinates of every road vertex
    edge_u: np.ndarray  # vertex index pairs of every segment (undirected)
    edge_v: np.ndarray
    edge_minutes: np.ndarray
    mainland: np.ndarray  # bool per vertex: on the mainland component
    snappable: np.ndarray  # bool per vertex: touched by a road other than motorway or ferry
    lattice: Lattice


def build_lattice(geo: Geography, seed: int) -> Lattice:
    """The jittered 250 m lattice over the county's bounding box, with its land mask."""
    rng = np.random.default_rng([seed, 2])
    minx, miny, maxx, maxy = shapely.bounds(geo.outline)
    x0 = np.floor(minx / 1_000.0) * 1_000.0
    y0 = np.floor(miny / 1_000.0) * 1_000.0
    nx = int(np.ceil((maxx - x0) / STEP_M)) + 1
    ny = int(np.ceil((maxy - y0) / STEP_M)) + 1
    jj, ii = np.divmod(np.arange(nx * ny), nx)
    xy = np.column_stack([x0 + ii * STEP_M, y0 + jj * STEP_M])
    xy += rng.uniform(-JITTER_M, JITTER_M, size=xy.shape)
    land = shapely.contains_xy(geo.outline, xy[:, 0], xy[:, 1])
    idx = np.flatnonzero(land)
    land[idx[shapely.contains_xy(geo.water_union, xy[idx, 0], xy[idx, 1])]] = False
    return Lattice(float(x0), float(y0), nx, ny, xy, land)


def _links(lat: Lattice, geo: Geography) -> np.ndarray:
    """(n_links, LINK_STEPS + 1) node ids of 1 km links that stay on land and off the water."""
    out = []
    for horizontal in (True, False):
        ci = np.arange(0, lat.nx - LINK_STEPS, LINK_STEPS)
        cj = np.arange(0, lat.ny - LINK_STEPS, LINK_STEPS)
        mi, mj = np.meshgrid(ci, cj)
        gi, gj = mi.ravel(), mj.ravel()
        steps = np.arange(LINK_STEPS + 1)
        if horizontal:
            ids = lat.node(gi[:, None] + steps, gj[:, None] + 0 * steps)
        else:
            ids = lat.node(gi[:, None] + 0 * steps, gj[:, None] + steps)
        out.append(ids[lat.land[ids].all(axis=1)])
    ids = np.vstack(out)
    lines = shapely.linestrings(lat.node_xy[ids])
    wet = shapely.intersects(geo.water_union, lines)
    return ids[~wet]


def _path(pred: np.ndarray, target: int) -> list[int]:
    out = [target]
    while pred[out[-1]] >= 0:
        out.append(int(pred[out[-1]]))
    return out


def _motorway(
    lat: Lattice,
    geo: Geography,
    coarse: np.ndarray,
    paths: list[list[int]],
    junction_ok: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Motorway segments along ``paths`` (coarse-node sequences), apart from the local roads.

    The motorway runs on its own vertices, ``MOTORWAY_OFFSET_M`` off the lattice, so it crosses
    local roads on bridges; it meets them only at interchanges, lattice nodes of the kept network
    (``junction_ok``) every ``INTERCHANGE_SPACING_M`` (closer near the city). Returns (n, 2)
    vertex-id pairs and the coordinate array they index: lattice nodes first, then one offset
    copy of every lattice node (id ``n_lattice + node``).
    """
    n = len(lat.node_xy)
    all_xy = np.vstack([lat.node_xy, lat.node_xy + MOTORWAY_OFFSET_M])
    ok = np.zeros(n, dtype=bool)
    ok[junction_ok] = True
    pairs: list[tuple[int, int]] = []
    for path in paths:
        nodes = coarse[np.asarray(path)]
        fine: list[int] = [int(nodes[0])]
        for a, b in itertools.pairwise(nodes.tolist()):
            ja, ia = divmod(a, lat.nx)
            jb, ib = divmod(b, lat.nx)
            steps = np.arange(1, LINK_STEPS + 1)
            ii = ia + (ib - ia) * steps // LINK_STEPS
            jj = ja + (jb - ja) * steps // LINK_STEPS
            fine.extend((jj * lat.nx + ii).tolist())
        ids = [v + n for v in fine]  # offset copies by default
        since = np.inf
        for k in range(0, len(fine), LINK_STEPS):
            if k:
                since += LINK_STEPS * STEP_M
            near_city = np.hypot(*(lat.node_xy[fine[k]] - geo.centres[0])) < 10_000.0
            spacing = INTERCHANGE_SPACING_M / (2 if near_city else 1)
            if ok[fine[k]] and (since >= spacing or k in (0, len(fine) - 1)):
                ids[k] = fine[k]
                since = 0.0
        pairs.extend(itertools.pairwise(ids))
    seg = np.unique(np.sort(np.array(pairs, dtype=np.int64), axis=1), axis=0)
    wet = shapely.intersects(geo.water_union, shapely.linestrings(all_xy[seg]))
    if wet.any():  # fall back to the lattice line (on land) where the offset touches a lake
        seg[wet] = np.where(seg[wet] >= n, seg[wet] - n, seg[wet])
        log.info("demo roads: %d motorway segments laid on the lattice to avoid a lake", wet.sum())
    return seg, all_xy


def build_roads(geo: Geography, seed: int) -> RoadResult:
    """Build the road network of the demo county (see the module docstring)."""
    rng = np.random.default_rng([seed, 3])
    lat = build_lattice(geo, seed)
    links = _links(lat, geo)
    ends = links[:, [0, -1]]
    coarse, inv = np.unique(ends, return_inverse=True)
    inv = inv.reshape(-1, 2)
    nc = len(coarse)
    cxy = lat.node_xy[coarse]
    length = np.full(len(links), LINK_STEPS * STEP_M)

    def graph(weights: np.ndarray) -> coo_array:
        return coo_array((weights, (inv[:, 0], inv[:, 1])), shape=(nc, nc)).tocsr()

    # spanning tree over random weights: a connected skeleton
    tree = minimum_spanning_tree(graph(rng.uniform(1.0, 2.0, len(links)))).tocoo()
    tree_pairs = {(min(a, b), max(a, b)) for a, b in zip(tree.row, tree.col, strict=True)}
    pair_key = np.minimum(inv[:, 0], inv[:, 1]) * nc + np.maximum(inv[:, 0], inv[:, 1])
    in_tree = np.isin(pair_key, np.array([a * nc + b for a, b in tree_pairs], dtype=np.int64))
    settlements = np.vstack([geo.centres, geo.villages, geo.island_village[None, :]])
    d_near, _ = cKDTree(settlements).query(cxy[inv].mean(axis=1))
    extra = rng.uniform(size=len(links)) < 0.12 + 0.55 * np.exp(-d_near / 8_000.0)
    rank = np.where(in_tree | extra, _CLASSES.index("unclassified"), 99)

    # main roads: least-cost paths over all land links
    cost = graph(length * rng.uniform(1.0, 1.5, len(links)))
    ctree = cKDTree(cxy)
    _, centre_node = ctree.query(geo.centres)
    _, village_node = ctree.query(geo.villages)
    pair_rank: dict[int, int] = {}
    motorway_paths: list[list[int]] = []

    def mark(source: int, targets: list[tuple[int, str]]) -> None:
        _, pred = dijkstra(cost, directed=False, indices=source, return_predecessors=True)
        for target, cls in targets:
            path = _path(pred, target)
            if len(path) == 1 and target != source:
                log.warning("demo roads: no land path for a %s road (skipped)", cls)
                continue
            if cls == "motorway":
                motorway_paths.append(path)
                continue
            r = _CLASSES.index(cls)
            for a, b in itertools.pairwise(path):
                key = min(a, b) * nc + max(a, b)
                pair_rank[key] = min(pair_rank.get(key, 99), r)

    kinds = np.array(geo.kinds)
    towns = np.flatnonzero(kinds == "town")
    rural = np.flatnonzero(kinds == "rural")
    south = int(ctree.query(geo.centres[0] + [5_000.0, -200_000.0])[1])
    north = int(ctree.query(geo.centres[0] + [-5_000.0, 200_000.0])[1])
    hubs = np.concatenate([[0], towns])
    nearest_hub = {
        int(m): int(hubs[np.argmin(np.hypot(*(geo.centres[hubs] - geo.centres[m]).T))])
        for m in rural
    }
    city_targets = [(south, "motorway"), (north, "motorway")]
    by_pop = towns[np.argsort(-geo.populations[towns], kind="stable")]
    city_targets += [(int(centre_node[t]), "trunk") for t in by_pop[:2]]
    city_targets += [(int(centre_node[t]), "primary") for t in by_pop[2:]]
    for hub in hubs:
        targets = city_targets if hub == 0 else []
        targets = targets + [
            (int(centre_node[m]), "secondary") for m, h in nearest_hub.items() if h == hub
        ]
        mark(int(centre_node[hub]), targets)
    vill_owner = np.argmin(
        np.hypot(
            geo.villages[:, None, 0] - geo.centres[None, :, 0],
            geo.villages[:, None, 1] - geo.centres[None, :, 1],
        ),
        axis=1,
    )
    for m in range(len(geo.centres)):
        targets = [(int(village_node[v]), "tertiary") for v in np.flatnonzero(vill_owner == m)]
        if m in set(rural.tolist()):
            others = rural[rural != m]
            nb = others[np.argmin(np.hypot(*(geo.centres[others] - geo.centres[m]).T))]
            targets.append((int(centre_node[nb]), "tertiary"))
        if targets:
            mark(int(centre_node[m]), targets)
    if pair_rank:
        keys = np.fromiter(pair_rank.keys(), dtype=np.int64)
        vals = np.fromiter(pair_rank.values(), dtype=np.int64)
        order = np.argsort(keys)
        keys, vals = keys[order], vals[order]
        pos = np.searchsorted(keys, pair_key)
        pos = np.minimum(pos, len(keys) - 1)
        hit = keys[pos] == pair_key
        rank = np.where(hit, np.minimum(rank, vals[pos]), rank)
    keep = rank < 99
    link_ids = links[keep]
    link_rank = rank[keep]

    # streets: every lattice edge within a settlement radius
    radii = np.array(
        [6_000.0 if k == "city" else 2_200.0 if k == "town" else 1_000.0 for k in geo.kinds]
        + [500.0] * len(geo.villages)
        + [600.0]
    )
    node_ok = lat.land.copy()
    tree_s = cKDTree(settlements)
    cand = np.flatnonzero(node_ok)
    d, which = tree_s.query(lat.node_xy[cand])
    urban_node = np.zeros_like(node_ok)
    urban_node[cand[d <= radii[which]]] = True
    ii = np.arange(lat.nx * lat.ny) % lat.nx
    jj = np.arange(lat.nx * lat.ny) // lat.nx
    a_h = np.flatnonzero(urban_node & (ii < lat.nx - 1))
    a_h = a_h[urban_node[a_h + 1]]
    a_v = np.flatnonzero(urban_node & (jj < lat.ny - 1))
    a_v = a_v[urban_node[a_v + lat.nx]]
    seg = np.vstack([np.column_stack([a_h, a_h + 1]), np.column_stack([a_v, a_v + lat.nx])])
    on_link = np.zeros(len(seg), dtype=bool)
    link_seg = np.column_stack([link_ids[:, :-1].ravel(), link_ids[:, 1:].ravel()])
    link_seg_key = np.sort(link_seg, axis=1) @ np.array([lat.nx * lat.ny, 1], dtype=np.int64)
    seg_key = np.sort(seg, axis=1) @ np.array([lat.nx * lat.ny, 1], dtype=np.int64)
    on_link = np.isin(seg_key, link_seg_key)
    seg = seg[~on_link]
    seg_lines = shapely.linestrings(lat.node_xy[seg])
    seg = seg[~shapely.intersects(geo.water_union, seg_lines)]

    # connected components over all segments; keep the city's and the island village's
    all_seg = np.vstack([link_seg, seg])
    n_all = lat.nx * lat.ny
    adj = coo_array(
        (np.ones(len(all_seg)), (all_seg[:, 0], all_seg[:, 1])), shape=(n_all, n_all)
    ).tocsr()
    _, comp = connected_components(adj, directed=False)
    used = np.unique(all_seg)
    used_tree = cKDTree(lat.node_xy[used])
    city_v = used[used_tree.query(geo.centres[0])[1]]
    island_used = used[shapely.contains_xy(geo.island, *lat.node_xy[used].T)]
    if len(island_used) == 0:
        raise InternalError("demo roads: the island has no road (generator bug)")
    island_v = island_used[np.argmin(np.hypot(*(lat.node_xy[island_used] - geo.island_village).T))]
    main_c, isl_c = comp[city_v], comp[island_v]
    keep_link = comp[link_ids[:, 0]] == main_c
    keep_link |= comp[link_ids[:, 0]] == isl_c
    keep_seg = (comp[seg[:, 0]] == main_c) | (comp[seg[:, 0]] == isl_c)
    log.info(
        "demo roads: dropped %d links and %d street segments cut off from the network by lakes",
        int((~keep_link).sum()),
        int((~keep_seg).sum()),
    )
    link_ids, link_rank, seg = link_ids[keep_link], link_rank[keep_link], seg[keep_seg]

    main_nodes = np.unique(
        np.concatenate(
            [
                link_ids[comp[link_ids[:, 0]] == main_c].ravel(),
                seg[comp[seg[:, 0]] == main_c].ravel(),
            ]
        )
    )
    motorway, all_xy = _motorway(lat, geo, coarse, motorway_paths, main_nodes)

    # ferry over the narrowest gap from the island to the mainland
    island_nodes = np.unique(
        np.concatenate(
            [link_ids[comp[link_ids[:, 0]] == isl_c].ravel(), seg[comp[seg[:, 0]] == isl_c].ravel()]
        )
    )
    dist, nearest = cKDTree(lat.node_xy[main_nodes]).query(lat.node_xy[island_nodes])
    k = int(np.argmin(dist))
    ferry = np.array([[island_nodes[k], main_nodes[nearest[k]]]])

    # assemble lines and attributes
    urban_link = urban_node[link_ids].all(axis=1)
    link_class = np.array(_CLASSES, dtype=object)[link_rank]
    link_speed = np.array(
        [ROAD_SPEEDS_KPH[c][2 if u else 1] for c, u in zip(link_class, urban_link, strict=True)]
    )
    d_city = np.hypot(*(lat.node_xy[seg].mean(axis=1) - geo.centres[0]).T)
    seg_speed = np.where(d_city < 2_500.0, 30.0, 40.0)
    d_city = np.hypot(*(all_xy[motorway].mean(axis=1) - geo.centres[0]).T)
    mw_speed = np.where(d_city < 8_000.0, *ROAD_SPEEDS_KPH["motorway"][2:0:-1])
    lines = np.concatenate(
        [
            shapely.linestrings(lat.node_xy[link_ids]),
            shapely.linestrings(lat.node_xy[seg]),
            shapely.linestrings(all_xy[motorway]),
            shapely.linestrings(lat.node_xy[ferry]),
        ]
    )
    road_class = np.concatenate(
        [
            link_class,
            np.full(len(seg), "residential", dtype=object),
            np.full(len(motorway), "motorway", dtype=object),
            np.array(["ferry"], object),
        ]
    )
    speed = np.concatenate([link_speed, seg_speed, mw_speed, [10.0]])
    wait = np.full(len(lines), np.nan)
    wait[-1] = FERRY_WAIT_MIN

    # routing graph over vertices (for GTFS paths and placing things on roads)
    pieces = [
        (
            np.column_stack([link_ids[:, :-1].ravel(), link_ids[:, 1:].ravel()]),
            np.repeat(link_speed, LINK_STEPS),
        ),
        (seg, seg_speed),
        (motorway, mw_speed),
        (ferry, np.array([10.0])),
    ]
    pairs = np.vstack([p for p, _ in pieces])
    speeds = np.concatenate([s for _, s in pieces])
    vertices, pair_v = np.unique(pairs, return_inverse=True)
    pair_v = pair_v.reshape(-1, 2)
    vxy = all_xy[vertices]
    seg_len = np.hypot(*(vxy[pair_v[:, 0]] - vxy[pair_v[:, 1]]).T)
    minutes = seg_len / (speeds * 1000.0 / 60.0)
    minutes[-1] += FERRY_WAIT_MIN
    n_lattice = len(lat.node_xy)
    mainland = np.ones(len(vertices), dtype=bool)  # motorway-only vertices are on the mainland
    on_lattice = vertices < n_lattice
    mainland[on_lattice] = comp[vertices[on_lattice]] == main_c
    # snappable: touched by a road other than a motorway or the ferry (the network module links
    # cells, sites and stops only to such vertices)
    n_ordinary = LINK_STEPS * len(link_ids) + len(seg)
    ordinary = np.arange(len(pairs)) < n_ordinary
    snappable = np.zeros(len(vertices), dtype=bool)
    snappable[pair_v[ordinary].ravel()] = True
    log.info(
        "demo roads: %d lines, %d segments (%d directed edges), %d vertices",
        len(lines),
        len(pairs),
        2 * len(pairs),
        len(vertices),
    )
    return RoadResult(
        lines=lines,
        road_class=road_class,
        speed_kph=speed,
        ferry_wait_min=wait,
        vertex_xy=vxy,
        edge_u=pair_v[:, 0],
        edge_v=pair_v[:, 1],
        edge_minutes=minutes,
        mainland=mainland,
        snappable=snappable,
        lattice=lat,
    )
