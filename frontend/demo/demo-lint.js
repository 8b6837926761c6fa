// Programmatic API (no autoInit): explicit canvas, panel and problem list containers.
(async () => {
  const modeler = window.Amtskoffer.createModeler({
    container: '#canvas',
    propertiesPanel: '#panel',
    problemsList: '#problems',
    operations: [ { id: 'melderegister/suche', description_de: 'Sucht im Melderegister.',
      params: [ { name: 'familienname', type: 'str', required: true }, { name: 'geburtsdatum', type: 'date', required: true } ] } ],
    forms: [ 'abmeldung-schema.json' ]
  });
  window.demoModeler = modeler;
  const xml = await (await fetch('fixtures/broken.bpmn')).text();
  await modeler.importXML(xml);
  modeler.showProblems([
    // the engine's Problem dataclass as JSON: user_message (German) is shown, code/file/line as source
    { element_id: 'Task_Pruefen', severity: 'error', code: 'script-error', file: 'abmeldung.bpmn', line: 12,
      message: "NameError: name 'antrag' is not defined",
      user_message: 'Skriptfehler im Vorab-Skript, Zeile 1: „antrag“ ist nicht definiert.' },
    { elementId: 'Flow_2', severity: 'warning', message: 'Bedingung wird nie ausgewertet.' },
    { elementId: null, severity: 'info', message: 'Prozess wurde zuletzt am 24.11. veröffentlicht.' }
  ]);
  document.body.dataset.ready = 'true';
})();
