import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Ecg12Class } from '../ecg12/ecg12-types.js';
import { parseCsv } from './parse-csv.js';

/** One record of the PTB-XL index with its superclass labels. */
export interface PtbxlEntry {
  ecgId: number;
  age: number | null;
  sex: 'male' | 'female' | null;
  /** Recommended stratified fold 1–10 (train 1–8, validation 9, test 10). */
  fold: number;
  /** Path of the 500 Hz record without extension, relative to the PTB-XL folder. */
  filenameHr: string;
  /** Diagnostic superclasses of its SCP codes (`scp_statements.csv` diagnostic_class). */
  classes: Set<Ecg12Class>;
  /** Every SCP-ECG statement code of `scp_codes` (diagnostic, form and rhythm), as written. */
  codes: string[];
}

const SUPERCLASSES = new Set<string>(['NORM', 'MI', 'STTC', 'CD', 'HYP']);

function columns(header: string[], names: string[], file: string): number[] {
  return names.map((name) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${file} has no column ${name}`);
    return i;
  });
}

/**
 * Reads the PTB-XL index (Wagner et al., Sci Data 2020;7:154; PhysioNet ptb-xl 1.0.x layout):
 * `ptbxl_database.csv` (ecg_id, age, sex 0 = male / 1 = female, scp_codes as a Python dict
 * literal, strat_fold, filename_hr) and `scp_statements.csv` (the statement code in the first
 * column, diagnostic = 1 and diagnostic_class). Labels follow PTB-XL's own example code: every
 * diagnostic statement of `scp_codes`, whatever its likelihood, gives its diagnostic_class.
 */
export async function readPtbxl(dir: string): Promise<PtbxlEntry[]> {
  const statements = parseCsv(await readFile(join(dir, 'scp_statements.csv'), 'utf8'));
  const sHeader = statements[0] ?? [];
  const [diagnostic, diagnosticClass] = columns(
    sHeader,
    ['diagnostic', 'diagnostic_class'],
    'scp_statements.csv',
  );
  const classOf = new Map<string, Ecg12Class>();
  for (const row of statements.slice(1)) {
    const cls = row[diagnosticClass ?? 0] ?? '';
    if (Number(row[diagnostic ?? 0]) === 1 && SUPERCLASSES.has(cls))
      classOf.set(row[0] ?? '', cls as Ecg12Class);
  }
  const database = parseCsv(await readFile(join(dir, 'ptbxl_database.csv'), 'utf8'));
  const header = database[0] ?? [];
  const [id, age, sex, scp, fold, hr] = columns(
    header,
    ['ecg_id', 'age', 'sex', 'scp_codes', 'strat_fold', 'filename_hr'],
    'ptbxl_database.csv',
  );
  return database.slice(1).map((row) => {
    const classes = new Set<Ecg12Class>();
    const codes: string[] = [];
    for (const match of (row[scp ?? 0] ?? '').matchAll(/'([^']+)'\s*:/g)) {
      codes.push(match[1] ?? '');
      const cls = classOf.get(match[1] ?? '');
      if (cls !== undefined) classes.add(cls);
    }
    const a = Number(row[age ?? 0]);
    const s = row[sex ?? 0];
    return {
      ecgId: Number(row[id ?? 0]),
      age: row[age ?? 0] !== '' && Number.isFinite(a) && a < 130 ? a : null,
      sex: s === '0' || s === '0.0' ? 'male' : s === '1' || s === '1.0' ? 'female' : null,
      fold: Number(row[fold ?? 0]),
      filenameHr: row[hr ?? 0] ?? '',
      classes,
      codes,
    };
  });
}
