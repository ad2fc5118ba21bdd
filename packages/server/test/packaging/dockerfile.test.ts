import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { execForm, parseDockerfile, readImage, REPO } from '../../../../scripts/dockerfile.mjs';

/**
 * The Dockerfile read as Docker reads it (scripts/dockerfile.mjs): what CI cannot build without
 * a container engine is at least checked here, and scripts/check-docker-entry.mjs runs the same
 * CMD against PostgreSQL and Mosquitto.
 */
const image = readImage();

/** `npm start`'s command for the server (packages/server/package.json), from the repo root. */
function npmStartCommand(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(REPO, 'packages/server/package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  return pkg.scripts.start
    .split(/\s+/)
    .map((word) => (word.startsWith('scripts/') ? `packages/server/${word}` : word));
}

describe('Dockerfile', () => {
  it('builds in one stage and runs from another, on a pinned Node 20 base', () => {
    expect(image.stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    const runtime = image.stages[1];
    expect(
      runtime?.instructions.some(
        (i) => i.instruction === 'COPY' && i.args.includes('--from=build'),
      ),
    ).toBe(true);
    expect(runtime?.from).toMatch(/^node:\$\{NODE_VERSION\}-bookworm-slim$/);
    const arg = parseDockerfile(readFileSync(path.join(REPO, 'Dockerfile'), 'utf8')).find(
      (i) => i.instruction === 'ARG',
    );
    expect(arg?.args).toMatch(/^NODE_VERSION=20\.\d+/);
  });

  it('installs with npm ci and keeps only production dependencies', () => {
    const build = image.stages[0]?.instructions.map((i) => i.args).join('\n') ?? '';
    expect(build).toMatch(/npm ci\b/);
    expect(build).toMatch(/npm prune --omit=dev/);
    // The dashboard is built in (served by the server) and checked to exist.
    expect(build).toContain('packages/web/dist/index.html');
  });

  it('runs as a non-root user', () => {
    expect(image.user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(image.user);
  });

  it('checks its health on /ready with the configured port', () => {
    expect(image.healthcheck?.argv[0]).toBe('node');
    expect(image.healthcheck?.argv.join(' ')).toContain('/ready');
    expect(image.healthcheck?.argv.join(' ')).toContain('process.env.PORT');
    expect(image.healthcheck?.options['start-period']).toBeDefined();
  });

  it("runs exactly `npm start`'s command (which check-docker-entry.mjs runs in CI), in production", () => {
    expect(image.cmd).toEqual(npmStartCommand());
    expect(image.workdir).toBe('/app');
    expect(image.env).toMatchObject({ NODE_ENV: 'production', VIGIL_DATA_DIR: '/data' });
    expect(image.expose).toContain(image.env.PORT);
  });

  it('compose.yaml runs the image with PostgreSQL and Mosquitto through DATABASE_URL and MQTT_URL', () => {
    const compose = readFileSync(path.join(REPO, 'compose.yaml'), 'utf8');
    expect(compose).toMatch(/^ {2}vigil:\n {4}build: \.$/m);
    expect(compose).toMatch(
      /DATABASE_URL: postgres:\/\/vigil:\$\{POSTGRES_PASSWORD[^}]*\}@postgres:5432\/vigil/,
    );
    expect(compose).toMatch(/MQTT_URL: mqtt:\/\/vigil:\$\{MQTT_PASSWORD[^}]*\}@mosquitto:1883/);
    expect(compose).toMatch(/^ {2}postgres:\n {4}image: postgres:/m);
    expect(compose).toMatch(/^ {2}mosquitto:\n {4}image: eclipse-mosquitto:2/m);
  });

  it('refuses a shell-form CMD and a line continuation left open', () => {
    expect(() => readImageFrom('FROM node:20\nCMD node server.js\n')).toThrow(/exec form/);
    expect(() => parseDockerfile('FROM node:20\nRUN a \\')).toThrow(/continuation/);
  });
});

function readImageFrom(text: string) {
  const ins = parseDockerfile(text);
  const cmd = ins.find((i) => i.instruction === 'CMD');
  if (cmd === undefined) return undefined;
  return execForm(cmd.args, 'CMD');
}
