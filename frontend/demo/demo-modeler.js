// Demo page script (external file: works under a CSP without 'unsafe-inline').
document.getElementById('designer').addEventListener('amtskoffer:ready', (event) => {
  const { instance, error, warnings } = event.detail;
  const status = document.getElementById('status');
  if (error) { status.textContent = 'Fehler beim Laden'; return; }
  status.textContent = warnings.length ? `${warnings.length} Import-Warnungen` : 'Geladen';
  instance.on('change', ({ dirty }) => { status.textContent = dirty ? 'Ungespeicherte Änderungen' : 'Gespeichert'; });
});
