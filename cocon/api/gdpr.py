from cocon.core.gdpr import register_exporter


@register_exporter("api_tokens")
def export_tokens(user):
    return [
        {
            "name": t.name,
            "prefix": t.prefix,
            "scopes": t.scopes,
            "created_at": t.created_at.isoformat(),
            "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
            "revoked": t.revoked_at is not None,
        }
        for t in user.api_tokens.order_by("created_at")
    ]
