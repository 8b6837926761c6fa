#!/usr/bin/env node
// Add diagram interchange (BPMN DI: shapes, edges, lanes) to BPMN files that have none.
//
//   node frontend/bin/layout-bpmn.mjs processes/bpmn/reisepass/reisepass.bpmn     (rewrites the file)
//   node frontend/bin/layout-bpmn.mjs --out=laid-out.bpmn semantic.bpmn            (writes elsewhere)
//   node frontend/bin/layout-bpmn.mjs --force FILE                                 (replace existing DI)
//
// The flow layout comes from bpmn-auto-layout (bpmn-io). That library lays out the process of
// the first participant only and ignores pools and lanes, so this script adds them afterwards:
// every node is moved into the horizontal band of its lane (keeping its column), the pool and
// lane shapes are drawn around the bands, and flows between nodes that moved by different
// amounts are re-routed orthogonally. A file that already has DI is left alone unless --force
// is given, so hand-made layout is never overwritten by accident.
// Exit code: 0 done, 1 a file could not be laid out, 2 usage error.
import fs from 'node:fs';
import path from 'node:path';
import { layoutProcess } from 'bpmn-auto-layout';
import { BpmnModdle } from 'bpmn-moddle';

const args = process.argv.slice(2);
const force = args.includes('--force');
const outArg = args.find((a) => a.startsWith('--out='));
const files = args.filter((a) => !a.startsWith('--'));
if (!files.length || (outArg && files.length !== 1)) {
  console.error('usage: layout-bpmn [--force] [--out=FILE] <file.bpmn>...');
  process.exit(2);
}

const LANE_LABEL = 30; // width of the vertical name band of pools and lanes
const LANE_PAD = 25; // space above and below the nodes of a lane
const ROW = 130; // height of one row of nodes inside a lane
const MARGIN = 40; // space between the leftmost/rightmost node and the pool border

const cwd = process.env.INIT_CWD || process.cwd();
let failed = false;
for (const file of files) {
  const source = path.resolve(cwd, file);
  const target = outArg ? path.resolve(cwd, outArg.slice('--out='.length)) : source;
  try {
    const xml = fs.readFileSync(source, 'utf8');
    if (xml.includes('BPMNDiagram') && !force) {
      console.log(`${file}: has DI already (use --force to replace it)`);
      continue;
    }
    const laidOut = await layout(stripDi(xml));
    fs.writeFileSync(target, laidOut);
    console.log(`${file}: laid out${target !== source ? ` -> ${path.relative(cwd, target)}` : ''}`);
  } catch (err) {
    failed = true;
    console.error(`${file}: ${err.message}`);
  }
}
process.exit(failed ? 1 : 0);

function stripDi(xml) {
  return xml.replace(/\s*<bpmndi:BPMNDiagram[\s\S]*<\/bpmndi:BPMNDiagram>/, '');
}

