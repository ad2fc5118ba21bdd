/**
 * Anchor centres of MediaPipe's short-range BlazeFace (Bazarevsky et al., "BlazeFace:
 * Sub-millisecond Neural Face Detection on Mobile GPUs", arXiv:1907.05047, 2019; the SSD anchor
 * options of MediaPipe's face_detection_short_range graph): a 16 × 16 grid with 2 anchors per
 * cell (stride 8 on the 128 px input), then an 8 × 8 grid with 6 anchors per cell (stride 16),
 * 896 in all, cells in row-major order, all anchors of a cell consecutive. The anchor sizes are
 * fixed at 1 (the network regresses absolute sizes), so only centres are needed: x, y in 0–1 of
 * the network input, interleaved.
 */
export function blazeFaceAnchors(): Float32Array {
  const layers: readonly (readonly [number, number])[] = [
    [16, 2],
    [8, 6],
  ];
  const total = layers.reduce((sum, [cells, perCell]) => sum + cells * cells * perCell, 0);
  const out = new Float32Array(2 * total);
  let k = 0;
  for (const [cells, perCell] of layers) {
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        for (let a = 0; a < perCell; a++) {
          out[k++] = (x + 0.5) / cells;
          out[k++] = (y + 0.5) / cells;
        }
      }
    }
  }
  return out;
}
