// Build the tracker (IIFEs, minified, ES2017, no source map), one file per entry point:
//   src/index.js        -> <out>/t.js          the snippet sites embed: everything but the chunks
//   src/clicks.js       -> <out>/t-clicks.js   heatmap clicks, loaded by t.js after the page's load event
//   src/surveys.js      -> <out>/t-surveys.js  the survey checker, loaded by t.js after the load event
//   src/survey/index.js -> <out>/survey.js     the survey widget, loaded by the checker when needed
//   src/overlay.js      -> <out>/overlay.js    the heatmap overlay, loaded by the checker on #ff-overlay=
// (see ARCHITECTURE.md, "The chunks"). Output is deterministic, so tests can rebuild into a temp
// dir and compare with the committed dist/. The out dir is the first argument, or
// FOOTFALL_TRACKER_OUT, or dist/. Prints raw and gzip -9 sizes, and fails when a gzipped file is
// over its budget.
import { build } from 'esbuild';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(process.argv[2] || process.env.FOOTFALL_TRACKER_OUT || join(here, 'dist'));
const BUDGET_GZIP_BYTES = 1536; // t.js; see ARCHITECTURE.md, "Size budget"
const CLICKS_BUDGET_GZIP_BYTES = 768; // t-clicks.js, the heatmap chunk
const SURVEYS_BUDGET_GZIP_BYTES = 512; // t-surveys.js, the survey checker
const WIDGET_BUDGET_GZIP_BYTES = 4096; // survey.js, the survey widget
const OVERLAY_BUDGET_GZIP_BYTES = 2048; // overlay.js, the live-page heatmap overlay
const BUILDS = [
  { name: 't.js', entry: 'index.js', budget: BUDGET_GZIP_BYTES },
  { name: 't-clicks.js', entry: 'clicks.js', budget: CLICKS_BUDGET_GZIP_BYTES },
  { name: 't-surveys.js', entry: 'surveys.js', budget: SURVEYS_BUDGET_GZIP_BYTES },
  { name: 'survey.js', entry: 'survey/index.js', budget: WIDGET_BUDGET_GZIP_BYTES },
  // An ES module, for import.meta.url (the server it came from); still one IIFE inside, so it
  // adds no name even to the module scope. ES2020: only site owners' browsers load it.
  { name: 'overlay.js', entry: 'overlay.js', budget: OVERLAY_BUDGET_GZIP_BYTES, format: 'esm', target: 'es2020' },
];

mkdirSync(outDir, { recursive: true });
let over = false;
for (const { name, entry, budget, format = 'iife', target = 'es2017' } of BUILDS) {
  const outfile = join(outDir, name);
  await build({
    entryPoints: [join(here, 'src', entry)],
    outfile,
    bundle: true,
    format,
    minify: true,
    target,
    platform: 'browser',
    sourcemap: false,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'warning',
  });
  const code = readFileSync(outfile);
  const gzipped = gzipSync(code, { level: 9 }).length;
  console.log(`${outfile}: ${code.length} bytes, ${gzipped} bytes gzip -9 (budget ${budget})`);
  if (gzipped > budget) {
    console.error(`${name} is over its size budget by ${gzipped - budget} bytes`);
    over = true;
  }
}
if (over) process.exit(1);
