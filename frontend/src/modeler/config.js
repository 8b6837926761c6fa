/**
 * Normalised page configuration (operations, forms, decisions, messages) shared by the
 * properties provider and the configuration checks. Registered as the `amtskofferConfig` service;
 * `setConfig` mutates it in place so all consumers see the update.
 */

function asArray(value) {
  return Array.isArray(value) ? value : [];
}

/**
 * Operation registry entries: `{id, description_de, params: [{name, type, required, description_de}]}`,
 * optionally `title_de`, `result_de` and per parameter `choices` (allowed literal values).
 */
function normaliseOperations(list) {
  return asArray(list)
    .filter((op) => op && op.id)
    .map((op) => ({
      id: String(op.id),
      title_de: op.title_de || '',
      description_de: op.description_de || '',
      result_de: op.result_de || '',
      params: asArray(op.params).filter((p) => p && p.name).map((p) => ({
        name: String(p.name),
        type: p.type ? String(p.type) : 'any',
        required: p.required === undefined ? false : !!p.required,
        description_de: p.description_de || '',
        choices: asArray(p.choices).map(String)
      }))
    }));
}

/**
 * Form files: strings or `{name, title?, kind?}` with kind "schema" | "uischema".
 * Without `kind`, names containing "uischema" / "ui-schema" / "_ui." count as UI schemas.
 */
function normaliseForms(list) {
  return asArray(list)
    .map((f) => (typeof f === 'string' ? { name: f } : f))
    .filter((f) => f && f.name)
    .map((f) => ({
      name: String(f.name),
      title: f.title || f.title_de || '',
      kind: f.kind === 'uischema' || f.kind === 'schema'
        ? f.kind
        : (/ui-?schema|[_-]ui\./i.test(f.name) ? 'uischema' : 'schema')
    }));
}

/** Decisions: strings or `{id, name?}`. */
function normaliseDecisions(list) {
  return asArray(list)
    .map((d) => (typeof d === 'string' ? { id: d } : d))
    .filter((d) => d && d.id)
    .map((d) => ({ id: String(d.id), name: d.name || d.name_de || '' }));
}

/** Messages: strings or `{name, description_de?}`. */
function normaliseMessages(list) {
  return asArray(list)
    .map((m) => (typeof m === 'string' ? { name: m } : m))
    .filter((m) => m && m.name)
    .map((m) => ({ name: String(m.name), description_de: m.description_de || '' }));
}

export function normaliseConfig(options = {}) {
  return {
    operations: normaliseOperations(options.operations),
    forms: normaliseForms(options.forms),
    decisions: normaliseDecisions(options.decisions),
    messages: normaliseMessages(options.messages),
    checks: options.checks !== false
  };
}

export function updateConfig(target, options) {
  const next = normaliseConfig({ ...target, ...options });
  Object.assign(target, next);
  return target;
}

export function findOperation(config, id) {
  return config.operations.find((op) => op.id === id);
}
