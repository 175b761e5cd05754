"""What the back office's navigation offers the signed-in official — only pages they may open."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from motcua.backoffice.dashboards import DASHBOARD_ROLES
from motcua.backoffice.personal_data import EXPORT_ROLES
from motcua.backoffice.views import SUPERVISOR_ROLES
from motcua.forecast.selectors import RISK_VIEWER_ROLES
from motcua.org.models import OVERSIGHT_ROLES, Role
from motcua.org.selectors import official_role_set

UNIT_PAGE_ROLES = frozenset({*SUPERVISOR_ROLES, *OVERSIGHT_ROLES})


def navigation(request: HttpRequest) -> dict[str, Any]:
    """``bo_nav.intake`` / ``bo_nav.unit`` / ``bo_nav.risks``: whether the counter intake, the unit page
    and the list of dossiers at risk of lateness are the user's.

    Lazy: evaluated only by the back office's base template, from the role grants the request has
    already read (no query of its own). A link to a page that answers 403 was a dead end.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def links() -> dict[str, bool]:
        roles = official_role_set(user=user)
        return {
            "intake": Role.RECEPTION in roles,
            "unit": bool(roles & UNIT_PAGE_ROLES),
            "signing": Role.LEADER in roles,
            "risks": bool(roles & RISK_VIEWER_ROLES),
            "dashboard": bool(roles & DASHBOARD_ROLES),
            "personal_data": bool(roles & EXPORT_ROLES),
        }

    return {"bo_nav": SimpleLazyObject(links)}
