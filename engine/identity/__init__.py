"""Users, roles, authority memberships, API tokens, login throttling and task drafts.

Public API (import from here):

- :class:`~engine.identity.service.IdentityService` (``IdentityService(engine)``): create users
  (argon2 hashes), change passwords, disable, list, authenticate with login throttling
  (:class:`~engine.identity.service.LoginThrottled`), API tokens (stored as SHA-256 only),
  and the :class:`~engine.service_layer.actors.Actor` of a user (roles + authority ids).
- :class:`~engine.identity.drafts.DraftService`: "save and continue later" for a ready task
  (the posted form values, stored server-side per case and task, audited as ``draft_saved``).
- :class:`~engine.identity.service.UserInfo`: the frozen view of a user handed to callers.

No web framework is imported here; the web layer wraps a :class:`UserInfo` for Flask-Login.
"""

from engine.identity.drafts import DraftService
from engine.identity.service import IdentityService, LoginThrottled, UserInfo

__all__ = ["DraftService", "IdentityService", "LoginThrottled", "UserInfo"]
