"""axe-core audit of every page, in every state worth checking, at desktop width and on a
360-pixel phone (where nothing may scroll sideways).

Each test reaches one screen (logging in and submitting forms as needed), audits it at
1280 px, then narrows the same window to 360×740 and audits it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from . import test_reports_public as reports_public
from . import test_reports_staff as reports_staff
from . import voices_data
from .conftest import DESKTOP, PHONE, ROLES, audit, email_of, login, new_context, url

pytestmark = pytest.mark.browser

HOST = "agglo-val-de-lise"  # host organization of the demo territory

BAD_MARGINS_CSV = (
    b"commune_insee,age_band,sex,population\n"
    b"38619,0-14,F,1500\n"
    b"38619,15-130,F,1200\n"  # unknown age band
    b"99999,30-44,X,-4\n"  # unknown commune, bad sex, negative population
)


def submit(page, form_selector: str = "main form.stack"):
    """Submit a form with its submit button; return the response of the navigation."""
    with page.expect_navigation() as navigation:
        page.locator(form_selector).locator("button[type=submit]").last.click()
    return navigation.value


def first_commune() -> str:
    from cocon.territory.models import Commune

    return Commune.objects.order_by("insee_code").values_list("insee_code", flat=True)[0]


def public_service_path() -> str:
    from cocon.territory.models import Service

    service = (
        Service.objects.filter(organization__slug=HOST, is_public=True)
        .exclude(opening_hours=None)
        .order_by("name")
        .first()
    )
    return service.get_absolute_url()


def reset_path(role: str = "usager") -> str:
    from cocon.accounts.models import User

    user = User.objects.get(email=email_of(role))
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"/compte/mot-de-passe/{uid}/{default_token_generator.make_token(user)}/"


# --- Screens ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Screen:
    id: str
    url_name: str | None  # the route the screen ends on (None: the 404 page)
    reach: Callable  # (page, live_server) -> Response | None, leaves the page on the screen
    role: str | None = None  # log in as this demo account first
    status: int = 200
    expect: str = ""  # a selector that must be visible (proves we are on the right screen)
    disabled_rules: tuple[str, ...] = ()  # documented exclusions only


def get(path: str | Callable[[], str]):
    def reach(page, live_server):
        return page.goto(url(live_server, path() if callable(path) else path))

    return reach


def login_with_errors(page, live_server):
    page.goto(url(live_server, "/compte/connexion/"))
    return submit(page)


def register_with_errors(page, live_server):
    page.goto(url(live_server, "/compte/inscription/"))
    page.fill("#id_full_name", "Lou Test")
    page.fill("#id_email", "pas-une-adresse")
    page.fill("#id_password1", "court")
    page.fill("#id_password2", "autre")
    return submit(page)


def reset_done(page, live_server):
    page.goto(url(live_server, "/compte/mot-de-passe/"))
    page.fill("#id_email", email_of("usager"))
    return submit(page)


def reset_complete(page, live_server):
    page.goto(url(live_server, reset_path()))
    page.fill("#id_new_password1", "Une-phrase-de-passe-2026")
    page.fill("#id_new_password2", "Une-phrase-de-passe-2026")
    return submit(page)


def settings_with_contrast_error(page, live_server):
    page.goto(url(live_server, f"/organisations/{HOST}/reglages/"))
    page.fill("#id_primary_color", "#ffff00")
    return submit(page)


def roles_with_errors(page, live_server):
    page.goto(url(live_server, f"/compte/organisations/{HOST}/roles/"))
    return submit(page)


def margins_with_row_errors(page, live_server):
    page.goto(url(live_server, "/territoire/marges/importer/"))
    page.set_input_files(
        "#id_file", {"name": "marges.csv", "mimeType": "text/csv", "buffer": BAD_MARGINS_CSV}
    )
    return submit(page)


# --- Paroles (voices) -------------------------------------------------------------------------

VOICE_TEXT = "Une fuite d'eau coule devant l'école depuis lundi, le trottoir est glissant."


def voice_path(suffix: str = "", **fields) -> Callable[[], str]:
    """A voice of the water service (captured when the screen is reached), then its
    staff page + suffix."""

    def path():
        ref = voices_data.capture(**fields)
        return f"/espace/paroles/{ref.reference}/{suffix}"

    return path


def tracked_voice_path() -> str:
    ref = voices_data.capture(contact_email="lea.moreau@example.org", contact_consent=True)
    voices_data.answer(ref)
    return f"/paroles/suivi/{ref.reference}/?code={ref.code}"


def my_voices_path() -> str:
    voices_data.capture(
        author=voices_data.user(email_of("usager")),
        relay=None,
        capture_mode="self",
        channel="web",
        kind="suggestion",
        text="Des bancs le long de la voie verte permettraient aux aînés de s'y promener.",
    )
    return "/paroles/mes-messages/"


def feed_path(query: str = "") -> Callable[[], str]:
    def path():
        voices_data.capture()  # new for the manager
        voices_data.capture(kind="thanks", text="Merci à l'équipe pour la réparation rapide.")
        seen = voices_data.capture(kind="question", text="Quand la facture d'eau arrive-t-elle ?")
        from cocon.voices.models import Voice
        from cocon.voices.services import voice_seen

        voice_seen(
            Voice.objects.get(reference=seen.reference), voices_data.user(email_of("manager"))
        )
        return "/espace/paroles/" + query

    return path


def detail_with_photo_path() -> str:
    ref = voices_data.capture(
        photos=[voices_data.jpeg()],
        contact_email="lea.moreau@example.org",
        contact_consent=True,
    )
    return f"/espace/paroles/{ref.reference}/"


def dashboard_path() -> str:
    voices_data.capture()
    ref = voices_data.capture(kind="thanks", text="Merci pour la fuite réparée si vite.")
    voices_data.answer(ref)
    return f"/espace/paroles/tableaux-de-bord/{voices_data.service(HOST, voices_data.WATER).pk}/"


def give_with_errors(page, live_server):
    page.goto(url(live_server, "/paroles/"))
    return submit(page)


def give_to_receipt(page, live_server):
    voices_data.routing()
    page.goto(url(live_server, "/paroles/"))
    page.locator("input[name=kind][value=alert]").check()
    page.fill("#id_text", VOICE_TEXT)
    return submit(page)


def capture_with_errors(page, live_server):
    page.goto(url(live_server, "/espace/paroles/saisir/"))
    page.locator("details:has(#id_contact_email) > summary").click()
    page.fill("#id_contact_email", "pas-une-adresse")
    return submit(page)


def capture_to_receipt(page, live_server):
    voices_data.routing()
    page.goto(url(live_server, "/espace/paroles/saisir/"))
    page.locator("input[name=kind][value=complaint]").check()
    page.fill("#id_text", VOICE_TEXT)
    return submit(page)


def routing_with_errors(page, live_server):
    page.goto(url(live_server, f"/organisations/{HOST}/paroles/"))
    return submit(page, "section[aria-labelledby=add-rule-title] form")


def notifications_path() -> str:
    voices_data.capture()  # tells the manager of the water service
    return "/compte/notifications/"


def open311_key_created(page, live_server, name: str = "Appli de test"):
    page.goto(url(live_server, "/espace/signalements/open311/"))
    page.fill("#id_name", name)
    return submit(page)


def answer_without_text(page, live_server):
    page.goto(url(live_server, voice_path()()))
    page.select_option("#id_status-status", "answered")
    return submit(page, "form[action$='/statut/']")


# --- Baromètre ------------------------------------------------------------------------------


def water_barometer():
    from cocon.barometer.models import Barometer

    return Barometer.objects.get(slug="eau-potable")


def barometer_path(suffix: str = "", *, public: bool = False) -> Callable[[], str]:
    """A page of the demo water barometer (staff pages under /espace/)."""

    def path():
        prefix = "/barometres/" if public else "/espace/barometres/"
        return f"{prefix}{water_barometer().pk}/{suffix}"

    return path


def barometer_item_path(kind: str) -> str:
    barometer = water_barometer()
    item = {
        "technical": lambda: barometer.technical_criteria.order_by("pk").first(),
        "criterion": lambda: barometer.criteria.get(code="gout"),
        "action": lambda: barometer.actions.order_by("pk").first(),
    }[kind]()
    folder = {"technical": "criteres-techniques", "criterion": "criteres", "action": "actions"}
    return f"/espace/barometres/{barometer.pk}/{folder[kind]}/{item.pk}/"


def barometer_wave_path(suffix: str = "") -> Callable[[], str]:
    def path():
        wave = water_barometer().waves.get(code="2026")
        return f"/espace/barometres/vagues/{wave.pk}/{suffix}"

    return path


def barometer_first_round_path() -> str:
    barometer = water_barometer()
    barometer.first_round_open = True
    barometer.save(update_fields=["first_round_open"])
    return f"/barometres/{barometer.pk}/ce-qui-compte/"


def barometer_open_link_path() -> str:
    import datetime as dt

    from django.utils import timezone

    from cocon.barometer.models import Wave, WaveStatus

    barometer = water_barometer()
    today = timezone.localdate()
    wave = Wave.objects.create(
        barometer=barometer,
        label="Vague ouverte",
        code="ouverte",
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=20),
        status=WaveStatus.OPEN,
        open_link=True,
    )
    wave.criteria.set(barometer.criteria.all())
    return f"/barometres/repondre/{wave.link_token}/"


def barometer_answer_thanks(page, live_server):
    from tests.browser.test_barometer import open_wave_with_code, type_code

    open_wave_with_code()
    type_code(page, live_server)
    page.locator("input[name='overall'][value='7']").check(force=True)
    page.locator("input[name='age_band'][value='45-59']").check(force=True)
    page.locator("input[name='sex'][value='M']").check(force=True)
    page.select_option("#id_commune", index=1)
    return submit(page, "main form")


def barometer_code_error(page, live_server):
    from tests.browser.test_barometer import type_code

    return type_code(page, live_server, "ZZZZZ-99999")


# --- Idées --------------------------------------------------------------------------------


def megots_call():
    from cocon.demo.ideas_loader import MEGOTS_TITLE
    from cocon.ideas.models import Campaign

    return Campaign.objects.get(title=MEGOTS_TITLE)


def ideas_path(suffix: str = "") -> Callable[[], str]:
    return lambda: f"/idees/appels/{megots_call().pk}/{suffix}"


def public_idea(**filters):
    """A public, visible idea of the demo (the most commented one matching)."""
    from cocon.ideas.models import Idea

    return (
        Idea.objects.filter(visibility="public", hidden_at__isnull=True, **filters)
        .exclude(state="merged")
        .order_by("-comment_count", "pk")
        .first()
    )


def idea_path(suffix: str = "", **filters) -> Callable[[], str]:
    return lambda: f"/idees/{public_idea(**filters).pk}/{suffix}"


def own_open_idea(role: str):
    """An idea of the demo account `role`, still open (made for the screen if needed)."""
    from cocon.accounts.models import User
    from cocon.ideas import services
    from cocon.ideas.models import Idea

    user = User.objects.get(email=email_of(role))
    idea = Idea.objects.filter(author=user, state__in=["submitted", "under_review"]).first()
    if idea is None:
        box = services.permanent_box(user.agent_profile.organization)
        idea = services.idea_submit(
            author=user,
            campaign=box,
            title="Un agenda partagé des salles de réunion",
            problem="Les salles sont réservées deux fois.",
            proposal="Un agenda en ligne commun à tous les services.",
            benefit="Des rendez-vous avec les usagers qui ne sautent plus.",
            decision_level="service",
        )
    return idea


def pending_review_path() -> str:
    from django.utils import timezone

    from cocon.accounts.models import User
    from cocon.ideas import services
    from cocon.ideas.models import Review

    expert = User.objects.get(email=email_of("expert"))
    review = Review.objects.filter(expert=expert, submitted_at__isnull=True).first()
    if review is None:
        animateur = User.objects.get(email=email_of("animateur"))
        idea = own_open_idea("agent")
        [review] = services.reviews_assign(
            idea, actor=animateur, experts=[expert], due_on=timezone.localdate()
        )
    return f"/espace/idees/avis/{review.pk}/"


def decidable_path(role: str) -> Callable[[], str]:
    def path():
        from cocon.accounts.models import User
        from cocon.ideas.selectors import decision_queue

        user = User.objects.get(email=email_of(role))
        return f"/idees/{decision_queue(user)[0].pk}/decider/"

    return path


def retained_idea_path() -> str:
    from cocon.ideas.models import Idea

    idea = Idea.objects.filter(state="retained").order_by("pk").first()
    return f"/idees/{idea.pk}/avancement/"


def idea_submit_error(page, live_server):
    page.goto(url(live_server, ideas_path("proposer/")()))
    page.fill("#id_title", "Bof")
    page.fill("#id_problem", "Les mégots sur la place.")
    page.fill("#id_proposal", "Des cendriers.")
    page.fill("#id_benefit", "Une place propre.")
    page.locator("input[name='decision_level'][value='service']").check(force=True)
    return submit(page, "main form.stack")


# --- Guichet polyvalent: the demo's counter agents, referents and legal team -----------------


def demo_person(first: str, last: str, org: str) -> str:
    from cocon.demo import data

    return data.person_email(first, last, getattr(data, org))


BUS_AGENT = demo_person("Franck", "Duval", "AGGLO")
COUNTER_AGENT = demo_person("Aurélie", "Faure", "AGGLO")
CAF_REFERENT = demo_person("Laetitia", "Gaillard", "CAF")
JURISTE = demo_person("Julie", "Sanchez", "CCAS")


def caf_question_path(*, answered: bool) -> Callable[[], str]:
    def path():
        from cocon.guichet.models import Question

        rows = Question.objects.filter(
            target__guichet_referents__user__email=CAF_REFERENT, knowledge_entry__isnull=True
        ).order_by("pk")
        rows = rows.filter(state="answered") if answered else rows.filter(state="open")
        question = rows.first()
        if question is None:  # the demo's open questions may be elsewhere: ask one
            from cocon.accounts.models import User
            from cocon.guichet.models import Referent
            from cocon.guichet.services_questions import question_answer, question_ask

            ref = Referent.objects.filter(user__email=CAF_REFERENT).first()
            question = question_ask(
                asker=User.objects.get(email=COUNTER_AGENT),
                topic=ref.topic,
                target=ref.organization,
                text="Une question de test pour l'audit d'accessibilité.",
            )
            if answered:
                question_answer(question=question, author=ref.user, text="Une réponse.")
        if answered:
            return f"/guichet/savoirs/depuis-question/{question.pk}/"
        return f"/guichet/questions/{question.pk}/"

    return path


def knowledge_entry_path(*, owner: str | None = None, expired: bool = False, edit: bool = False):
    def path():
        from django.utils import timezone

        from cocon.guichet.models import KnowledgeEntry

        rows = KnowledgeEntry.objects.order_by("pk")
        if owner:
            rows = rows.filter(owner__email=owner)
        if expired:
            rows = rows.filter(valid_until__lt=timezone.localdate())
        entry = rows.first()
        return f"/guichet/savoirs/{entry.pk}/" + ("modifier/" if edit else "")

    return path


def expired_entry_owner_review(page, live_server):
    from django.utils import timezone

    from cocon.guichet.models import KnowledgeEntry

    entry = (
        KnowledgeEntry.objects.filter(valid_until__lt=timezone.localdate())
        .select_related("owner")
        .order_by("pk")
        .first()
    )
    login(page, live_server, entry.owner.email)
    return page.goto(url(live_server, "/guichet/savoirs/a-verifier/"))


def legal_path(suffix: str = "") -> Callable[[], str]:
    def path():
        from cocon.guichet.models import LegalTeam

        team = LegalTeam.objects.get()
        if suffix == "case":
            case = team.cases.filter(state="open").order_by("number").first()
            return f"/guichet/droits/{team.slug}/dossiers/{case.number}/"
        if suffix == "indicator":
            return f"/guichet/droits/{team.slug}/indicateurs/{team.indicators.first().pk}/"
        return f"/guichet/droits/{team.slug}/{suffix}"

    return path


def caf_absence_path() -> str:
    from cocon.guichet.models import Referent

    referent = Referent.objects.filter(user__email=CAF_REFERENT).first()
    return f"/guichet/referents/{referent.pk}/absence/"


def log_with_errors(page, live_server):
    page.goto(url(live_server, "/guichet/journal/nouveau/"))
    page.fill("input[name=duration]", "900")
    return submit(page, "main form.log-form")


def ask_with_errors(page, live_server):
    page.goto(url(live_server, "/guichet/questions/poser/"))
    return submit(page, "main form.stack")


def knowledge_without_sources(page, live_server):
    page.goto(url(live_server, "/guichet/savoirs/nouvelle-fiche/"))
    page.fill("textarea[name=question]", "Une question sans source")
    page.fill("textarea[name=answer]", "Une réponse sans source ni date.")
    return submit(page, "main form.stack")


SCREENS = [
    Screen("home", "core:home", get("/"), expect="#hero-title"),
    Screen("territory", "territory:territory", get("/territoire/"), expect="main table"),
    Screen(
        "commune",
        "territory:commune",
        get(lambda: f"/territoire/communes/{first_commune()}/"),
        expect="dl.facts",
    ),
    Screen("organizations", "territory:organizations", get("/organisations/"), expect=".grid"),
    Screen(
        "organization",
        "territory:organization",
        get(f"/organisations/{HOST}/"),
        expect="#contact-title",
    ),
    Screen(
        "organization-as-admin",
        "territory:organization",
        get(f"/organisations/{HOST}/"),
        "admin",
        expect="#internal-title",
    ),
    Screen("service", "territory:service", get(public_service_path), expect="#contact-title"),
    Screen(
        "service-as-manager",
        "territory:service",
        get(public_service_path),
        "manager",
        expect="#internal-title",
    ),
    Screen("accessibility", "core:accessibility", get("/accessibilite/"), expect="#donnees"),
    Screen("not-found", None, get("/page-inexistante/"), status=404, expect="main h1"),
    Screen("login", "accounts:login", get("/compte/connexion/"), expect="#id_email"),
    Screen(
        "login-errors",
        "accounts:login",
        login_with_errors,
        status=400,
        expect="[data-error-summary]",
    ),
    Screen("register", "accounts:register", get("/compte/inscription/"), expect="#id_password2"),
    Screen(
        "register-errors",
        "accounts:register",
        register_with_errors,
        status=400,
        expect="[data-error-summary]",
    ),
    Screen(
        "password-reset",
        "accounts:password_reset",
        get("/compte/mot-de-passe/"),
        expect="#id_email",
    ),
    Screen("password-reset-done", "accounts:password_reset_done", reset_done, expect="main h1"),
    Screen(
        "password-reset-confirm",
        "accounts:password_reset_confirm",
        get(reset_path),
        expect="#id_new_password1",
    ),
    Screen(
        "password-reset-complete",
        "accounts:password_reset_complete",
        reset_complete,
        expect="main a.button",
    ),
    Screen("profile", "accounts:profile", get("/compte/profil/"), "manager", expect="#data-title"),
    Screen(
        "account-delete",
        "accounts:delete",
        get("/compte/profil/supprimer/"),
        "usager",
        expect="#id_password",
    ),
    *(
        Screen(f"espace-{role}", "backoffice:home", get("/espace/"), role, expect=".panel-grid")
        for role in ROLES
    ),
    Screen(
        "team",
        "territory:team",
        get(f"/organisations/{HOST}/equipe/"),
        "admin",
        expect="main table",
    ),
    Screen(
        "settings",
        "territory:settings",
        get(f"/organisations/{HOST}/reglages/"),
        "admin",
        expect="#id_primary_color",
    ),
    Screen(
        "settings-contrast-error",
        "territory:settings",
        settings_with_contrast_error,
        "admin",
        expect="#id_primary_color_error",
    ),
    Screen(
        "shares",
        "territory:shares",
        get(f"/organisations/{HOST}/partages/"),
        "admin",
        expect="#id_partner",
    ),
    Screen(
        "roles",
        "accounts:roles",
        get(f"/compte/organisations/{HOST}/roles/"),
        "admin",
        expect="main form.stack",
    ),
    Screen(
        "roles-errors",
        "accounts:roles",
        roles_with_errors,
        "admin",
        status=400,
        expect="[data-error-summary]",
    ),
    Screen(
        "margins-import",
        "territory:margins_import",
        get("/territoire/marges/importer/"),
        "admin",
        expect="#id_file",
    ),
    Screen(
        "margins-import-row-errors",
        "territory:margins_import",
        margins_with_row_errors,
        "admin",
        expect="#rows-title + .table-wrap table",
    ),
    Screen("django-admin", "admin:index", get("/admin/"), "admin", expect="#content"),
    # Paroles: public pages
    Screen("voices-give", "voices:give", get("/paroles/"), expect="fieldset .choice-buttons"),
    Screen(
        "voices-give-errors",
        "voices:give",
        give_with_errors,
        status=400,
        expect="#id_text_error",
    ),
    Screen("voices-receipt", "voices:receipt", give_to_receipt, expect=".receipt [data-code]"),
    Screen("voices-track", "voices:track", get("/paroles/suivi/"), expect="#id_code"),
    Screen(
        "voices-track-not-found",
        "voices:track_voice",
        get("/paroles/suivi/ABCD-EFGH/?code=23456789"),
        status=404,
        expect=".message--error",
    ),
    Screen(
        "voices-track-voice",
        "voices:track_voice",
        get(tracked_voice_path),
        expect="[data-answer]",
    ),
    Screen("voices-mine", "voices:mine", get(my_voices_path), "usager", expect="main .badge"),
    # Paroles: staff
    Screen(
        "voices-feed",
        "voices:feed",
        get(feed_path()),
        "manager",
        expect=".voice-item.is-unread",
    ),
    Screen(
        "voices-feed-filtered",
        "voices:feed",
        get(feed_path("?status=open&kind=complaint")),
        "manager",
        expect=".filter-form select",
    ),
    Screen(
        "voices-capture",
        "voices:capture",
        get("/espace/paroles/saisir/"),
        "agent",
        expect="fieldset .choice-buttons",
    ),
    Screen(
        "voices-capture-errors",
        "voices:capture",
        capture_with_errors,
        "agent",
        status=400,
        expect="#id_text_error",
    ),
    Screen(
        "voices-capture-receipt",
        "voices:capture_receipt",
        capture_to_receipt,
        "agent",
        expect=".receipt [data-code]",
    ),
    Screen(
        "voices-detail",
        "voices:detail",
        get(detail_with_photo_path),
        "manager",
        expect="#status-title",
    ),
    Screen(
        "voices-detail-thanks",
        "voices:detail",
        get(voice_path(kind="thanks", text="Merci à l'agent d'accueil pour sa patience.")),
        "manager",
        expect="form[action$='/remercier/'] select",
    ),
    Screen(
        "voices-detail-as-elu",
        "voices:detail",
        get(voice_path()),
        "elu",
        expect="[data-readers]",
    ),
    Screen(
        "voices-detail-action-error",
        "voices:set_status",
        answer_without_text,
        "manager",
        status=400,
        expect="#id_status-text_error",
    ),
    Screen(
        "voices-dashboards",
        "voices:dashboards",
        get("/espace/paroles/tableaux-de-bord/"),
        "manager",
        expect="main .list-plain a",
    ),
    Screen("voices-dashboard", "voices:dashboard", get(dashboard_path), "manager", expect=".stats"),
    Screen(
        "voices-routing",
        "voices:routing",
        get(lambda: voices_data.routing() or f"/organisations/{HOST}/paroles/"),
        "admin",
        expect="[data-rule]",
    ),
    Screen(
        "voices-routing-errors",
        "voices:routing",
        routing_with_errors,
        "admin",
        status=400,
        expect="[data-error-summary]",
    ),
    # Signalements: the public map and list, the form, "already reported", receipt, a report
    Screen(
        "reports-index",
        "reports:index",
        reports_public.index_screen,
        expect="#reports-map .leaflet-marker-pane > *",
    ),
    Screen("reports-new", "reports:new", reports_public.new_screen, expect="#report-picker-map"),
    Screen(
        "reports-new-errors",
        "reports:new",
        reports_public.new_errors_screen,
        status=400,
        expect="#id_description_error",
    ),
    Screen(
        "reports-already-reported",
        "reports:new",
        reports_public.already_reported_screen,
        expect="[data-nearby-list] [data-support]",
    ),
    Screen(
        "reports-receipt",
        "reports:receipt",
        reports_public.receipt_screen,
        expect=".receipt [data-code]",
    ),
    Screen(
        "reports-detail", "reports:detail", reports_public.detail_screen, expect="[data-updates]"
    ),
    # Signalements: Open311 client keys (platform admin)
    Screen(
        "reports-open311-keys",
        "reports:open311_keys",
        open311_key_created,
        "admin",
        expect="[data-new-key] #new-key",
    ),
    Screen(
        "reports-open311-keys-errors",
        "reports:open311_keys",
        lambda page, live_server: open311_key_created(page, live_server, name=" "),
        "admin",
        status=400,
        expect="#id_name_error",
    ),
    # Signalements: offline field capture (agents)
    Screen(
        "reports-field",
        "reports:field",
        get("/espace/terrain/"),
        "agent",
        expect="form[data-form='report'] #report-category",
    ),
    # Signalements: the staff list, one report, its action errors, organization settings
    Screen(
        "reports-staff-list",
        "reports:staff_list",
        get("/espace/signalements/"),
        "manager",
        expect="[data-reports-table]",
    ),
    Screen(
        "reports-staff-detail",
        "reports:staff_detail",
        get(reports_staff.staff_detail_path),
        "manager",
        expect="form[data-state-form]",
    ),
    Screen(
        "reports-staff-action-error",
        "reports:staff_action",
        reports_staff.state_without_text,
        "manager",
        status=400,
        expect="#id_state-text_error",
    ),
    Screen(
        "reports-settings",
        "reports:settings",
        get(f"/organisations/{HOST}/signalements/"),
        "admin",
        expect="[data-coverage]",
    ),
    Screen(
        "notifications",
        "core:notifications",
        get(notifications_path),
        "manager",
        expect="[data-notifications] .badge",
    ),
    # Baromètre: staff pages (the water service's manager), public pages, answering
    Screen(
        "barometer-staff-list",
        "barometer:staff_list",
        get("/espace/barometres/"),
        "manager",
        expect="main h1",
    ),
    Screen(
        "barometer-create",
        "barometer:create",
        get("/espace/barometres/nouveau/"),
        "manager",
        expect="main form",
    ),
    *(
        Screen(
            f"barometer-{name}",
            f"barometer:{name}",
            get(barometer_path(suffix)),
            "manager",
            expect="main h1",
        )
        for name, suffix in (
            ("dashboard", ""),
            ("edit", "reglages/"),
            ("construction", "construction/"),
            ("topics", "ce-qui-compte/"),
            ("technical", "criteres-techniques/"),
            ("criteria", "criteres/"),
            ("indicators", "indicateurs/"),
            ("actions", "actions/"),
            ("wave_list", "vagues/"),
            ("wave_create", "vagues/nouvelle/"),
        )
    ),
    *(
        Screen(
            f"barometer-{name}",
            f"barometer:{name}",
            get(lambda kind=kind: barometer_item_path(kind)),
            "manager",
            expect="main form",
        )
        for name, kind in (
            ("technical_edit", "technical"),
            ("criterion_edit", "criterion"),
            ("action_edit", "action"),
        )
    ),
    *(
        Screen(
            f"barometer-{name}",
            f"barometer:{name}",
            get(barometer_wave_path(suffix)),
            "manager",
            expect="main h1",
        )
        for name, suffix in (
            ("wave_detail", ""),
            ("wave_edit", "modifier/"),
            ("wave_codes", "codes/"),
            ("wave_import", "import/"),
        )
    ),
    Screen(
        "barometer-public-list",
        "barometer:public_list",
        get("/barometres/"),
        expect="main h1",
    ),
    Screen(
        "barometer-public",
        "barometer:public",
        get(barometer_path(public=True)),
        expect="table[data-criteria-table]",
    ),
    Screen(
        "barometer-first-round",
        "barometer:first_round",
        get(barometer_first_round_path),
        expect="main form",
    ),
    Screen("barometer-answer", "barometer:answer", get("/barometres/repondre/"), expect="#id_code"),
    Screen(
        "barometer-answer-code-error",
        "barometer:answer",
        barometer_code_error,
        status=400,
        expect="#id_code_error",
    ),
    Screen(
        "barometer-answer-link",
        "barometer:answer_link",
        get(barometer_open_link_path),
        expect="#id_commune",
    ),
    Screen(
        "barometer-answer-thanks",
        "barometer:answer_thanks",
        barometer_answer_thanks,
        expect="main h1",
    ),
    # Idées
    Screen("ideas-home", "ideas:home", get("/idees/"), expect="main h1"),
    Screen("ideas-list", "ideas:list", get("/idees/toutes/"), expect="[data-idea-list]"),
    Screen("ideas-campaign", "ideas:campaign", get(ideas_path()), expect="[data-idea-list]"),
    Screen("ideas-mine", "ideas:mine", get("/idees/mes-idees/"), "agent", expect="main h1"),
    Screen(
        "ideas-submit", "ideas:submit", get(ideas_path("proposer/")), "agent", expect="#id_title"
    ),
    Screen(
        "ideas-submit-error",
        "ideas:submit",
        idea_submit_error,
        "agent",
        status=400,
        expect="#id_title_error",
    ),
    Screen("ideas-detail", "ideas:detail", get(idea_path()), expect="main h1"),
    Screen(
        "ideas-detail-decided",
        "ideas:detail",
        get(idea_path(state="rejected")),
        "usager",
        expect="main h1",
    ),
    Screen("ideas-detail-staff", "ideas:detail", get(idea_path()), "animateur", expect="main h1"),
    Screen(
        "ideas-edit",
        "ideas:edit",
        get(lambda: f"/idees/{own_open_idea('agent').pk}/modifier/"),
        "agent",
        expect="#id_title",
    ),
    Screen(
        "ideas-versions",
        "ideas:versions",
        get(idea_path("versions/", version__gt=1)),
        expect="main h1",
    ),
    Screen("ideas-flag", "ideas:flag", get(idea_path("signaler/")), "usager", expect="main form"),
    Screen(
        "ideas-comment-flag",
        "ideas:comment_flag",
        get(
            lambda: (
                "/idees/commentaires/"
                f"{public_idea(comment_count__gt=0).comments.filter(hidden_at=None).first().pk}/signaler/"
            )
        ),
        "usager",
        expect="main form",
    ),
    Screen("ideas-manage", "ideas:manage", get("/espace/idees/"), "animateur", expect="main h1"),
    Screen(
        "ideas-campaign-new",
        "ideas:campaign_new",
        get("/espace/idees/appels/nouveau/"),
        "animateur",
        expect="main form",
    ),
    Screen(
        "ideas-campaign-edit",
        "ideas:campaign_edit",
        get(lambda: f"/espace/idees/appels/{megots_call().pk}/modifier/"),
        "animateur",
        expect="main form",
    ),
    Screen(
        "ideas-dashboard",
        "ideas:dashboard",
        get(lambda: f"/espace/idees/appels/{megots_call().pk}/tableau-de-bord/"),
        "animateur",
        expect="main table",
    ),
    Screen(
        "ideas-expert-queue",
        "ideas:expert_queue",
        get("/espace/idees/deminage/"),
        "expert",
        expect="main h1",
    ),
    Screen("ideas-review", "ideas:review", get(pending_review_path), "expert", expect="main form"),
    Screen(
        "ideas-assign",
        "ideas:assign",
        get(lambda: f"/idees/{own_open_idea('agent').pk}/demineurs/"),
        "animateur",
        expect="main form",
    ),
    Screen(
        "ideas-decisions",
        "ideas:decisions",
        get("/espace/idees/decisions/"),
        "direction",
        expect="main h1",
    ),
    Screen(
        "ideas-decide",
        "ideas:decide",
        get(decidable_path("direction")),
        "direction",
        expect="main form",
    ),
    Screen(
        "ideas-advance", "ideas:advance", get(retained_idea_path), "animateur", expect="main form"
    ),
    Screen(
        "ideas-moderation",
        "ideas:moderation",
        get("/espace/idees/moderation/"),
        "animateur",
        expect="main h1",
    ),
    # Guichet polyvalent
    Screen(
        "guichet-log-new",
        "guichet:log_new",
        get("/guichet/journal/nouveau/"),
        BUS_AGENT,
        expect="main form.log-form",
    ),
    Screen(
        "guichet-log-errors",
        "guichet:log_new",
        log_with_errors,
        BUS_AGENT,
        status=400,
        expect=".field-error, .error-summary, [role=alert]",
    ),
    Screen(
        "guichet-log-mine",
        "guichet:log_mine",
        get("/guichet/journal/mes-rendez-vous/"),
        BUS_AGENT,
        expect="main h1",
    ),
    Screen(
        "guichet-dashboard",
        "guichet:log_dashboard",
        get("/guichet/journal/tableau-de-bord/"),
        "admin",
        expect="main table",
    ),
    Screen(
        "guichet-ask",
        "guichet:question_ask",
        get("/guichet/questions/poser/"),
        BUS_AGENT,
        expect="main form",
    ),
    Screen(
        "guichet-ask-errors",
        "guichet:question_ask",
        ask_with_errors,
        BUS_AGENT,
        status=400,
        expect=".field-error, .error-summary, [role=alert]",
    ),
    Screen(
        "guichet-questions-mine",
        "guichet:question_mine",
        get("/guichet/questions/mes-questions/"),
        COUNTER_AGENT,
        expect="main h1",
    ),
    Screen(
        "guichet-inbox",
        "guichet:question_inbox",
        get("/guichet/questions/a-traiter/?tout=1"),
        CAF_REFERENT,
        expect="main h1",
    ),
    Screen(
        "guichet-question",
        "guichet:question_detail",
        get(caf_question_path(answered=False)),
        CAF_REFERENT,
        expect="[data-question]",
    ),
    Screen(
        "guichet-knowledge-search",
        "guichet:knowledge_search",
        get("/guichet/savoirs/?q=allocation+logemnt"),
        COUNTER_AGENT,
        expect="main form[role=search]",
    ),
    Screen(
        "guichet-knowledge-entry",
        "guichet:knowledge_entry",
        get(knowledge_entry_path()),
        COUNTER_AGENT,
        expect="main h1",
    ),
    Screen(
        "guichet-knowledge-create",
        "guichet:knowledge_create",
        get("/guichet/savoirs/nouvelle-fiche/"),
        CAF_REFERENT,
        expect="main form",
    ),
    Screen(
        "guichet-knowledge-errors",
        "guichet:knowledge_create",
        knowledge_without_sources,
        CAF_REFERENT,
        status=400,
        expect=".field-error, .error-summary, [role=alert]",
    ),
    Screen(
        "guichet-knowledge-from-question",
        "guichet:knowledge_from_question",
        get(caf_question_path(answered=True)),
        CAF_REFERENT,
        expect="main form",
    ),
    Screen(
        "guichet-knowledge-edit",
        "guichet:knowledge_edit",
        get(knowledge_entry_path(owner=CAF_REFERENT, edit=True)),
        CAF_REFERENT,
        expect="main form",
    ),
    Screen(
        "guichet-knowledge-review",
        "guichet:knowledge_review",
        expired_entry_owner_review,
        expect="main h1",
    ),
    Screen(
        "guichet-knowledge-needs",
        "guichet:knowledge_needs",
        get("/guichet/savoirs/besoins/"),
        COUNTER_AGENT,
        expect="main h1",
    ),
    Screen(
        "guichet-directory",
        "guichet:network_directory",
        get("/guichet/annuaire/"),
        COUNTER_AGENT,
        expect="main h1",
    ),
    Screen(
        "guichet-absence",
        "guichet:settings_absence",
        get(caf_absence_path),
        CAF_REFERENT,
        expect="main form",
    ),
    Screen(
        "guichet-settings-territory",
        "guichet:settings_territory",
        get("/guichet/territoire/"),
        "admin",
        expect="main h1",
    ),
    Screen(
        "guichet-settings-referents",
        "guichet:settings_referents",
        get(f"/guichet/organisations/{HOST}/referents/"),
        "admin",
        expect="main h1",
    ),
    Screen(
        "guichet-settings-commitment",
        "guichet:settings_commitment",
        get(f"/guichet/organisations/{HOST}/engagement/"),
        "admin",
        expect="main form",
    ),
    Screen(
        "guichet-settings-places",
        "guichet:settings_places",
        get(f"/guichet/organisations/{HOST}/lieux/"),
        "admin",
        expect="main h1",
    ),
    Screen(
        "guichet-legal-home",
        "guichet:legal_home",
        get(legal_path()),
        JURISTE,
        expect="[data-indicators]",
    ),
    Screen(
        "guichet-legal-cases",
        "guichet:legal_cases",
        get(legal_path("dossiers/")),
        JURISTE,
        expect="main h1",
    ),
    Screen(
        "guichet-legal-case",
        "guichet:legal_case",
        get(legal_path("case")),
        JURISTE,
        expect="main form",
    ),
    Screen(
        "guichet-legal-case-new",
        "guichet:legal_case_new",
        get(legal_path("nouveau-dossier/")),
        JURISTE,
        expect="main form",
    ),
    Screen(
        "guichet-legal-trainings",
        "guichet:legal_trainings",
        get(legal_path("formations/")),
        JURISTE,
        expect="main h1",
    ),
    Screen(
        "guichet-legal-training-new",
        "guichet:legal_training_new",
        get(legal_path("nouvelle-formation/")),
        JURISTE,
        expect="main form",
    ),
    Screen(
        "guichet-legal-indicators",
        "guichet:legal_indicators",
        get(legal_path("indicateurs/")),
        JURISTE,
        expect="main form",
    ),
    Screen(
        "guichet-legal-indicator",
        "guichet:legal_indicator",
        get(legal_path("indicator")),
        JURISTE,
        expect="main form",
    ),
    Screen(
        "guichet-legal-access-log",
        "guichet:legal_access_log",
        get(legal_path("journal/")),
        JURISTE,
        expect="main h1",
    ),
    Screen(
        "guichet-legal-outsider",
        None,
        get(legal_path("case")),
        "admin",
        status=404,
        expect="main h1",
    ),
]


# --- Démarches (co-construction processes) -------------------------------------------------
SOPHIE_ELUE = demo_person("Sophie", "Marchetti", "VILLE")
ISABELLE_MANAGER = demo_person("Isabelle", "Morel", "AGGLO")
NADIA_AGENT = "agent"  # Nadia Benali applied as an ambassador


def demo_process(key: str):
    from cocon.demo import processes_loader
    from cocon.processes.models import Process

    title = {
        "pnu": processes_loader.PNU_TITLE,
        "transfo": processes_loader.TRANSFO_TITLE,
        "flash": processes_loader.FLASH_TITLE,
        "carte": processes_loader.CARTE_BLANCHE_TITLE,
    }[key]
    return Process.objects.get(title=title)


def process_path(key: str, suffix: str | Callable = "") -> Callable[[], str]:
    """`/demarches/<slug>/<suffix>`; `suffix` may be a function of the process."""

    def path():
        process = demo_process(key)
        tail = suffix(process) if callable(suffix) else suffix
        return f"/demarches/{process.slug}/{tail}"

    return path


def first_event(process, kind: str | None = None):
    events = process.events.order_by("starts_at", "pk")
    return (events.filter(kind=kind) if kind else events).first()


def registration_path(cancel: bool = False) -> Callable[[], str]:
    def path():
        from cocon.processes.services_events import registration_token

        process = demo_process("flash")
        event = first_event(process)
        registration = event.registrations.filter(status="registered").order_by("pk").first()
        tail = "annuler/" if cancel else ""
        return (
            f"/demarches/{process.slug}/evenements/{event.pk}/inscription/"
            f"{registration_token(registration)}/{tail}"
        )

    return path


def transfo_call():
    return demo_process("transfo").ambassador_calls.order_by("pk").first()


def call_path(suffix: str = "") -> Callable[[], str]:
    return lambda: f"/demarches/ambassadeurs/{transfo_call().pk}/{suffix}"


def application_path(suffix: str) -> Callable[[], str]:
    def path():
        from cocon.processes.models.ambassadors import Application

        application = Application.objects.get(
            call=transfo_call(), applicant__email="agent@demo.cocon.test"
        )
        return f"/demarches/ambassadeurs/candidatures/{application.pk}/{suffix}"

    return path


def finalized_call_path(suffix: str = "", *, selected_application: bool = False):
    """The demo call is drawn, not finalized: finalize it (as the animateur would) first."""

    def path():
        from cocon.accounts.models import User
        from cocon.processes import services_ambassadors

        call = transfo_call()
        if not call.is_finalized:
            animateur = User.objects.get(email="animateur@demo.cocon.test")
            call = services_ambassadors.call_finalize(call=call, by=animateur)
        if selected_application:
            application = call.applications.filter(selected=True).order_by("pk").first()
            return f"/demarches/ambassadeurs/candidatures/{application.pk}/{suffix}"
        return f"/demarches/ambassadeurs/{call.pk}/{suffix}"

    return path


def apply_path():
    """The demo call is drawn (closed): a second call, open, for the next promotion."""
    import datetime as dt
    from decimal import Decimal

    from cocon.accounts.models import User
    from cocon.processes import services_ambassadors

    today = dt.date.today()
    call = services_ambassadors.call_create(
        process=demo_process("transfo"),
        by=User.objects.get(email="animateur@demo.cocon.test"),
        title="Deuxième promotion d'ambassadeurs",
        commitment="3 jours par mois pendant 16 mois",
        days_per_month=Decimal(3),
        months=16,
        opens_on=today,
        closes_on=today + dt.timedelta(days=30),
        seats=8,
        targets={"category": {"A": 25, "B": 25, "C": 50}},
    )
    return f"/demarches/ambassadeurs/{call.pk}/candidater/"


def create_process_with_errors(page, live_server):
    page.goto(url(live_server, "/demarches/nouvelle/"))
    return submit(page, "main form")


def phases_reversed(page, live_server):
    page.goto(url(live_server, process_path("transfo", "phases/")()))
    ends = page.locator("input[name$=ends_on]").first
    starts = page.locator("input[name$=starts_on]").first
    ends.fill(starts.input_value().replace("20", "19", 1))
    with page.expect_navigation() as navigation:  # "Save the phases", not "Add a row"
        page.locator("main form button[type=submit]").first.click()
    return navigation.value


PROCESS_SCREENS = [
    Screen("processes-list", "processes:list", get("/demarches/"), expect="main h1"),
    Screen(
        "processes-create",
        "processes:create",
        get("/demarches/nouvelle/"),
        "animateur",
        expect="main form",
    ),
    Screen(
        "processes-create-errors",
        "processes:create",
        create_process_with_errors,
        "animateur",
        status=400,
        expect="[data-error-summary]",
    ),
    Screen("processes-detail-pnu", "processes:detail", get(process_path("pnu")), expect="main h1"),
    Screen(
        "processes-voice-give",
        "processes:voice_give",
        get(process_path("flash", "donner-mon-avis/")),
        expect="main form",
    ),
    Screen(
        "processes-detail-transfo",
        "processes:detail",
        get(process_path("transfo")),
        expect="main h1",
    ),
    Screen(
        "processes-edit",
        "processes:edit",
        get(process_path("pnu", "modifier/")),
        "animateur",
        expect="main form",
    ),
    Screen(
        "processes-phases",
        "processes:phases",
        get(process_path("transfo", "phases/")),
        "animateur",
        expect="main form",
    ),
    Screen(
        "processes-phases-errors",
        "processes:phases",
        phases_reversed,
        "animateur",
        status=400,
        expect="[data-error-summary]",
    ),
    Screen(
        "processes-manage",
        "processes:manage",
        get(process_path("pnu", "pilotage/")),
        "animateur",
        expect="main h1",
    ),
    # events
    Screen(
        "processes-events",
        "processes:event_list",
        get(process_path("pnu", "evenements/")),
        "animateur",
        expect="main h1",
    ),
    Screen(
        "processes-event-create",
        "processes:event_create",
        get(process_path("transfo", "evenements/nouveau/")),
        "animateur",
        expect="main form",
    ),
    Screen(
        "processes-event",
        "processes:event_detail",
        get(process_path("pnu", lambda p: f"evenements/{first_event(p, 'workshop').pk}/")),
        expect="main h1",
    ),
    Screen(
        "processes-event-edit",
        "processes:event_edit",
        get(process_path("flash", lambda p: f"evenements/{first_event(p).pk}/modifier/")),
        "animateur",
        expect="main form",
    ),
    Screen(
        "processes-event-cancel",
        "processes:event_cancel",
        get(process_path("flash", lambda p: f"evenements/{first_event(p).pk}/annuler/")),
        "animateur",
        expect="main form",
    ),
    Screen(
        "processes-event-register",
        "processes:event_register",
        get(process_path("flash", lambda p: f"evenements/{first_event(p).pk}/inscription/")),
        expect="main form",
    ),
    Screen(
        "processes-registration",
        "processes:event_registration",
        get(registration_path()),
        expect="main h1",
    ),
    Screen(
        "processes-registration-cancel",
        "processes:event_registration_cancel",
        get(registration_path(cancel=True)),
        expect="main form",
    ),
    Screen(
        "processes-attendance",
        "processes:event_attendance",
        get(process_path("flash", lambda p: f"evenements/{first_event(p).pk}/presences/")),
        "animateur",
        expect="main h1",
    ),
    Screen(
        "processes-panel",
        "processes:event_panel",
        get(process_path("flash", lambda p: f"evenements/{first_event(p).pk}/composition/")),
        "animateur",
        expect="main table",
    ),
    Screen(
        "processes-outputs",
        "processes:event_outputs",
        get(
            process_path(
                "pnu", lambda p: f"evenements/{first_event(p, 'workshop').pk}/productions/"
            )
        ),
        "animateur",
        expect="main h1",
    ),
    # ambassadors
    Screen(
        "processes-calls",
        "processes:call_list",
        get(process_path("transfo", "ambassadeurs/")),
        "animateur",
        expect="main h1",
    ),
    Screen(
        "processes-call-create",
        "processes:call_create",
        get(process_path("transfo", "ambassadeurs/nouvel-appel/")),
        "animateur",
        expect="main form",
    ),
    Screen("processes-call", "processes:call_detail", get(call_path()), expect="main h1"),
    Screen(
        "processes-call-edit",
        "processes:call_edit",
        get(call_path("modifier/")),
        "animateur",
        expect="main form",
    ),
    Screen(
        "processes-call-apply",
        "processes:call_apply",
        get(apply_path),
        NADIA_AGENT,
        expect="main h1",
    ),
    Screen(
        "processes-call-draw",
        "processes:call_draw",
        get(call_path("tirage/")),
        "animateur",
        expect="main h1",
    ),
    Screen(
        "processes-call-result",
        "processes:call_result",
        get(call_path("resultat/")),
        expect="main table",
    ),
    Screen(
        "processes-call-time",
        "processes:call_time",
        get(finalized_call_path("temps/")),
        "animateur",
        expect="main h1",
    ),
    Screen(
        "processes-application-review",
        "processes:application_review",
        get(application_path("avis/")),
        ISABELLE_MANAGER,
        expect="main h1",
    ),
    Screen(
        "processes-time-entries",
        "processes:time_entries",
        get(finalized_call_path("temps/", selected_application=True)),
        "animateur",
        expect="main h1",
    ),
    # personas
    Screen(
        "processes-personas",
        "processes:persona_list",
        get(process_path("carte", "personas/")),
        expect="main h1",
    ),
    Screen(
        "processes-persona-create",
        "processes:persona_create",
        get(process_path("carte", "personas/nouveau/")),
        "animateur",
        expect="main form",
    ),
    Screen(
        "processes-persona",
        "processes:persona_detail",
        get(process_path("carte", lambda p: f"personas/{p.personas.first().pk}/")),
        expect="main h1",
    ),
    Screen(
        "processes-persona-edit",
        "processes:persona_edit",
        get(process_path("carte", lambda p: f"personas/{p.personas.first().pk}/modifier/")),
        "animateur",
        expect="main form",
    ),
    # white paper
    Screen(
        "processes-white-paper",
        "processes:white_paper",
        get(process_path("pnu", "livre-blanc/")),
        "animateur",
        expect="main h1",
    ),
    Screen(
        "processes-white-paper-version",
        "processes:white_paper_version",
        get(process_path("pnu", "livre-blanc/v1/")),
        expect="main h1",
    ),
    # decisions, synthesis, action programme
    Screen(
        "processes-decisions",
        "processes:decisions",
        get(process_path("pnu", "decisions/")),
        "animateur",
        expect="main table",
    ),
    Screen(
        "processes-decide",
        "processes:decide",
        get(
            process_path(
                "pnu", lambda p: f"decisions/{p.campaign.ideas.order_by('pk').first().pk}/"
            )
        ),
        SOPHIE_ELUE,
        expect="main form",
    ),
    Screen(
        "processes-synthesis",
        "processes:synthesis",
        get(process_path("pnu", "synthese/")),
        expect="main h1",
    ),
    Screen(
        "processes-actions",
        "processes:actions",
        get(process_path("pnu", "actions/")),
        "animateur",
        expect="main h1",
    ),
    Screen(
        "processes-action-edit",
        "processes:action_edit",
        get(process_path("pnu", lambda p: f"actions/{p.actions.order_by('pk').first().pk}/")),
        "animateur",
        expect="main form",
    ),
    Screen(
        "processes-action-update",
        "processes:action_update",
        get(process_path("pnu", lambda p: f"actions/{p.actions.order_by('pk').first().pk}/suivi/")),
        "animateur",
        expect="main form",
    ),
    Screen(
        "processes-programme",
        "processes:action_programme",
        get(process_path("pnu", "programme/")),
        expect="main h1",
    ),
    # charter
    Screen(
        "processes-charter",
        "processes:charter",
        get(process_path("pnu", "charte/")),
        expect="main h1",
    ),
    Screen(
        "processes-charter-edit",
        "processes:charter_edit",
        get(process_path("pnu", "charte/modifier/")),
        "animateur",
        expect="main h1",
    ),
    Screen(
        "processes-charter-version",
        "processes:charter_version",
        get(process_path("pnu", "charte/versions/1/")),
        expect="main h1",
    ),
    Screen(
        "processes-charter-diff",
        "processes:charter_diff",
        get(process_path("pnu", "charte/diff/1/2/")),
        expect="main h1",
    ),
]
SCREENS += PROCESS_SCREENS

SUBRESOURCES = {"stylesheet", "script", "image", "font"}

# Routes that are not pages (redirects, downloads, stylesheets, POST-only actions).
NOT_PAGES = {
    "core:healthz",
    "core:set_language",
    "core:theme_css",
    "accounts:logout",
    "accounts:verify_email",  # redirects to the profile or the login page
    "accounts:export",  # a JSON download (see test_journeys)
    "territory:share_delete",
    "voices:suggest",  # JSON for the capture forms (see test_voices_journey)
    "voices:photo",  # an image, shown on voices-detail
    "reports:staff_photo",  # an image, shown on reports-staff-detail (team members)
    "voices:set_status",  # POST-only actions on a voice: they redirect to its page, or
    "voices:reroute",  # show it again with the errors (voices-detail-action-error)
    "voices:share",
    "voices:note",
    "voices:escalate",
    "voices:merge",
    "voices:thank",
    "reports:field_manifest",  # the field page's web app manifest, service worker, data
    "reports:field_sw",  # and sync endpoint (JSON): see tests/reports/test_views_field.py
    "reports:field_reference",  # and tests/browser/test_field_offline.py
    "reports:field_send",
    "reports:map_json",  # JSON of the public map and of "already reported nearby"
    "reports:nearby_json",  # (see tests/reports/test_views_public.py)
    "reports:support",  # POST-only "me too": redirects to the report's page
    # Open311 GeoReport v2: JSON and XML for client applications, not pages
    # (tests/reports/test_open311.py, test_open311_clients.py)
    "open311:root",
    "open311:discovery",
    "open311:services",
    "open311:service",
    "open311:requests",
    "open311:request",
    "open311:token",
    "open311:not_found",
    # Baromètre: POST-only actions and downloads
    "barometer:criterion_move",  # POST: moves a criterion, redirects to the criteria page
    "barometer:technical_delete",  # POST: deletes a technical criterion, redirects
    "barometer:wave_status",  # POST: opens/closes/publishes a wave, redirects to it
    "barometer:wave_codes_csv",  # POST: the new invitation codes as a CSV download
    "barometer:import_delete",  # POST: removes an import, redirects to the wave
    "barometer:pdf",  # the PDF report (tests/barometer/test_views_results.py)
    # Idées: fragments, downloads and POST-only actions (tests/ideas/test_views_*.py and
    # tests/browser/test_ideas_*.py)
    "ideas:similar",  # the similar-ideas fragment (htmx), shown on ideas-submit
    "ideas:photo",  # an image, shown on the idea page
    "ideas:support",  # POST-only: redirect to the idea, or its participation fragment
    "ideas:follow",
    "ideas:comment",
    "ideas:make_public",
    "ideas:dashboard_csv",  # CSV download
    "ideas:review_publish",  # POST-only staff actions: they redirect back
    "ideas:to_decision",
    "ideas:quick_win",
    "ideas:approve",
    "ideas:moderate",
    # Guichet: POST-only actions and downloads (tests/guichet/test_*_views.py)
    "guichet:question_message",  # POST-only: redirect to the question's page
    "guichet:question_answer",
    "guichet:question_need",
    "guichet:question_withdraw",
    "guichet:question_attachment",  # a photo or a PDF download, listed on the question
    "guichet:knowledge_suggest",  # fragment (htmx) shown on guichet-ask (test_guichet)
    "guichet:knowledge_use",  # POST-only: "this entry helped me", back to the entry
    "guichet:knowledge_archive",
    "guichet:log_delete",  # POST-only: back to "my appointments"
    "guichet:log_export",  # CSV download of the dashboard
    "guichet:legal_case_close",  # POST-only: back to the case
    "guichet:legal_indicator_delete",
    # Démarches: POST-only actions and downloads (tests/processes/test_*)
    "processes:publish",
    "processes:close",
    "processes:voice_link",
    "processes:event_walk_in",
    "processes:event_attendance_toggle",
    "processes:call_close",
    "processes:application_withdraw",
    "processes:call_draw_data",  # JSON/CSV download (test_processes)
    "processes:call_finalize",
    "processes:call_swap",
    "processes:mission_letters",  # PDF downloads
    "processes:mission_letter",
    "processes:persona_quote_add",
    "processes:persona_quote_delete",
    "processes:persona_delete",
    "processes:white_paper_generate",
    "processes:white_paper_hand_over",
    "processes:white_paper_publish",
    "processes:white_paper_pdf",  # PDF download (test_processes)
    "processes:decisions_bulk",
    "processes:synthesis_publish",
    "processes:charter_sign",
    "processes:charter_withdraw",
    "processes:charter_publish",
}


@pytest.fixture(autouse=True)
def _remove_photos(demo):
    """Photos attached on a screen are files: remove them before the database is flushed."""
    yield
    voices_data.remove_photos()


@pytest.mark.parametrize("screen", SCREENS, ids=[s.id for s in SCREENS])
def test_page_is_accessible(browser, live_server, screen: Screen):
    context = new_context(browser, viewport=DESKTOP)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        broken = []  # stylesheets, scripts, images, fonts that failed to load
        page.on(
            "response",
            lambda r: (
                broken.append(f"{r.status} {r.url}")
                if r.status >= 400 and r.request.resource_type in SUBRESOURCES
                else None
            ),
        )
        if screen.role:
            login(page, live_server, screen.role)
        response = screen.reach(page, live_server)
        assert response is not None and response.status == screen.status, (
            f"{screen.id}: HTTP {response and response.status} on {page.url}, "
            f"expected {screen.status}"
        )
        page.wait_for_load_state("load")
        if screen.url_name:
            match = resolve(urlsplit(page.url).path)
            assert match.view_name == screen.url_name, (screen.id, page.url, match.view_name)
        assert page.locator(screen.expect).first.is_visible(), (
            f"{screen.id}: {screen.expect!r} not visible on {page.url}"
        )
        # Audited as people see it: styled, with every asset loaded.
        assert broken == [], f"{screen.id}: assets failed to load: {broken}"
        assert page.evaluate("() => document.styleSheets.length") > 0, f"{screen.id}: unstyled"
        audit(page, disabled_rules=screen.disabled_rules)

        page.set_viewport_size(PHONE)
        audit(page, disabled_rules=screen.disabled_rules)
        scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll_width <= PHONE["width"], (
            f"{screen.id}: the page scrolls sideways at {PHONE['width']} px "
            f"(scrollWidth {scroll_width}) on {page.url}; widest elements: "
            + str(page.evaluate(WIDEST_ELEMENTS, PHONE["width"]))
        )
    finally:
        context.close()


# Names the elements that stick out of the viewport, to make an overflow failure actionable.
WIDEST_ELEMENTS = """(limit) => [...document.querySelectorAll('body *')]
  .filter((el) => el.getBoundingClientRect().right > limit + 0.5)
  .slice(-5)
  .map((el) => {
    const classes = typeof el.className === 'string' ? el.className.trim() : '';
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (classes ? '.' + classes.split(/\\s+/).join('.') : '')
      + ' right=' + Math.round(el.getBoundingClientRect().right);
  })"""


def test_static_assets_are_served(page, live_server):
    """The stylesheet, script and logo every page links to must load (else every page is
    unstyled: the audits above would check a bare document)."""
    for path in ("/static/cocon/css/cocon.css", "/static/cocon/js/cocon.js"):
        response = page.request.get(url(live_server, path))
        assert response.status == 200, (
            f"{path}: HTTP {response.status}. cocon/static/ is not found by the static "
            "finders: `cocon` is not an installed app, so settings need "
            'STATICFILES_DIRS = [BASE_DIR / "static"].'
        )


def test_not_found_page_is_styled(page, live_server):
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    response = page.goto(url(live_server, "/page-inexistante/"))
    assert response.status == 404
    assert page.locator("main#contenu h1").is_visible()
    # Only the page itself is a 404: its stylesheet, script and logo load.
    assert failed == [response.url], failed
    styles = page.evaluate(
        """() => ({
          header: getComputedStyle(document.querySelector('.site-header')).backgroundColor,
          primary: getComputedStyle(document.documentElement).getPropertyValue('--c-primary'),
          skipTop: document.querySelector('.skip-link').getBoundingClientRect().bottom,
        })"""
    )
    assert styles["primary"].strip(), "cocon.css not applied (no --c-primary)"
    assert styles["header"] not in ("", "rgba(0, 0, 0, 0)", "transparent"), styles
    assert styles["skipTop"] <= 0, "the skip link should sit off-screen until focused"


def test_audit_reports_violations(page, live_server):
    """The audit itself works: a page with known serious problems fails, with the rule id,
    impact, help and the offending selectors in the message."""
    page.goto(url(live_server, "/accessibilite/"))
    page.evaluate(
        """() => {
          const img = document.createElement('img');
          img.src = '/static/cocon/img/cocon.svg';
          img.id = 'sans-alt';
          document.querySelector('main').append(img);
        }"""
    )
    with pytest.raises(AssertionError) as failure:
        audit(page)
    message = str(failure.value)
    assert "image-alt [critical]" in message
    assert "#sans-alt" in message


def _route_names(patterns, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _route_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_page_is_audited():
    """A new page must join SCREENS (or NOT_PAGES, if it is not a page)."""
    ours = {
        name
        for name in _route_names(get_resolver().url_patterns)
        if name.split(":")[0]
        in {
            "core",
            "territory",
            "accounts",
            "backoffice",
            "voices",
            "reports",
            "open311",
            "barometer",
            "ideas",
            "guichet",
            "processes",
        }
    }
    audited = {screen.url_name for screen in SCREENS}
    assert ours - audited - NOT_PAGES == set(), "pages without an accessibility audit"


def test_contact_details_stay_inside_their_card(page, live_server):
    """Long addresses and URLs wrap inside the contact card instead of spilling out."""
    page.goto(url(live_server, f"/organisations/{HOST}/"))
    overflow = page.evaluate(
        """() => {
          const card = document.querySelector('section.card--accent').getBoundingClientRect();
          return [...document.querySelectorAll('section.card--accent dd')]
            .filter((dd) => dd.getBoundingClientRect().right > card.right + 0.5)
            .map((dd) => dd.textContent.trim());
        }"""
    )
    assert overflow == []
