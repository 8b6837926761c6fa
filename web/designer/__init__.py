"""The designer's workspace (``/designer``, role designer): drafts, editors, tests, sandbox, versions.

Pages (every one works without JavaScript except the graphical editors, whose files can also be
edited as text):

- ``/designer/``: published services, open drafts, a new service, import of a zip or a
  spiff-arena model folder (:mod:`web.designer.drafts`).
- ``/designer/drafts/<id>``: one draft: its files, the validation of the last save (catalog
  check + bpmnlint) by file, tests, sandbox, publishing with a change note, discarding, export.
- editors (:mod:`web.designer.editors`): the BPMN modeler (bpmn-js + our properties panel; the
  problems of the last save sit on the diagram elements), the DMN table editor (dmn-js), the
  JSON-Schema form editor with a preview rendered by the clerk's own template
  (``_form.html`` + :func:`engine.forms.build_view`), and a text editor for every other file.
- ``/designer/drafts/<id>/sandbox``: step through the draft as a clerk (:mod:`web.designer.sandbox`).
- ``/designer/services/<id>``: published versions, the visual diff of a version to the one before,
  zip and spiff-arena export (:mod:`web.designer.versions`).

All engine work goes through :class:`engine.designer.service.DesignerService`, one per app
(``app.extensions["amtskoffer.designer"]``, created when the blueprint is registered; tests may
replace it). Every save names the draft revision it edited; a save over someone else's is refused
(409) and the typed text is shown again.

Its pages may use inline *styles* (bpmn-js watermark; see frontend/README.md): the CSP of this
blueprint allows ``style-src 'unsafe-inline'``, never inline script. Designer requests may be
larger than the app's default limits (a diagram is posted as one form field, zips are uploaded):
up to :data:`MAX_REQUEST_BYTES` per request and :data:`MAX_FIELD_BYTES` per form field, set before
the CSRF check parses the form.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app, request
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _

from engine.designer.drafts import DraftView
from engine.designer.service import DesignerService
from engine.errors import NotFound
from web.context import actor
from web.security import require_roles

bp = Blueprint("designer", __name__, url_prefix="/designer")
require_roles(bp, "designer")

MAX_REQUEST_BYTES = 25 * 1024 * 1024
"""A whole package (20 MB, engine.designer.archive) plus form overhead."""
MAX_FIELD_BYTES = 6 * 1024 * 1024
"""One file posted as a text field (5 MB per file, engine.designer.archive)."""


def _larger_limits_for_designers() -> None:
    if request.path.startswith(bp.url_prefix or "/designer"):
        request.max_content_length = MAX_REQUEST_BYTES
        request.max_form_memory_size = MAX_FIELD_BYTES


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    app = state.app
    app.extensions.setdefault("amtskoffer.designer", DesignerService(app.extensions["amtskoffer"]))
    # First of all app-level hooks: CSRFProtect reads the form in its own before_request.
    app.before_request_funcs.setdefault(None, []).insert(0, _larger_limits_for_designers)


def designer() -> DesignerService:
    return current_app.extensions["amtskoffer.designer"]  # type: ignore[no-any-return]


def revision() -> int:
    """The draft revision the posted form was based on (0 if missing: every save then conflicts)."""
    try:
        return int(request.form.get("revision", ""))
    except ValueError:
        return 0


def load_draft(draft_id: uuid.UUID) -> DraftView:
    """The draft (NotFound → 404; only designers, see the blueprint's gate)."""
    return designer().drafts.get(draft_id, actor())


def not_found_unless(condition: bool) -> None:
    if not condition:
        raise NotFound("no such file in the draft", user_message=_("Diese Datei gibt es im Entwurf nicht."))


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError):
        return None


from web.designer import drafts, editors, sandbox, versions  # noqa: E402,F401  (routes register on bp)
