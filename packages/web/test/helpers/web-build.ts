import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** True when dist/index.html is newer than every file under src/ and index.html. */
export function isBuildFresh(webDir: string): boolean {
  const built = join(webDir, 'dist', 'index.html');
  if (!existsSync(built)) return false;
  const builtAt = statSync(built).mtimeMs;
  const newest = (path: string): number => {
    const st = statSync(path);
    if (!st.isDirectory()) return st.mtimeMs;
    return Math.max(st.mtimeMs, ...readdirSync(path).map((f) => newest(join(path, f))));
  };
  return newest(join(webDir, 'src')) < builtAt && newest(join(webDir, 'index.html')) < builtAt;
}

/** Builds the dashboard (packages/web/dist) when it is missing or older than its sources. */
export function ensureWebBuild(webDir: string): void {
  if (!isBuildFresh(webDir))
    execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: webDir, stdio: 'inherit' });
}
