// `@vigil/signal/eval`: evaluation helpers (ANSI/AAMI EC57 beat-by-beat comparison), kept out of
// the core so a user of the analysers does not import the evaluation tooling.
export { ec57Compare } from './ec57-compare.js';
export type { Ec57Options, Ec57Result } from './ec57-compare.js';
export { ec57Gross } from './ec57-gross.js';
export type { Ec57Gross } from './ec57-gross.js';
export { ec57Reference } from './ec57-reference.js';
export type { Ec57Annotation, Ec57Reference } from './ec57-reference.js';
