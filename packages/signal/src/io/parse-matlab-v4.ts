import { SignalInputError } from '../errors.js';

/** One numeric matrix of a MATLAB Level 4 MAT-file. */
export interface MatlabV4Matrix {
  name: string;
  rows: number;
  cols: number;
  /** Real part, column-major (element (r, c) at `c * rows + r`), as stored. */
  data: Float64Array;
}

const PRECISIONS: Record<
  number,
  { bytes: number; read: (v: DataView, o: number, le: boolean) => number }
> = {
  0: { bytes: 8, read: (v, o, le) => v.getFloat64(o, le) },
  1: { bytes: 4, read: (v, o, le) => v.getFloat32(o, le) },
  2: { bytes: 4, read: (v, o, le) => v.getInt32(o, le) },
  3: { bytes: 2, read: (v, o, le) => v.getInt16(o, le) },
  4: { bytes: 2, read: (v, o, le) => v.getUint16(o, le) },
  5: { bytes: 1, read: (v, o) => v.getUint8(o) },
};

function invalid(message: string): SignalInputError {
  return new SignalInputError('UNSUPPORTED_FORMAT', 'bytes', message);
}

/**
 * Parses the first matrix of a MATLAB Level 4 MAT-file (the format of the PhysioNet/CinC
 * Challenge `.mat` files: one int16 matrix `val`, leads × samples). Layout per the MATLAB
 * "MAT-File Format" manual (MathWorks, 2019, ch. 1 "Level 4 MAT-files"): five int32 header words
 * (type MOPT, rows, cols, imaginary flag, name length), the name with its NUL, then the real part
 * column by column. M (0 little-endian, 1 big-endian) is read from the type word itself, as
 * MATLAB does; only full numeric matrices (T = 0) are accepted.
 */
export function parseMatlabV4(bytes: Uint8Array): MatlabV4Matrix {
  if (!(bytes instanceof Uint8Array) || bytes.length < 20) {
    throw invalid('a MATLAB v4 file needs at least its 20-byte header');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // A little-endian type word is < 10000; read big-endian when it is not.
  const le = view.getInt32(0, true) >= 0 && view.getInt32(0, true) < 5000;
  const type = view.getInt32(0, le);
  const m = Math.floor(type / 1000);
  const o = Math.floor(type / 100) % 10;
  const p = Math.floor(type / 10) % 10;
  const t = type % 10;
  if ((m !== 0 && m !== 1) || o !== 0 || t !== 0) {
    throw invalid(
      `not a full numeric MATLAB v4 matrix (type word ${type}); MATLAB v5+ files are not supported`,
    );
  }
  const precision = PRECISIONS[p];
  if (precision === undefined) throw invalid(`unknown MATLAB v4 precision ${p}`);
  const rows = view.getInt32(4, le);
  const cols = view.getInt32(8, le);
  const nameLength = view.getInt32(16, le);
  if (rows < 0 || cols < 0 || nameLength < 1 || 20 + nameLength > bytes.length) {
    throw invalid(
      `invalid MATLAB v4 header (rows ${rows}, cols ${cols}, name length ${nameLength})`,
    );
  }
  const name = new TextDecoder().decode(bytes.subarray(20, 20 + nameLength - 1));
  const start = 20 + nameLength;
  const count = rows * cols;
  if (start + count * precision.bytes > bytes.length) {
    throw new SignalInputError(
      'TRUNCATED_DATA',
      'bytes',
      `matrix ${name} needs ${count * precision.bytes} bytes after its header, the file has ${bytes.length - start}`,
    );
  }
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = precision.read(view, start + i * precision.bytes, le);
  return { name, rows, cols, data };
}
