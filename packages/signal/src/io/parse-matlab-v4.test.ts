import { describe, expect, it } from 'vitest';
import { SignalInputError } from '../errors.js';
import { parseMatlabV4 } from './parse-matlab-v4.js';

/** A MAT v4 file of one int16 (P = 3) or double (P = 0) matrix, column-major. */
function matFile(
  rows: number,
  cols: number,
  values: number[],
  options: { bigEndian?: boolean; double?: boolean } = {},
): Uint8Array {
  const { bigEndian = false, double = false } = options;
  const name = 'val\0';
  const size = double ? 8 : 2;
  const bytes = new Uint8Array(20 + name.length + values.length * size);
  const view = new DataView(bytes.buffer);
  const le = !bigEndian;
  view.setInt32(0, (bigEndian ? 1000 : 0) + (double ? 0 : 30), le);
  view.setInt32(4, rows, le);
  view.setInt32(8, cols, le);
  view.setInt32(12, 0, le);
  view.setInt32(16, name.length, le);
  bytes.set(new TextEncoder().encode(name), 20);
  values.forEach((v, i) => {
    if (double) view.setFloat64(24 + i * 8, v, le);
    else view.setInt16(24 + i * 2, v, le);
  });
  return bytes;
}

describe('parseMatlabV4', () => {
  it('reads an int16 matrix column-major with its name and shape', () => {
    const m = parseMatlabV4(matFile(2, 3, [1, -2, 3, -4, 32767, -32768]));
    expect(m).toMatchObject({ name: 'val', rows: 2, cols: 3 });
    expect(Array.from(m.data)).toEqual([1, -2, 3, -4, 32767, -32768]);
  });

  it('reads big-endian files and double precision', () => {
    expect(Array.from(parseMatlabV4(matFile(1, 2, [300, -5], { bigEndian: true })).data)).toEqual([
      300, -5,
    ]);
    expect(Array.from(parseMatlabV4(matFile(1, 2, [0.25, -1.5], { double: true })).data)).toEqual([
      0.25, -1.5,
    ]);
  });

  it('rejects truncated data and non-v4 files with typed errors', () => {
    const full = matFile(2, 2, [1, 2, 3, 4]);
    expect(() => parseMatlabV4(full.subarray(0, full.length - 1))).toThrow(SignalInputError);
    const v5 = new TextEncoder().encode('MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: ...');
    expect(() => parseMatlabV4(v5)).toThrow(/MATLAB v4|not a full numeric/);
    expect(() => parseMatlabV4(new Uint8Array(4))).toThrow(SignalInputError);
  });
});
