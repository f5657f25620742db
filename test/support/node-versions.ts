import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The supported Node.js lines and where the repo keeps each binary. */
export const SUPPORTED_NODE_MAJORS = [22, 24] as const;

/**
 * The Node binary of `major` that the repo brings: Node 24 from the `node` devDependency, Node 22
 * from `scripts/ensure-node.sh 22` (run by `npm test`'s pretest). Throws with the fix when missing.
 */
export function nodeBinary(major: (typeof SUPPORTED_NODE_MAJORS)[number]): string {
  const path =
    major === 24 ? `${ROOT}node_modules/node/bin/node` : `${ROOT}.tools/node${major}/node_modules/node/bin/node`;
  if (!existsSync(path)) {
    throw new Error(`Node ${major} is missing at ${path}: run npm install, then bash scripts/ensure-node.sh ${major}`);
  }
  return path;
}

/** The repository root (where package.json is). */
export const REPO_ROOT = ROOT;
