#!/usr/bin/env node
// Lint BPMN files with bpmnlint and frontend/.bpmnlintrc (bpmnlint:recommended).
//
//   npm --prefix frontend run lint:bpmn -- processes/bpmn            (from the repo root)
//   node frontend/bin/lint-bpmn.mjs processes/bpmn/a.bpmn b.bpmn     (same, without npm)
//
// Arguments are files or directories (searched recursively for *.bpmn), resolved against the
// directory the command was started from (npm sets INIT_CWD). Other arguments starting with
// "-" are passed to bpmnlint (e.g. --max-warnings=0). Exit code: 0 clean, 1 problems, 2 usage error.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const cwd = process.env.INIT_CWD || process.cwd();
const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('-'));
const targets = args.filter((a) => !a.startsWith('-'));

if (!targets.length) {
  console.error('usage: lint-bpmn <file.bpmn|dir>... [--max-warnings=N]');
  process.exit(2);
}

const files = [];
const collect = (p) => {
  const stat = fs.statSync(p, { throwIfNoEntry: false });
  if (!stat) {
    console.error(`lint-bpmn: not found: ${p}`);
    process.exit(2);
  }
  if (stat.isDirectory()) {
    fs.readdirSync(p).sort().forEach((name) => {
      const child = path.join(p, name);
      if (fs.statSync(child).isDirectory() || name.endsWith('.bpmn')) collect(child);
    });
  } else {
    files.push(p);
  }
};
targets.forEach((t) => collect(path.resolve(cwd, t)));
if (!files.length) {
  console.log('lint-bpmn: no .bpmn files found');
  process.exit(0);
}

const cli = path.join(path.dirname(require.resolve('bpmnlint/package.json')), 'bin', 'bpmnlint.js');
const result = spawnSync(process.execPath, [ cli, '-c', path.join(here, '.bpmnlintrc'), ...flags, ...files ], {
  cwd: here,
  stdio: 'inherit'
});
process.exit(result.status === null ? 2 : result.status);
