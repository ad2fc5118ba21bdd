// The share of a Vigil server's CPU spent in given source modules, from the V8 CPU profiles
// `BENCH_CPU_PROF=dir npm run bench:ingest` writes (main thread and analysis workers): a sample
// counts when its stack reaches code of those modules (found in the esbuild bundle by its
// `// path/to/module.ts` markers) before any Fastify dispatcher frame (work Fastify runs from
// inside a hook is the next hook's, not the caller's). A share of the server's own samples holds
// on a machine whose load moves the throughput figures by a factor of two (the audit measurement had the
// audit trail's cost this way).
//
//   node bench/ingest/profile-share.mjs PROFILE_DIR packages/server/dist/bench/vigil-server.mjs \
//     src/services/audit.service.ts src/transports/http/plugins/audit.plugin.ts ...
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
const [profDir, bundle, ...modules] = process.argv.slice(2);
const lines = readFileSync(bundle, 'utf8').split('\n');
const marks = [];
lines.forEach((l, i) => {
  const m = /^\/\/ (\S+\.(?:ts|js|mjs|cjs))$/.exec(l);
  if (m) marks.push({ file: m[1], line: i });
});
const ranges = [];
marks.forEach((m, k) => {
  if (modules.some((x) => m.file.endsWith(x)))
    ranges.push([m.line, (marks[k + 1]?.line ?? lines.length) - 1, m.file]);
});
console.log('modules found:', ranges.map((r) => `${r[2]} (${r[0]}-${r[1]})`).join(', '));
let allBusy = 0;
let allAudit = 0;
for (const f of readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'))) {
  const p = JSON.parse(readFileSync(path.join(profDir, f), 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inAudit = new Map();
  const isAudit = (id) => {
    if (inAudit.has(id)) return inAudit.get(id);
    const n = byId.get(id);
    const cf = n.callFrame;
    let hit =
      cf.url.endsWith(path.basename(bundle)) &&
      ranges.some(([a, b]) => cf.lineNumber >= a && cf.lineNumber <= b);
    // Work Fastify dispatches (the next hook, called from inside ours) is not ours.
    const dispatcher = cf.url.includes('/node_modules/fastify/');
    if (!hit && !dispatcher && parent.has(id)) hit = isAudit(parent.get(id));
    inAudit.set(id, hit);
    return hit;
  };
  let total = 0,
    idle = 0,
    audit = 0;
  const dt = p.timeDeltas;
  p.samples.forEach((id, i) => {
    const d = dt[i] ?? 0;
    const name = byId.get(id).callFrame.functionName;
    if (name === '(idle)') {
      idle += d;
      return;
    }
    total += d;
    if (isAudit(id)) audit += d;
  });
  allBusy += total;
  allAudit += audit;
  console.log(
    `${f}: busy ${(total / 1000).toFixed(0)} ms, in audit code ${(audit / 1000).toFixed(1)} ms = ${((100 * audit) / total).toFixed(2)} %`,
  );
}
console.log(
  `all threads: busy ${(allBusy / 1000).toFixed(0)} ms, in those modules ${(allAudit / 1000).toFixed(1)} ms = ${((100 * allAudit) / allBusy).toFixed(2)} %`,
);
// Breakdown: the innermost audit function on each audit sample's stack.
{
  // The first profile is the main thread's (the workers' are numbered after it).
  const f = readdirSync(profDir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()[0];
  const p = JSON.parse(readFileSync(path.join(profDir, f), 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const own = (n) =>
    n.callFrame.url.endsWith(path.basename(bundle)) &&
    ranges.some(([a, b]) => n.callFrame.lineNumber >= a && n.callFrame.lineNumber <= b);
  const by = new Map();
  p.samples.forEach((id, i) => {
    let cur = id;
    while (cur !== undefined) {
      const n = byId.get(cur);
      if (n.callFrame.url.includes('/node_modules/fastify/')) return;
      if (own(n)) {
        const k = `${n.callFrame.functionName || '(anon)'}:${n.callFrame.lineNumber}`;
        by.set(k, (by.get(k) ?? 0) + (p.timeDeltas[i] ?? 0));
        return;
      }
      cur = parent.get(cur);
    }
  });
  console.log(
    [...by]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} ms`)
      .join('\n'),
  );
}
