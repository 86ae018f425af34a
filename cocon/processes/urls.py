"""URLs of the Démarches, under /demarches/. Each page family keeps its patterns next to
its views: processes, phases and the public page (`views_process`), events
(`views_events`), calls for ambassadors (`views_ambassadors`), personas
(`views_personas`), white paper (`views_white_paper`), decisions, synthesis and action
programme (`views_decisions`), charter (`views_charter`)."""

from cocon.processes import (
    views_ambassadors,
    views_charter,
    views_decisions,
    views_events,
    views_personas,
    views_process,
    views_white_paper,
)

app_name = "processes"

urlpatterns = [
    *views_process.urlpatterns,
    *views_events.urlpatterns,
    *views_ambassadors.urlpatterns,
    *views_personas.urlpatterns,
    *views_white_paper.urlpatterns,
    *views_decisions.urlpatterns,
    *views_charter.urlpatterns,
]
