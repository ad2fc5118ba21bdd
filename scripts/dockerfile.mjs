// A small reader of this repository's Dockerfile (instructions, line continuations, comments;
// the subset the file uses), shared by scripts/check-docker-entry.mjs, which runs the image's
// CMD and HEALTHCHECK outside a container, and by packages/server/test/packaging/dockerfile.test.ts,
// which checks the file (non-root user, health check on /ready, CMD = `npm start`'s command).
// Reference: https://docs.docker.com/reference/dockerfile/
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const DOCKERFILE = path.join(REPO, 'Dockerfile');

/** Instructions in order: `{ instruction, args, line }` (continuations joined, comments dropped). */
export function parseDockerfile(text) {
  const out = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (pending === '' && (line.trim() === '' || line.trim().startsWith('#'))) return;
    if (pending !== '' && line.trim().startsWith('#')) return;
    if (pending === '') startLine = i + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const full = (pending + line).trim();
    pending = '';
    const m = /^(\w+)\s+([\s\S]*)$/.exec(full);
    if (m === null) throw new Error(`Dockerfile line ${startLine}: cannot read "${full}"`);
    out.push({ instruction: m[1].toUpperCase(), args: m[2].trim(), line: startLine });
  });
  if (pending !== '') throw new Error('Dockerfile ends inside a line continuation');
  return out;
}

/** The instructions of each build stage (`FROM … AS name`), in order. */
export function stages(instructions) {
  const result = [];
  for (const ins of instructions) {
    if (ins.instruction === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      result.push({ from: m?.[1] ?? ins.args, name: m?.[2], instructions: [] });
    } else if (result.length > 0) result.at(-1).instructions.push(ins);
  }
  return result;
}

/** An exec-form argument list (`["node", "x"]`); shell form is refused (signals, PID 1). */
export function execForm(args, what) {
  let argv;
  try {
    argv = JSON.parse(args);
  } catch {
    throw new Error(`${what} must be in exec form (a JSON array), got: ${args}`);
  }
  if (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== 'string'))
    throw new Error(`${what} must be a non-empty JSON array of strings, got: ${args}`);
  return argv;
}

/** `KEY=value` pairs of ENV instructions (values without spaces or in double quotes). */
function envPairs(args) {
  const env = {};
  for (const m of args.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g))
    env[m[1]] = m[2].startsWith('"') ? JSON.parse(m[2]) : m[2];
  return env;
}

/**
 * What the final image runs: its CMD (exec form), HEALTHCHECK command and options, ENV,
 * WORKDIR, USER, EXPOSEd ports, and the stages.
 */
export function readImage(file = DOCKERFILE) {
  const all = parseDockerfile(readFileSync(file, 'utf8'));
  const stageList = stages(all);
  const final = stageList.at(-1);
  if (final === undefined) throw new Error('the Dockerfile has no FROM');
  const last = (name) => final.instructions.filter((i) => i.instruction === name).at(-1);
  const env = {};
  for (const ins of final.instructions.filter((i) => i.instruction === 'ENV'))
    Object.assign(env, envPairs(ins.args));
  const health = last('HEALTHCHECK');
  let healthcheck;
  if (health !== undefined) {
    const m = /^((?:--\S+\s+)*)CMD\s+([\s\S]+)$/.exec(health.args);
    if (m === null) throw new Error(`HEALTHCHECK without CMD: ${health.args}`);
    healthcheck = {
      options: Object.fromEntries([...m[1].matchAll(/--([\w-]+)=(\S+)/g)].map((o) => [o[1], o[2]])),
      argv: execForm(m[2], 'HEALTHCHECK CMD'),
    };
  }
  const cmd = last('CMD');
  return {
    stages: stageList,
    cmd: cmd === undefined ? undefined : execForm(cmd.args, 'CMD'),
    healthcheck,
    env,
    workdir: last('WORKDIR')?.args,
    user: last('USER')?.args,
    expose: final.instructions
      .filter((i) => i.instruction === 'EXPOSE')
      .flatMap((i) => i.args.split(/\s+/)),
  };
}
