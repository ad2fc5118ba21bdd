import { readFile } from 'node:fs/promises';
import { decodeJpeg, type DecodedImage } from './decode-jpeg.js';

/**
 * The public-domain face photograph of the synthetic rPPG videos (assets/face-eileen-collins.jpg,
 * see assets/NOTICE), decoded to RGB.
 */
export async function loadSynthFace(): Promise<DecodedImage> {
  const url = new URL('../../assets/face-eileen-collins.jpg', import.meta.url);
  return decodeJpeg(await readFile(url));
}
