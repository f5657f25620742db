// Regenerates monitoring/ (dashboards, rules, example configs) from the built package: `npm run monitoring`.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeArtifacts } from '../dist/src/operator-kit/artifacts.js';
import { monitoringArtifacts } from '../dist/src/operator-kit/built-dashboards.js';

const root = fileURLToPath(new URL('../monitoring/', import.meta.url));
rmSync(root, { recursive: true, force: true });
for (const path of writeArtifacts(root, monitoringArtifacts())) console.log(`wrote ${path}`);
