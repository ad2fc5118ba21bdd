/**
 * The annotation seed 001 draws on its frames (`/current_frame`, `/video_feed`): the face box, the
 * BPM ("Face Detected" / "No Face"), and the buffer fill, drawn into a copy of the RGB frame with
 * a 5 × 7 bitmap font (no font files, no canvas).
 */

/** 5 × 7 glyphs, one string of 7 rows × 5 columns ('#' = ink) per character. */
const GLYPHS: Record<string, string> = {
  '0': ' ### #   ##  ### # ###  ##   # ### ',
  '1': '  #   ##    #    #    #    #   ### ',
  '2': ' ### #   #    #   #   #   #   #####',
  '3': '#####   #   #     #     ##   # ### ',
  '4': '   #   ##  # # #  # #####   #    # ',
  '5': '######    ####     #    ##   # ### ',
  '6': '  ##  #   #    #### #   ##   # ### ',
  '7': '#####    #   #   #   #    #    #   ',
  '8': ' ### #   ##   # ### #   ##   # ### ',
  '9': ' ### #   ##   # ####    #   #  ##  ',
  A: ' ### #   ##   #######   ##   ##   #',
  B: '#### #   ##   ##### #   ##   ##### ',
  C: ' ### #   ##    #    #    #   # ### ',
  D: '#### #   ##   ##   ##   ##   ##### ',
  E: '######    #    #### #    #    #####',
  F: '######    #    #### #    #    #    ',
  H: '#   ##   ##   #######   ##   ##   #',
  I: ' ###   #    #    #    #    #   ### ',
  L: '#    #    #    #    #    #    #####',
  M: '#   ### ### # ##   ##   ##   ##   #',
  N: '#   ###  ## # ##  ###   ##   ##   #',
  O: ' ### #   ##   ##   ##   ##   # ### ',
  P: '#### #   ##   ##### #    #    #    ',
  R: '#### #   ##   ##### # #  #  # #   #',
  T: '#####  #    #    #    #    #    #  ',
  U: '#   ##   ##   ##   ##   ##   # ### ',
  W: '#   ##   ##   ## # ## # ### ###   #',
  ':': '      ##   ##        ##   ##       ',
  '/': '    #    #   #   #   #   #    #    ',
  '-': '               #####               ',
  '.': '                          ##   ##  ',
  ' ': '                                   ',
};

export type Rgb = readonly [number, number, number];

export interface FrameOverlay {
  box: { x: number; y: number; width: number; height: number } | null;
  lines: { text: string; color: Rgb }[];
}

function setPixel(px: Uint8Array, width: number, height: number, x: number, y: number, c: Rgb) {
  if (x < 0 || y < 0 || x >= width || y >= height) return;
  const o = (y * width + x) * 3;
  px[o] = c[0];
  px[o + 1] = c[1];
  px[o + 2] = c[2];
}

/** Draws an axis-aligned rectangle outline `thickness` pixels wide. */
export function drawRect(
  px: Uint8Array,
  width: number,
  height: number,
  box: FrameOverlay['box'] & object,
  color: Rgb,
  thickness = 2,
): void {
  const x0 = Math.round(box.x);
  const y0 = Math.round(box.y);
  const x1 = Math.round(box.x + box.width);
  const y1 = Math.round(box.y + box.height);
  for (let t = 0; t < thickness; t++) {
    for (let x = x0; x <= x1; x++) {
      setPixel(px, width, height, x, y0 + t, color);
      setPixel(px, width, height, x, y1 - t, color);
    }
    for (let y = y0; y <= y1; y++) {
      setPixel(px, width, height, x0 + t, y, color);
      setPixel(px, width, height, x1 - t, y, color);
    }
  }
}

/** Draws text (upper-cased; unknown characters as blanks) at `scale` pixels per font dot. */
export function drawText(
  px: Uint8Array,
  width: number,
  height: number,
  text: string,
  x: number,
  y: number,
  color: Rgb,
  scale = 2,
): void {
  let cx = x;
  for (const ch of text.toUpperCase()) {
    const glyph = GLYPHS[ch] ?? GLYPHS[' '] ?? '';
    for (let row = 0; row < 7; row++)
      for (let col = 0; col < 5; col++)
        if (glyph[row * 5 + col] === '#')
          for (let dy = 0; dy < scale; dy++)
            for (let dx = 0; dx < scale; dx++)
              setPixel(px, width, height, cx + col * scale + dx, y + row * scale + dy, color);
    cx += 6 * scale;
  }
}

/** A copy of an RGB frame with the face box and the text lines drawn (top left, seed layout). */
export function annotateFrame(
  pixels: Uint8Array,
  width: number,
  height: number,
  overlay: FrameOverlay,
): Uint8Array {
  const out = Uint8Array.from(pixels);
  if (overlay.box !== null) drawRect(out, width, height, overlay.box, [0, 255, 0]);
  const scale = width >= 480 ? 3 : 2;
  overlay.lines.forEach((line, i) => {
    drawText(out, width, height, line.text, 10, 10 + i * 10 * scale, line.color, scale);
  });
  return out;
}
