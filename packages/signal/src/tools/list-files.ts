import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Every file below `dir` (recursively), as paths, in sorted order: the tools' data walk. */
export function listFiles(dir: string): string[] {
  const root = resolve(dir);
  return readdirSync(root)
    .sort()
    .flatMap((name) => {
      const path = join(root, name);
      return statSync(path).isDirectory() ? listFiles(path) : [path];
    });
}
