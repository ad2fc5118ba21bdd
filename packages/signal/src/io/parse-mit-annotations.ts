import { SignalInputError } from '../errors.js';
import { annotationSymbol } from './annotation-codes.js';
import type { Annotation } from './wfdb-types.js';

// Pseudo-annotation codes of the MIT format (WFDB annot(5)).
const SKIP = 59;
const NUM = 60;
const SUB = 61;
const CHN = 62;
const AUX = 63;

/**
 * Parses an MIT-format annotation file (`.atr`), per WFDB annot(5)
 * (https://physionet.org/physiotools/wag/annot-5.htm). Each 16-bit little-endian word holds a
 * 6-bit code A and a 10-bit value I. A = 59 (SKIP) is followed by a 32-bit interval stored as
 * two little-endian 16-bit halves, high half first (PDP-11 order); NUM, SUB, CHN set fields of
 * the annotation just read; AUX (I = byte count) is followed by the text, padded to an even
 * length. As in WFDB's `getann`, `num` and `chan` persist from one annotation to the next while
 * `subtype` and `aux` do not. The word 0 ends the file.
 */
export function parseMitAnnotations(bytes: Uint8Array): Annotation[] {
  if (!(bytes instanceof Uint8Array)) {
    throw new SignalInputError('INVALID_ARGUMENT', 'bytes', 'expected a Uint8Array');
  }
  const out: Annotation[] = [];
  const n = bytes.length;
  let time = 0;
  let num = 0;
  let chan = 0;
  let current: Annotation | null = null;
  let pos = 0;
  const word = (at: number): number => (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8);
  while (pos + 1 < n) {
    const w = word(pos);
    pos += 2;
    if (w === 0) break;
    const a = w >> 10;
    const i = w & 0x3ff;
    switch (a) {
      case SKIP: {
        if (pos + 4 > n) throw truncated(pos);
        const hi = word(pos);
        const lo = word(pos + 2);
        pos += 4;
        // Signed 32-bit interval (WFDB allows negative skips).
        time += (hi << 16) | lo | 0;
        break;
      }
      case NUM:
        num = (i << 22) >> 22; // 10-bit two's complement, as WFDB stores it
        if (current !== null) current.num = num;
        break;
      case SUB:
        if (current !== null) current.subtype = i;
        break;
      case CHN:
        chan = i;
        if (current !== null) current.chan = chan;
        break;
      case AUX: {
        if (pos + i > n) throw truncated(pos);
        let text = '';
        for (let k = 0; k < i; k++) {
          const c = bytes[pos + k] ?? 0;
          if (c === 0) break;
          text += String.fromCharCode(c);
        }
        pos += i + (i & 1);
        if (current !== null) current.aux = text;
        break;
      }
      default: {
        time += i;
        current = {
          sample: time,
          symbol: annotationSymbol(a),
          code: a,
          subtype: 0,
          chan,
          num,
          aux: '',
        };
        out.push(current);
      }
    }
  }
  // WFDB writers may store the time resolution as a code-0 note at sample 0 ("## time
  // resolution: ..."); getann hides it, and so do we.
  return out.filter((ann) => !(ann.code === 0 && ann.aux.startsWith('## ')));
}

function truncated(at: number): SignalInputError {
  return new SignalInputError('INVALID_ANNOTATIONS', 'bytes', `annotation file ends at byte ${at}`);
}
