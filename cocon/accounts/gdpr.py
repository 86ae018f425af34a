"""What the accounts module holds about a person, for the GDPR export."""

from cocon.accounts.selectors import roles_of_user
from cocon.core.gdpr import register_exporter


@register_exporter("account")
def export_account(user):
    return {
        "email": user.email,
        "full_name": user.full_name,
        "language": user.language,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "email_verified_at": user.email_verified_at.isoformat() if user.email_verified_at else None,
    }


@register_exporter("agent_profile")
def export_agent_profile(user):
    profile = getattr(user, "agent_profile", None)
    if profile is None:
        return None
    return {
        "organization": profile.organization.name,
        "service": profile.service.name if profile.service else None,
        "job_title": profile.job_title,
        "category": profile.category,
        "front_line": profile.front_line,
        "peer_worker": profile.peer_worker,
    }


@register_exporter("roles")
def export_roles(user):
    return [
        {
            "organization": role.organization.name,
            "role": role.kind,
            "title": role.title,
            "direction": role.direction.name if role.direction else None,
            "services": [s.name for s in role.services.all()],
            "topics": role.topic_list,
            "starts_on": role.starts_on.isoformat(),
            "ends_on": role.ends_on.isoformat() if role.ends_on else None,
        }
        for role in roles_of_user(user)
    ]
