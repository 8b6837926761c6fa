/**
 * German translations for bpmn-js, diagram-js, the BPMN properties panel and bpmnlint messages.
 *
 * bpmn-js routes every user-visible string through the `translate` service; this module
 * replaces it. Unknown strings fall through unchanged (English), so nothing breaks when a
 * library adds a label.
 */

const DE = {
  // palette, context pad, popup menu
  'Activate hand tool': 'Hand-Werkzeug (Verschieben der Ansicht)',
  'Activate lasso tool': 'Lasso-Werkzeug (Mehrfachauswahl)',
  'Activate create/remove space tool': 'Platz schaffen / entfernen',
  'Activate global connect tool': 'Verbindungswerkzeug',
  'Create start event': 'Startereignis anlegen',
  'Create end event': 'Endereignis anlegen',
  'Create intermediate/boundary event': 'Zwischen-/Randereignis anlegen',
  'Create task': 'Aufgabe anlegen',
  'Create gateway': 'Gateway anlegen',
  'Create expanded sub-process': 'Aufgeklappten Teilprozess anlegen',
  'Create pool/participant': 'Pool/Teilnehmer anlegen',
  'Create data object reference': 'Datenobjekt anlegen',
  'Create data store reference': 'Datenspeicher anlegen',
  'Create group': 'Gruppe anlegen',
  'Append task': 'Aufgabe anhängen',
  'Append end event': 'Endereignis anhängen',
  'Append gateway': 'Gateway anhängen',
  'Append intermediate/boundary event': 'Zwischenereignis anhängen',
  'Append receive task': 'Empfangsaufgabe anhängen',
  'Append message intermediate catch event': 'Nachrichten-Zwischenereignis anhängen',
  'Append timer intermediate catch event': 'Zeitgeber-Zwischenereignis anhängen',
  'Append conditional intermediate catch event': 'Bedingungs-Zwischenereignis anhängen',
  'Append signal intermediate catch event': 'Signal-Zwischenereignis anhängen',
  'Append compensation activity': 'Kompensationsaktivität anhängen',
  'Add text annotation': 'Textanmerkung hinzufügen',
  'Add lane above': 'Bahn oberhalb einfügen',
  'Add lane below': 'Bahn unterhalb einfügen',
  'Divide into two lanes': 'In zwei Bahnen teilen',
  'Divide into three lanes': 'In drei Bahnen teilen',
  'Change element': 'Elementtyp ändern',
  'Connect to other element': 'Mit anderem Element verbinden',
  'Connect using association': 'Per Assoziation verbinden',
  'Connect using data input association': 'Per Dateneingabe verbinden',
  'Delete': 'Löschen',
  'Align elements': 'Elemente ausrichten',
  'Distribute elements horizontally': 'Horizontal verteilen',
  'Distribute elements vertically': 'Vertikal verteilen',
  'Search in diagram': 'Im Diagramm suchen',
  'Open {element}': '{element} öffnen',
  'Toggle non-interrupting': 'Nicht unterbrechend umschalten',
  'Loop': 'Schleife',
  'Parallel multi-instance': 'Parallele Mehrfachinstanz',
  'Sequential multi-instance': 'Sequenzielle Mehrfachinstanz',
  'Collection': 'Sammlung',
  'Participant multiplicity': 'Teilnehmer-Mehrfachheit',

  // element names in the replace menu
  'Task': 'Aufgabe',
  'User task': 'Benutzeraufgabe',
  'Service task': 'Dienstaufgabe',
  'Script task': 'Skriptaufgabe',
  'Business rule task': 'Geschäftsregelaufgabe',
  'Manual task': 'Manuelle Aufgabe',
  'Send task': 'Sendeaufgabe',
  'Receive task': 'Empfangsaufgabe',
  'Call activity': 'Aufrufaktivität',
  'Sub-process (collapsed)': 'Teilprozess (zugeklappt)',
  'Sub-process (expanded)': 'Teilprozess (aufgeklappt)',
  'Event sub-process': 'Ereignis-Teilprozess',
  'Transaction': 'Transaktion',
  'Start event': 'Startereignis',
  'End event': 'Endereignis',
  'Intermediate throw event': 'Auslösendes Zwischenereignis',
  'Message start event': 'Nachrichten-Startereignis',
  'Timer start event': 'Zeitgeber-Startereignis',
  'Conditional start event': 'Bedingungs-Startereignis',
  'Signal start event': 'Signal-Startereignis',
  'Message end event': 'Nachrichten-Endereignis',
  'Error end event': 'Fehler-Endereignis',
  'Escalation end event': 'Eskalations-Endereignis',
  'Terminate end event': 'Terminierungs-Endereignis',
  'Signal end event': 'Signal-Endereignis',
  'Message intermediate catch event': 'Nachrichten-Zwischenereignis (empfangend)',
  'Message intermediate throw event': 'Nachrichten-Zwischenereignis (sendend)',
  'Timer intermediate catch event': 'Zeitgeber-Zwischenereignis',
  'Conditional intermediate catch event': 'Bedingungs-Zwischenereignis',
  'Signal intermediate catch event': 'Signal-Zwischenereignis (empfangend)',
  'Signal intermediate throw event': 'Signal-Zwischenereignis (sendend)',
  'Exclusive gateway': 'Exklusives Gateway',
  'Parallel gateway': 'Paralleles Gateway',
  'Inclusive gateway': 'Inklusives Gateway',
  'Event-based gateway': 'Ereignisbasiertes Gateway',
  'Complex gateway': 'Komplexes Gateway',


  // panel header type labels (concrete type split into words)
  'Process': 'Prozess',
  'Participant': 'Teilnehmer',
  'Lane': 'Bahn',
  'User Task': 'Benutzeraufgabe',
  'Service Task': 'Dienstaufgabe',
  'Script Task': 'Skriptaufgabe',
  'Business Rule Task': 'Geschäftsregelaufgabe',
  'Manual Task': 'Manuelle Aufgabe',
  'Send Task': 'Sendeaufgabe',
  'Receive Task': 'Empfangsaufgabe',
  'Call Activity': 'Aufrufaktivität',
  'Collapsed Sub Process': 'Teilprozess (zugeklappt)',
  'Expanded Sub Process': 'Teilprozess (aufgeklappt)',
  'Event Sub Process': 'Ereignis-Teilprozess',
  'Sequence Flow': 'Sequenzfluss',
  'Conditional Flow': 'Bedingter Sequenzfluss',
  'Default Flow': 'Standardfluss',
  'Message Flow': 'Nachrichtenfluss',
  'Association': 'Assoziation',
  'Text Annotation': 'Textanmerkung',
  'Group': 'Gruppe',
  'Data Object Reference': 'Datenobjekt',
  'Data Store Reference': 'Datenspeicher',
  'Exclusive Gateway': 'Exklusives Gateway',
  'Parallel Gateway': 'Paralleles Gateway',
  'Inclusive Gateway': 'Inklusives Gateway',
  'Event Based Gateway': 'Ereignisbasiertes Gateway',
  'Complex Gateway': 'Komplexes Gateway',
  'Start Event': 'Startereignis',
  'End Event': 'Endereignis',
  'Intermediate Throw Event': 'Zwischenereignis',
  'Message Start Event': 'Nachrichten-Startereignis',
  'Timer Start Event': 'Zeitgeber-Startereignis',
  'Signal Start Event': 'Signal-Startereignis',
  'Conditional Start Event': 'Bedingungs-Startereignis',
  'Message End Event': 'Nachrichten-Endereignis',
  'Error End Event': 'Fehler-Endereignis',
  'Escalation End Event': 'Eskalations-Endereignis',
  'Terminate End Event': 'Terminierungs-Endereignis',
  'Signal End Event': 'Signal-Endereignis',
  'Message Intermediate Catch Event': 'Nachrichten-Zwischenereignis (empfangend)',
  'Message Intermediate Throw Event': 'Nachrichten-Zwischenereignis (sendend)',
  'Timer Intermediate Catch Event': 'Zeitgeber-Zwischenereignis',
  'Signal Intermediate Catch Event': 'Signal-Zwischenereignis (empfangend)',
  'Signal Intermediate Throw Event': 'Signal-Zwischenereignis (sendend)',
  'Conditional Intermediate Catch Event': 'Bedingungs-Zwischenereignis',
  'Message Boundary Event': 'Nachrichten-Randereignis',
  'Timer Boundary Event': 'Zeitgeber-Randereignis',
  'Error Boundary Event': 'Fehler-Randereignis',
  'Signal Boundary Event': 'Signal-Randereignis',
  'Escalation Boundary Event': 'Eskalations-Randereignis',
  'Message Boundary Event (Non Interrupting)': 'Nachrichten-Randereignis (nicht unterbrechend)',
  'Timer Boundary Event (Non Interrupting)': 'Zeitgeber-Randereignis (nicht unterbrechend)',
  'Signal Boundary Event (Non Interrupting)': 'Signal-Randereignis (nicht unterbrechend)',
  'Escalation Boundary Event (Non Interrupting)': 'Eskalations-Randereignis (nicht unterbrechend)',

  // properties panel (standard BPMN groups)
  'General': 'Allgemein',
  'Name': 'Name',
  'ID': 'ID',
  'Process name': 'Prozessname',
  'Process ID': 'Prozess-ID',
  'Participant Name': 'Teilnehmername',
  'Executable': 'Ausführbar',
  'Documentation': 'Dokumentation',
  'Element documentation': 'Elementdokumentation',
  'Process documentation': 'Prozessdokumentation',
  'Timer': 'Zeitgeber',
  'Type': 'Art',
  'Value': 'Wert',
  'Date': 'Zeitpunkt',
  'Duration': 'Dauer',
  'Cycle': 'Zyklus',
  '<none>': '<keine>',
  'Create new ...': 'Neu anlegen …',
  'Message': 'Nachricht',
  'Global message reference': 'Nachricht',
  'Signal': 'Signal',
  'Global signal reference': 'Signal',
  'Error': 'Fehler',
  'Global error reference': 'Fehler',
  'Code': 'Code',
  'Escalation': 'Eskalation',
  'Global escalation reference': 'Eskalation',
  'Link': 'Link',
  'Compensation': 'Kompensation',
  'Wait for completion': 'Auf Abschluss warten',
  'Activity reference': 'Aktivitätsreferenz',
  'Multi-instance': 'Mehrfachinstanz',
  'Loop cardinality': 'Anzahl Durchläufe',
  'Completion condition': 'Abschlussbedingung',
  'Select an element to edit its properties.': 'Element auswählen, um seine Eigenschaften zu bearbeiten.',
  'Multiple elements are selected. Select a single element to edit its properties.':
    'Mehrere Elemente ausgewählt. Bitte genau ein Element auswählen.',
  'ID must not be empty.': 'Die ID darf nicht leer sein.',
  'ID must be unique.': 'Die ID muss eindeutig sein.',
  'ID must not contain spaces.': 'Die ID darf keine Leerzeichen enthalten.',
  'ID must not contain prefix.': 'Die ID darf kein Präfix enthalten.',
  'ID must be a valid QName.': 'Die ID muss ein gültiger QName sein.',
  'A time duration defined as ISO 8601 durations format.':
    'Dauer im ISO-8601-Format; Ausdrücke werden von der Prozess-Engine ausgewertet, Literale daher in Anführungszeichen, z. B. "P14D".',
  'A specific point in time defined as ISO 8601 combined date and time representation.':
    'Zeitpunkt im ISO-8601-Format mit Zeitzonen-Offset, in Anführungszeichen, z. B. "2026-01-31T12:00:00+01:00".',
  'A cycle defined as ISO 8601 repeating intervals format.':
    'Wiederholung im ISO-8601-Format, in Anführungszeichen, z. B. "R3/PT1H".',

  // @bpmn-io/properties-panel widgets
  '<empty>': '<leer>',
  'Create': 'Hinzufügen',
  'Create new list item': 'Neuen Eintrag hinzufügen',
  'Delete item': 'Eintrag löschen',
  'Toggle list item': 'Eintrag auf-/zuklappen',
  'Toggle section': 'Abschnitt auf-/zuklappen',
  'Section contains edits': 'Abschnitt enthält Angaben',
  'Section contains an error': 'Abschnitt enthält einen Fehler',
  'List contains {numOfItems} item': 'Liste enthält {numOfItems} Eintrag',
  'List contains {numOfItems} items': 'Liste enthält {numOfItems} Einträge',
  'JSON contains errors': 'JSON enthält Fehler',
  'Open documentation': 'Dokumentation öffnen',

  // bpmn-js-bpmnlint
  'Toggle linting overlays': 'Prüfhinweise ein-/ausblenden',
  '{errors} Errors, {warnings} Warnings': '{errors} Fehler, {warnings} Warnungen',
  'No Issues': 'Keine Befunde',
  'Issues for child elements': 'Befunde in enthaltenen Elementen',

  // bpmnlint:recommended messages
  'Element is not connected': 'Element ist nicht verbunden',
  'Element is missing label/name': 'Element hat keine Beschriftung',
  'Element is missing name': 'Element hat keinen Namen',
  'Element is an implicit start': 'Element ist ein impliziter Start (kein Startereignis davor)',
  'Element is an implicit end': 'Element ist ein implizites Ende (kein Endereignis danach)',
  'Flow splits implicitly': 'Fluss verzweigt implizit (Gateway verwenden)',
  'Incoming flows do not join': 'Eingehende Flüsse werden nicht zusammengeführt (Gateway verwenden)',
  'Gateway forks and joins': 'Gateway verzweigt und führt zugleich zusammen',
  'Gateway is superfluous. It only has one source and target.':
    'Gateway ist überflüssig: nur ein eingehender und ein ausgehender Fluss',
  'Sequence flow is missing condition': 'Sequenzfluss hat keine Bedingung',
  'Sequence flow has superfluous label': 'Sequenzfluss hat eine überflüssige Beschriftung',
  'Conditional event is missing a condition': 'Bedingungsereignis hat keine Bedingung',
  'Element is missing bpmndi': 'Element hat keine Diagramm-Information (BPMNDI)',
  'Element overlaps with other element': 'Element überlappt ein anderes Element',
  'Element is outside of parent boundary': 'Element liegt außerhalb seines Containers',
  'Element is unused': 'Element wird nicht verwendet',
  'Element name is not unique': 'Elementname ist nicht eindeutig',
  'Event has multiple event definitions': 'Ereignis hat mehrere Ereignisdefinitionen',
  'Start event must be blank': 'Startereignis muss leer sein',
  'Start event is missing event definition': 'Startereignis hat keine Ereignisdefinition',
  'Termination is superfluous.': 'Terminierung ist überflüssig.',
  'SequenceFlow is a duplicate': 'Sequenzfluss ist doppelt',
  'Duplicate outgoing sequence flows': 'Doppelte ausgehende Sequenzflüsse',
  'Duplicate incoming sequence flows': 'Doppelte eingehende Sequenzflüsse',
  'Link event is missing link name': 'Link-Ereignis hat keinen Link-Namen',
  'An <Event-based Gateway> must have at least 2 outgoing <Sequence Flows>':
    'Ein ereignisbasiertes Gateway braucht mindestens zwei ausgehende Sequenzflüsse',
  'A <Sequence Flow> outgoing from an <Event-based Gateway> must not be conditional':
    'Ein Sequenzfluss nach einem ereignisbasierten Gateway darf keine Bedingung haben'
};

