// Build the browser bundles into ../web/static/dist (run via `npm run build`; no network access).
//
//   modeler.js/.css   viewer.js/.css   dmn.js/.css   assets/* (fonts)   vendor/axe.min.js
//   manifest.json     sizes + SRI hashes (sha384) per file
//   licenses.txt      licences of every npm package that ends up in a bundle
//
// Output is deterministic: same package-lock + sources => byte-identical files.
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(here, process.env.AMTSKOFFER_DIST || '../web/static/dist');
const pkg = JSON.parse(fs.readFileSync(path.join(here, 'package.json'), 'utf8'));
const started = performance.now();

/** esbuild plugin: `import config from '.bpmnlintrc'` => bpmnlint rules bundled for the browser. */
const bpmnlintPlugin = {
  name: 'bpmnlintrc',
  setup(build) {
    build.onResolve({ filter: /\.bpmnlintrc$/ }, (args) => ({
      path: path.resolve(args.resolveDir, args.path),
      namespace: 'bpmnlintrc'
    }));
    build.onLoad({ filter: /.*/, namespace: 'bpmnlintrc' }, async (args) => {
      const compileConfig = require('bpmnlint/lib/support/compile-config');
      const config = JSON.parse(fs.readFileSync(args.path, 'utf8'));
      return { contents: await compileConfig(config), loader: 'js', resolveDir: here, watchFiles: [ args.path ] };
    });
  }
};

fs.rmSync(outdir, { recursive: true, force: true });
fs.mkdirSync(path.join(outdir, 'vendor'), { recursive: true });

const esbuildStarted = performance.now();
const result = await esbuild.build({
  absWorkingDir: here,
  entryPoints: {
    modeler: 'src/modeler/index.js',
    viewer: 'src/viewer/index.js',
    dmn: 'src/dmn/index.js'
  },
  outdir,
  entryNames: '[name]',
  assetNames: 'assets/[name]-[hash]',
  bundle: true,
  format: 'iife',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none', // licences go to licenses.txt (below)
  target: [ 'chrome109', 'firefox115', 'safari16', 'edge109' ],
  charset: 'utf8',
  metafile: true,
  logLevel: 'warning',
  define: {
    'process.env.NODE_ENV': '"production"',
    __AMTSKOFFER_VERSION__: JSON.stringify(pkg.version)
  },
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file' },
  plugins: [ bpmnlintPlugin ]
});

const esbuildSeconds = (performance.now() - esbuildStarted) / 1000;

// axe-core for the Playwright accessibility tests (injected by the tests, not loaded by pages)
fs.copyFileSync(require.resolve('axe-core/axe.min.js'), path.join(outdir, 'vendor', 'axe.min.js'));

// licences of bundled packages
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (!m || packages.has(m[1])) continue;
  const dir = path.join(here, 'node_modules', m[1]);
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const licenseFile = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
  packages.set(m[1], {
    version: meta.version,
    license: meta.license || '',
    text: licenseFile ? fs.readFileSync(path.join(dir, licenseFile), 'utf8').trim() : ''
  });
}
const licenseText = [ ...packages.entries() ].sort(([ a ], [ b ]) => a.localeCompare(b))
  .map(([ name, p ]) => `${name}@${p.version} (${p.license})\n\n${p.text || '(no licence file shipped)'}\n`)
  .join('\n' + '-'.repeat(72) + '\n\n');
fs.writeFileSync(path.join(outdir, 'licenses.txt'),
  'Third-party software bundled in modeler.js, viewer.js and dmn.js (axe-core: see vendor/axe.min.js header).\n' +
  'bpmn-js / dmn-js licence: the bpmn.io watermark must stay visible.\n\n' + licenseText);

// manifest with sizes and SRI hashes
const manifest = {};
const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
  d.isDirectory() ? walk(path.join(dir, d.name)) : [ path.join(dir, d.name) ]);
for (const file of walk(outdir).sort()) {
  const rel = path.relative(outdir, file).split(path.sep).join('/');
  if (rel.endsWith('.map') || rel === 'manifest.json') continue;
  const data = fs.readFileSync(file);
  manifest[rel] = {
    bytes: data.length,
    gzip: gzipSync(data, { level: 9 }).length,
    integrity: 'sha384-' + createHash('sha384').update(data).digest('base64')
  };
}
fs.writeFileSync(path.join(outdir, 'manifest.json'), JSON.stringify({ version: pkg.version, files: manifest }, null, 2) + '\n');

const kb = (n) => (n / 1024).toFixed(1).padStart(8) + ' KB';
const rows = Object.entries(manifest).filter(([ f ]) => /\.(js|css)$/.test(f));
console.log(`amtskoffer-frontend ${pkg.version} -> ${path.relative(process.cwd(), outdir) || '.'}`);
for (const [ file, m ] of rows) console.log(`  ${file.padEnd(22)} ${kb(m.bytes)} raw ${kb(m.gzip)} gzip`);
console.log(`  (+ ${Object.keys(manifest).length - rows.length} other files: fonts, licenses.txt)  built in ${((performance.now() - started) / 1000).toFixed(2)} s (esbuild ${esbuildSeconds.toFixed(2)} s)`);
