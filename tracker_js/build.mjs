// Build the tracker: src/index.js -> <out>/t.js (IIFE, minified, ES2017, no source map).
// Output is deterministic, so tests can rebuild into a temp dir and compare with the committed
// dist/t.js. The out dir is the first argument, or FOOTFALL_TRACKER_OUT, or dist/.
// Prints raw and gzip -9 sizes, and fails when the gzipped file is over the budget.
import { build } from 'esbuild';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(process.argv[2] || process.env.FOOTFALL_TRACKER_OUT || join(here, 'dist'));
const BUDGET_GZIP_BYTES = 1536; // see ARCHITECTURE.md, "Size budget"

mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, 't.js');
await build({
  entryPoints: [join(here, 'src', 'index.js')],
  outfile,
  bundle: true,
  format: 'iife',
  minify: true,
  target: 'es2017',
  platform: 'browser',
  sourcemap: false,
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'warning',
});

const code = readFileSync(outfile);
const gzipped = gzipSync(code, { level: 9 }).length;
console.log(`${outfile}: ${code.length} bytes, ${gzipped} bytes gzip -9 (budget ${BUDGET_GZIP_BYTES})`);
if (gzipped > BUDGET_GZIP_BYTES) {
  console.error(`t.js is over its size budget by ${gzipped - BUDGET_GZIP_BYTES} bytes`);
  process.exit(1);
}
