from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cocon.accounts.selectors import roles_of_user
from cocon.backoffice.panels import panels_for


@login_required
@require_GET
def home(request):
    """Everyone logged in has a home; staff see the panels of each role they hold."""
    panels = panels_for(request.user)
    return render(
        request,
        "backoffice/home.html",
        {
            "panels": panels,
            "todo_total": sum(p.todo_count for p in panels),
            "roles": roles_of_user(request.user),
        },
    )
