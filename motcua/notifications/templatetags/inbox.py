"""``{% inbox_unread request.user as n %}``: the unread count of the navigation's "Thông báo (N)"."""

from __future__ import annotations

from django import template

from motcua.accounts.models import Account, AccountKind
from motcua.notifications.selectors import inbox_unread_count

register = template.Library()


@register.simple_tag
def inbox_unread(user: object) -> int:
    """Unread notifications of a signed-in citizen or organisation; 0 for anyone else (no query)."""
    if not isinstance(user, Account) or user.kind not in (AccountKind.CITIZEN, AccountKind.ORGANISATION):
        return 0
    return inbox_unread_count(account=user)