const PATTERNS = [
  [ /^(.+) is missing start event$/, (m) => `${typeDe(m[1])} hat kein Startereignis` ],
  [ /^(.+) is missing end event$/, (m) => `${typeDe(m[1])} hat kein Endereignis` ],
  [ /^(.+) has multiple blank start events$/, (m) => `${typeDe(m[1])} hat mehrere leere Startereignisse` ],
  [ /^Element type <(.+)> is discouraged$/, (m) => `Elementtyp <${m[1]}> wird nicht empfohlen` ]
];

function typeDe(type) {
  return { Process: 'Prozess', 'Sub process': 'Teilprozess', 'Sub Process': 'Teilprozess' }[type] || type;
}

/** Translate `template`, replacing `{name}` placeholders from `replacements`. */
export function translateDe(template, replacements) {
  replacements = replacements || {};
  let text = DE[template];
  if (text === undefined) {
    const hit = PATTERNS.find(([ re ]) => re.test(template));
    text = hit ? hit[1](template.match(hit[0])) : template;
  }
  return text.replace(/{([^}]+)}/g, (_, key) => (key in replacements ? replacements[key] : `{${key}}`));
}

/** diagram-js module replacing the `translate` service. */
export const GermanTranslateModule = {
  translate: [ 'value', translateDe ]
};
