/**
 * The `window.Amtskoffer` namespace shared by all bundles, and `autoInit` for CSP-friendly pages.
 *
 * Each bundle (modeler.js, viewer.js, dmn.js) adds its factories and registers the "kinds" it can
 * build from markup. Pages need no inline script:
 *
 *   <div data-amtskoffer="modeler" data-config="designer-config" ...></div>
 *   <script type="application/json" id="designer-config">{"operations": [...], "xml": "..."}</script>
 *   <script src="/static/dist/modeler.js"></script>
 *
 * autoInit runs once the DOM is parsed; every element gets `amtskoffer:ready` (bubbling
 * CustomEvent, detail {kind, instance, warnings, error}) after its first import.
 */

const READY_EVENT = 'amtskoffer:ready';

function ns() {
  const root = window.Amtskoffer = window.Amtskoffer || {};
  root._kinds = root._kinds || {};
  root.instances = root.instances || {};
  root._pending = root._pending || new Map();
  return root;
}

/** Resolve a selector or element; throws a readable error for a missing target. */
export function resolveElement(target, what = 'container') {
  if (!target) return null;
  if (typeof target === 'string') {
    const found = document.querySelector(target);
    if (!found) throw new Error(`Amtskoffer: ${what} "${target}" nicht gefunden`);
    return found;
  }
  return target;
}

/** Parse the JSON in `<script type="application/json" id=ID>`; `{}` for a missing id. */
export function readJsonBlock(id) {
  if (!id) return {};
  const node = document.getElementById(id.replace(/^#/, ''));
  if (!node) throw new Error(`Amtskoffer: JSON-Block "${id}" nicht gefunden`);
  const text = (node.textContent || '').trim();
  return text ? JSON.parse(text) : {};
}

/**
 * The XML to show for a markup-configured element, in this order:
 *   config.xml, data-xml-url (fetched, same origin), data-xml-input (its current value), none.
 */
export async function initialXml(el, config) {
  if (typeof config.xml === 'string' && config.xml) return config.xml;
  const url = el.dataset.xmlUrl || config.xmlUrl;
  if (url) {
    const res = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/xml, text/xml, */*' } });
    if (!res.ok) throw new Error(`Diagramm konnte nicht geladen werden (HTTP ${res.status})`);
    return res.text();
  }
  const input = el.dataset.xmlInput ? document.querySelector(el.dataset.xmlInput) : null;
  if (input && input.value && input.value.trim()) return input.value;
  return null;
}

/** Config object for a markup-configured element: `data-config` JSON block plus data attributes. */
export function readConfig(el) {
  return readJsonBlock(el.dataset.config);
}

/**
 * Make an editor safe to place inside a <form>: library buttons without a type attribute would
 * submit the form, and Enter in a text input would trigger implicit submission.
 */
export function guardFormEmbedding(root) {
  if (!root || root._akGuarded) return;
  root._akGuarded = true;
  root.addEventListener('click', (event) => {
    const button = event.target.closest && event.target.closest('button');
    if (button && root.contains(button) && !button.hasAttribute('type')) button.type = 'button';
  }, true);
  root.addEventListener('keydown', (event) => {
    const t = event.target;
    if (event.key === 'Enter' && t.form && t.tagName === 'INPUT' && ![ 'submit', 'button', 'image' ].includes(t.type)) {
      event.preventDefault();
    }
  });
}

/** Show a German error message inside `el` (used when an import fails). */
export function showError(el, message) {
  const box = document.createElement('div');
  box.className = 'ak-error-box';
  box.setAttribute('role', 'alert');
  box.textContent = message;
  el.appendChild(box);
}

/** Register this bundle's API and kinds; schedules autoInit. */
export function register(api, kinds) {
  const root = ns();
  Object.assign(root, api);
  Object.assign(root._kinds, kinds);
  root.autoInit = autoInit;
  root.whenReady = whenReady;
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', () => autoInit(), { once: true });
  } else {
    // bundle loaded late (async/dynamic): initialise in the next task so the page can add listeners first
    setTimeout(() => autoInit(), 0);
  }
  return root;
}

/**
 * Initialise every `[data-amtskoffer]` element below `root` whose kind a loaded bundle provides
 * and that is not initialised yet. Returns a promise for the list of new instances.
 */
export function autoInit(root = document) {
  const space = ns();
  const nodes = Array.from(root.querySelectorAll('[data-amtskoffer]'));
  const jobs = nodes
    .filter((el) => !el._amtskoffer && space._kinds[el.dataset.amtskoffer])
    .map((el) => {
      const kind = el.dataset.amtskoffer;
      el._amtskoffer = { kind, pending: true };
      let instance = null;
      const done = Promise.resolve()
        .then(() => space._kinds[kind](el))
        .then(({ instance: inst, warnings }) => {
          instance = inst;
          return { kind, instance, warnings: warnings || [], error: null };
        })
        .catch((error) => {
          console.error('[amtskoffer]', error); // eslint-disable-line no-console
          showError(el, String(error && error.message || error));
          return { kind, instance, warnings: [], error };
        })
        .then((detail) => {
          el._amtskoffer = { kind, instance: detail.instance };
          el.amtskoffer = detail.instance;
          if (el.id && detail.instance) space.instances[el.id] = detail.instance;
          const waiting = space._pending.get(el);
          if (waiting) { waiting.forEach((fn) => fn(detail.instance)); space._pending.delete(el); }
          el.dispatchEvent(new CustomEvent(READY_EVENT, { bubbles: true, detail }));
          return detail.instance;
        });
      return done;
    });
  return Promise.all(jobs);
}

/** Promise for the instance of a markup-configured element (element, selector or id). */
export function whenReady(target) {
  const space = ns();
  const el = typeof target === 'string'
    ? (document.getElementById(target.replace(/^#/, '')) || document.querySelector(target))
    : target;
  if (!el) return Promise.reject(new Error(`Amtskoffer: Element "${target}" nicht gefunden`));
  if (el._amtskoffer && !el._amtskoffer.pending) return Promise.resolve(el._amtskoffer.instance);
  return new Promise((resolve) => {
    if (!space._pending.has(el)) space._pending.set(el, []);
    space._pending.get(el).push(resolve);
  });
}
