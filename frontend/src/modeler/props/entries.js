/**
 * Generic, stable entry components for the properties panel.
 *
 * The panel re-renders groups after every command; entry components must therefore be
 * module-level functions (a new function per render would remount the input and drop focus).
 * What an entry reads and writes is passed in as props (`get`, `set`).
 */
import { createElement as h } from '@bpmn-io/properties-panel/preact';
import {
  CheckboxEntry,
  SelectEntry,
  TextAreaEntry,
  TextFieldEntry,
  isCheckboxEntryEdited,
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';

function AkText(props) {
  const { element, id, label, description, get, set, placeholder, validate, target } = props;
  const debounce = useService('debounceInput');
  const injector = useService('injector');
  return h(TextFieldEntry, {
    element: target || element,
    id,
    label,
    description,
    placeholder,
    validate,
    debounce,
    getValue: () => get(element) || '',
    setValue: (value) => set(injector, element, value)
  });
}

function AkTextArea(props) {
  const { element, id, label, description, get, set, rows, monospace, placeholder, target } = props;
  const debounce = useService('debounceInput');
  const injector = useService('injector');
  return h(TextAreaEntry, {
    element: target || element,
    id,
    label,
    description,
    placeholder,
    rows: rows || 4,
    monospace: !!monospace,
    autoResize: true,
    debounce,
    getValue: () => get(element) || '',
    setValue: (value) => set(injector, element, value)
  });
}

function AkSelect(props) {
  const { element, id, label, description, get, set, options, validate } = props;
  const injector = useService('injector');
  return h(SelectEntry, {
    element,
    id,
    label,
    description: typeof description === 'function' ? description(element) : description,
    validate,
    getValue: () => get(element) || '',
    setValue: (value) => set(injector, element, value),
    getOptions: () => options(element)
  });
}

function AkCheckbox(props) {
  const { element, id, label, description, get, set } = props;
  const injector = useService('injector');
  return h(CheckboxEntry, {
    element,
    id,
    label,
    description,
    getValue: () => !!get(element),
    setValue: (value) => set(injector, element, value)
  });
}

/** Entry descriptors: `{id, label, get(element), set(injector, element, value), ...}`. */
export const textEntry = (props) => ({ component: AkText, isEdited: isTextFieldEntryEdited, ...props });
export const textAreaEntry = (props) => ({ component: AkTextArea, isEdited: isTextAreaEntryEdited, ...props });
export const selectEntry = (props) => ({ component: AkSelect, isEdited: isSelectEntryEdited, ...props });
export const checkboxEntry = (props) => ({ component: AkCheckbox, isEdited: isCheckboxEntryEdited, ...props });

/**
 * Options for a select: a "<keine>" entry, the known values, and the current value if it is
 * not among them (so an unknown reference is visible instead of silently shown as empty).
 */
export function withCurrent(known, current, noneLabel = '<keine>') {
  const options = [ { value: '', label: noneLabel }, ...known ];
  if (current && !known.some((o) => o.value === current)) {
    options.push({ value: current, label: `${current} (nicht in der Liste)` });
  }
  return options;
}

/** Python identifier check used for variable names. */
export function validateIdentifier(value) {
  if (value && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
    return 'Nur Buchstaben (ohne Umlaute), Ziffern und _; nicht mit einer Ziffer beginnen.';
  }
}
