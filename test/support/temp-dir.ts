import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary directory with helpers to write files into it and remove it. */
export interface TempDir {
  path: string;
  write(name: string, text: string): string;
  remove(): void;
}

/** Creates a temporary directory under the OS temp dir. */
export function createTempDir(prefix = 'grey-obs-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    write(name, text) {
      const file = join(path, name);
      writeFileSync(file, text);
      return file;
    },
    remove() {
      rmSync(path, { recursive: true, force: true });
    },
  };
}
