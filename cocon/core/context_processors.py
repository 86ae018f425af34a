from django.conf import settings

from cocon.core.permissions import grants_of
from cocon.territory import selectors as territory_selectors


def cocon(request):
    """Territory, theme and the person's grants for every template.

    A view sets `request.theme_organization` to dress a page in an organization's
    colours; otherwise the person's own organization, else the territory's host.
    """
    territory = territory_selectors.current_territory()
    user = getattr(request, "user", None)
    grants = grants_of(user)
    theme = getattr(request, "theme_organization", None)
    if theme is None and grants.agent_organization_id:
        theme = territory_selectors.organization_by_id(grants.agent_organization_id)
    if theme is None and territory is not None:
        theme = territory.host_organization
    unread = 0
    if user is not None and user.is_authenticated:
        from cocon.core.notifications import unread_count

        unread = unread_count(user)
    return {
        "unread_notifications": unread,
        "territory": territory,
        "theme_organization": theme,
        "grants": grants,
        "LANGUAGES": settings.LANGUAGES,
    }
