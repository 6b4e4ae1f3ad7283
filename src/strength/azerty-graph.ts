/**
 * The French AZERTY keyboard as a zxcvbn adjacency graph, so `qsdfghjklm` and `wxcvbn` are seen as
 * keyboard walks (zxcvbn 4.4.2 only knows QWERTY, Dvorak and keypads, and scores them 2).
 *
 * Built the way zxcvbn builds its own graphs (data-scripts/build_keyboard_adjacency_graphs.py):
 * keys sit on a slanted grid, each row shifted half a key from the one above, and a key's
 * neighbours are listed clockwise from the left: left, up-left, up-right, right, down-right,
 * down-left. Each key is "unshifted + shifted" character.
 */
const ROWS: ReadonlyArray<{ firstColumn: number; keys: string }> = [
  { firstColumn: 0, keys: `²~ &1 é2 "3 '4 (5 -6 è7 _8 ç9 à0 )° =+` },
  { firstColumn: 1, keys: "aA zZ eE rR tT yY uU iI oO pP ^¨ $£" },
  { firstColumn: 1, keys: "qQ sS dD fF gG hH jJ kK lL mM ù% *µ" },
  // The ISO key left of W starts the bottom row one column further left.
  { firstColumn: 0, keys: "<> wW xX cC vV bB nN ,? ;. :/ !§" },
];

/** Neighbour offsets on the slanted grid, in zxcvbn's order (its scorer counts turns by index). */
const NEIGHBOURS: ReadonlyArray<readonly [number, number]> = [
  [-1, 0],
  [0, -1],
  [1, -1],
  [1, 0],
  [0, 1],
  [-1, 1],
];

export type AdjacencyGraph = Record<string, Array<string | null>>;

function buildSlantedGraph(rows: typeof ROWS): AdjacencyGraph {
  const keyAt = new Map<string, string>();
  rows.forEach((row, y) => {
    row.keys.split(" ").forEach((key, i) => {
      keyAt.set(`${row.firstColumn + i},${y}`, key);
    });
  });
  const graph: AdjacencyGraph = {};
  for (const [position, key] of keyAt) {
    const [x, y] = position.split(",").map(Number) as [number, number];
    const neighbours = NEIGHBOURS.map(([dx, dy]) => keyAt.get(`${x + dx},${y + dy}`) ?? null);
    for (const char of key) graph[char] = neighbours;
  }
  return graph;
}

export const AZERTY_GRAPH: AdjacencyGraph = buildSlantedGraph(ROWS);
