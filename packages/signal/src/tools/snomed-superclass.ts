import type { Ecg12Class } from '../ecg12/ecg12-types.js';

/**
 * SNOMED-CT codes of the PhysioNet/CinC Challenge 2021 headers (`# Dx:`) mapped to the PTB-XL
 * diagnostic superclasses, following PTB-XL's own `scp_statements.csv` (the SCP statement with
 * the same meaning and its `diagnostic_class`). Names are those of the Challenge's
 * `dx_mapping_scored.csv` / `dx_mapping_unscored.csv`. Rhythm and ectopy codes (sinus rhythm,
 * brady/tachycardia, premature beats, AF) have no diagnostic class in PTB-XL and are listed as
 * null: a record whose codes all map to null or NORM is NORM.
 */
export const SNOMED_SUPERCLASS: Readonly<
  Record<string, { name: string; superclass: Exclude<Ecg12Class, 'NORM'> | null }>
> = {
  // Conduction disturbances (PTB-XL CD: CRBBB, IRBBB, CLBBB, ILBBB, IVCD, 1AVB, LAFB, LPFB, WPW, ...)
  '59118001': { name: 'right bundle branch block', superclass: 'CD' },
  '713427006': { name: 'complete right bundle branch block', superclass: 'CD' },
  '713426002': { name: 'incomplete right bundle branch block', superclass: 'CD' },
  '164909002': { name: 'left bundle branch block', superclass: 'CD' },
  '733534002': { name: 'complete left bundle branch block', superclass: 'CD' },
  '251120003': { name: 'incomplete left bundle branch block', superclass: 'CD' },
  '698252002': { name: 'nonspecific intraventricular conduction disorder', superclass: 'CD' },
  '270492004': { name: 'first degree AV block', superclass: 'CD' },
  '195042002': { name: 'second degree AV block', superclass: 'CD' },
  '27885002': { name: 'complete heart block', superclass: 'CD' },
  '445118002': { name: 'left anterior fascicular block', superclass: 'CD' },
  '445211001': { name: 'left posterior fascicular block', superclass: 'CD' },
  '74390002': { name: 'Wolff-Parkinson-White pattern', superclass: 'CD' },
  '6374002': { name: 'bundle branch block', superclass: 'CD' },
  // Hypertrophy (PTB-XL HYP: LVH, RVH, LAO/LAE, RAO/RAE, SEHYP)
  '164873001': { name: 'left ventricular hypertrophy', superclass: 'HYP' },
  '55827005': { name: 'left ventricular high voltage', superclass: 'HYP' },
  '89792004': { name: 'right ventricular hypertrophy', superclass: 'HYP' },
  '67741000119109': { name: 'left atrial enlargement', superclass: 'HYP' },
  '253352002': { name: 'left atrial abnormality', superclass: 'HYP' },
  '446813000': { name: 'left atrial hypertrophy', superclass: 'HYP' },
  '446358003': { name: 'right atrial hypertrophy', superclass: 'HYP' },
  '253339007': { name: 'right atrial abnormality', superclass: 'HYP' },
  // ST/T changes (PTB-XL STTC: NDT, NST_, ISC_, ISCAL, ISCAN, ..., STD_, STE_, LNGQT, INVT, LOWT)
  '164934002': { name: 'T wave abnormal', superclass: 'STTC' },
  '59931005': { name: 'T wave inversion', superclass: 'STTC' },
  '55930002': { name: 'ST changes', superclass: 'STTC' },
  '428750005': { name: 'nonspecific ST-T abnormality', superclass: 'STTC' },
  '429622005': { name: 'ST depression', superclass: 'STTC' },
  '164930006': { name: 'ST elevation', superclass: 'STTC' },
  '111975006': { name: 'prolonged QT interval', superclass: 'STTC' },
  '426434006': { name: 'anterior ischaemia', superclass: 'STTC' },
  '425623009': { name: 'lateral ischaemia', superclass: 'STTC' },
  '164861001': { name: 'myocardial ischemia', superclass: 'STTC' },
  '251268003': { name: 'low T voltage', superclass: 'STTC' },
  // Myocardial infarction (PTB-XL MI: IMI, AMI, ASMI, ALMI, ILMI, LMI, PMI, IPMI, IPLMI, INJ*)
  '164865005': { name: 'myocardial infarction', superclass: 'MI' },
  '57054005': { name: 'acute myocardial infarction', superclass: 'MI' },
  '413444003': { name: 'acute myocardial ischemia', superclass: 'MI' },
  '426627000': { name: 'old myocardial infarction', superclass: 'MI' },
  '54329005': { name: 'anterior myocardial infarction', superclass: 'MI' },
  // No diagnostic class (rhythm, ectopy, other)
  '426783006': { name: 'sinus rhythm', superclass: null },
  '426177001': { name: 'sinus bradycardia', superclass: null },
  '427084000': { name: 'sinus tachycardia', superclass: null },
  '427393009': { name: 'sinus arrhythmia', superclass: null },
  '284470004': { name: 'premature atrial contraction', superclass: null },
  '427172004': { name: 'premature ventricular contractions', superclass: null },
  '251170000': { name: 'blocked premature atrial contraction', superclass: null },
  '251187003': { name: 'atrial escape beat', superclass: null },
  '713422000': { name: 'atrial tachycardia', superclass: null },
  '164889003': { name: 'atrial fibrillation', superclass: null },
  '164890007': { name: 'atrial flutter', superclass: null },
  '365413008': { name: 'poor R wave progression', superclass: null },
  '39732003': { name: 'left axis deviation', superclass: null },
  '47665007': { name: 'right axis deviation', superclass: null },
};

/** The superclasses of a record's SNOMED-CT codes (NORM when none applies); throws on an unmapped code. */
export function snomedSuperclasses(codes: readonly string[]): Set<Ecg12Class> {
  const out = new Set<Ecg12Class>();
  for (const code of codes) {
    const entry = SNOMED_SUPERCLASS[code];
    if (entry === undefined) throw new Error(`SNOMED-CT code ${code} is not in SNOMED_SUPERCLASS`);
    if (entry.superclass !== null) out.add(entry.superclass);
  }
  if (out.size === 0) out.add('NORM');
  return out;
}
