from ninja import Router, Schema

from cocon.accounts.selectors import roles_of_user
from cocon.api.auth import RequiredBearer, require_scope
from cocon.api.errors import ERROR_RESPONSES
from cocon.api.scopes import ACCOUNT_READ

router = Router(tags=["account"])


class RoleOut(Schema):
    organization: str
    kind: str
    title: str
    services: list[str]


class MeOut(Schema):
    email: str
    full_name: str
    language: str
    agent_of: str | None
    roles: list[RoleOut]
    scopes: list[str]


@router.get("/me", auth=RequiredBearer(), response={200: MeOut, **ERROR_RESPONSES})
def me(request):
    require_scope(request, ACCOUNT_READ)
    user = request.user
    profile = getattr(user, "agent_profile", None)
    return {
        "email": user.email,
        "full_name": user.full_name,
        "language": user.language,
        "agent_of": profile.organization.slug if profile else None,
        "roles": [
            {
                "organization": r.organization.slug,
                "kind": r.kind,
                "title": r.title,
                "services": [s.slug for s in r.services.all()],
            }
            for r in roles_of_user(user)
        ],
        "scopes": request.api_token.scopes,
    }
