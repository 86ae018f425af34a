"""URLs of the Guichet polyvalent, under /guichet/. Each page family keeps its patterns
next to its views: questions to referents (`views_questions`), knowledge base
(`views_knowledge`), appointment log and dashboards (`views_log`), access-to-rights
follow-up (`views_legal`), organization settings — referents, commitment, places
(`views_settings`)."""

from cocon.guichet import views_knowledge, views_legal, views_log, views_questions, views_settings

app_name = "guichet"

urlpatterns = [
    *views_questions.urlpatterns,
    *views_knowledge.urlpatterns,
    *views_log.urlpatterns,
    *views_legal.urlpatterns,
    *views_settings.urlpatterns,
]