async function layout(xml) {
  const auto = await layoutProcess(xml);
  const moddle = new BpmnModdle();
  const { rootElement: defs } = await moddle.fromXML(auto);
  const collaboration = defs.rootElements.find((e) => e.$type === 'bpmn:Collaboration');
  const participant = collaboration && (collaboration.participants || [])[0];
  const process_ = participant ? participant.processRef : defs.rootElements.find((e) => e.$type === 'bpmn:Process');
  const lanes = (process_.laneSets || []).flatMap((ls) => ls.lanes || []);
  if (!participant) {
    if (lanes.length) throw new Error('lanes need a collaboration with a participant for this process');
    return (await moddle.toXML(defs, { format: true })).xml;
  }
  const diagram = defs.diagrams[0];
  const plane = diagram.plane;
  const shapes = new Map();
  const edges = [];
  for (const el of plane.planeElement) {
    if (el.$type === 'bpmndi:BPMNShape') shapes.set(el.bpmnElement.id, el);
    else if (el.$type === 'bpmndi:BPMNEdge') edges.push(el);
  }
  const laneOf = new Map();
  lanes.forEach((lane, i) => (lane.flowNodeRef || []).forEach((node) => laneOf.set(node.id, i)));
  const nodes = (process_.flowElements || []).filter((e) => shapes.has(e.id) && e.$type !== 'bpmn:BoundaryEvent');
  const rowOf = (shape) => Math.round((shape.bounds.y + shape.bounds.height / 2) / ROW);

  // Rows each lane uses (in the order auto-layout gave them), then the top of each lane.
  const laneRows = (lanes.length ? lanes : [null]).map(() => []);
  for (const node of nodes) {
    const rows = laneRows[laneOf.get(node.id) ?? 0];
    const row = rowOf(shapes.get(node.id));
    if (!rows.includes(row)) rows.push(row);
  }
  laneRows.forEach((rows) => rows.sort((a, b) => a - b));
  const laneTop = [];
  let y = 0;
  laneRows.forEach((rows, i) => {
    laneTop[i] = y;
    y += Math.max(rows.length, 1) * ROW + 2 * LANE_PAD;
  });
  const poolHeight = y;

  // Move every node (and its boundary events and label) into its lane band.
  const dy = new Map();
  for (const node of nodes) {
    const shape = shapes.get(node.id);
    const lane = laneOf.get(node.id) ?? 0;
    const centre = laneTop[lane] + LANE_PAD + laneRows[lane].indexOf(rowOf(shape)) * ROW + ROW / 2;
    const delta = centre - (shape.bounds.y + shape.bounds.height / 2);
    dy.set(node.id, delta);
    move(shape, delta);
  }
  for (const el of process_.flowElements || []) {
    if (el.$type === 'bpmn:BoundaryEvent' && shapes.has(el.id)) {
      const delta = dy.get(el.attachedToRef.id) || 0;
      dy.set(el.id, delta);
      move(shapes.get(el.id), delta);
    }
  }
  for (const edge of edges) {
    const flow = edge.bpmnElement;
    const from = dy.get(flow.sourceRef.id) || 0;
    const to = dy.get(flow.targetRef.id) || 0;
    if (from === to) {
      edge.waypoint.forEach((p) => (p.y += from));
    } else {
      edge.waypoint = route(moddle, shapes.get(flow.sourceRef.id).bounds, shapes.get(flow.targetRef.id).bounds);
    }
    if (edge.label && edge.label.bounds) edge.label.bounds.y += (from + to) / 2;
  }

  // Pool and lanes around everything.
  const all = [...shapes.values()].map((s) => s.bounds);
  const minX = Math.min(...all.map((b) => b.x)) - MARGIN - 2 * LANE_LABEL;
  const maxX = Math.max(...all.map((b) => b.x + b.width)) + MARGIN;
  const shift = minX < 0 ? -minX : 0;
  if (shift) {
    shapes.forEach((s) => {
      s.bounds.x += shift;
      if (s.label && s.label.bounds) s.label.bounds.x += shift;
    });
    edges.forEach((e) => {
      e.waypoint.forEach((p) => (p.x += shift));
      if (e.label && e.label.bounds) e.label.bounds.x += shift;
    });
  }
  const x0 = minX + shift;
  const width = maxX - minX;
  const poolShape = moddle.create('bpmndi:BPMNShape', {
    id: `${participant.id}_di`,
    bpmnElement: participant,
    isHorizontal: true,
    bounds: moddle.create('dc:Bounds', { x: x0, y: 0, width, height: poolHeight })
  });
  const laneShapes = lanes.map((lane, i) => moddle.create('bpmndi:BPMNShape', {
    id: `${lane.id}_di`,
    bpmnElement: lane,
    isHorizontal: true,
    bounds: moddle.create('dc:Bounds', {
      x: x0 + LANE_LABEL, y: laneTop[i], width: width - LANE_LABEL,
      height: (laneTop[i + 1] ?? poolHeight) - laneTop[i]
    })
  }));
  plane.bpmnElement = collaboration;
  plane.planeElement = [poolShape, ...laneShapes, ...plane.planeElement];
  diagram.id = `BPMNDiagram_${collaboration.id}`;
  plane.id = `BPMNPlane_${collaboration.id}`;
  return (await moddle.toXML(defs, { format: true })).xml;
}

function move(shape, delta) {
  shape.bounds.y += delta;
  if (shape.label && shape.label.bounds) shape.label.bounds.y += delta;
}

// Orthogonal route from the right side of `a` to the left side of `b`; backwards flows go
// around below both shapes so that they do not cross the nodes in between.
function route(moddle, a, b) {
  const p = (x, y) => moddle.create('dc:Point', { x: Math.round(x), y: Math.round(y) });
  const ay = a.y + a.height / 2;
  const by = b.y + b.height / 2;
  if (b.x >= a.x + a.width) {
    const mid = a.x + a.width + Math.max((b.x - a.x - a.width) / 2, 10);
    return [ p(a.x + a.width, ay), p(mid, ay), p(mid, by), p(b.x, by) ];
  }
  const below = Math.max(a.y + a.height, b.y + b.height) + 30;
  return [ p(a.x + a.width / 2, a.y + a.height), p(a.x + a.width / 2, below), p(b.x + b.width / 2, below),
    p(b.x + b.width / 2, b.y + b.height) ];
}
