"""The demo Démarches (co-construction processes) of the Pays du Val de Lise.

- A FINISHED *Parc naturel urbain des Rives de la Lise* (the Strasbourg case of the
  study), led by the Ville de Montlise with the agglomeration and the Département:
  two public meetings, two immersion walks and a project workshop with mixed panels
  and attendance, 150 proposals with supports and a few published expert opinions,
  the white paper handed over to the élus by the inhabitants, a decision on every
  proposal, the synthesis published and notified, an action programme of eight
  actions, and a charter signed, revised (version 2) and partly re-signed.
- A RUNNING *La Transfo* of the agglomeration, in its training phase: the call for
  ambassadors (16 seats, targets by category, service and gender), ~45 applications
  approved (or not) by the managers and the draw made with its published seed, not yet
  finalized.
- A *Flash 360* whose single workshop is next week, with a target mix and a few
  registrations, so that the panel view shows the gaps.
- A *Carte blanche* at its personas phase: three personas quoting demo voices.

The frames go through the services of `cocon.processes` (they validate: phases, events,
calls, decisions' actions, synthesis, charter versions, white paper); the many rows of
a finished process that the services only accept "now" (registrations and attendance of
past events, proposals of a closed call, decisions, signatures) are bulk-written as the
services would have written them, with their history, and dates are moved back to when
they happened. Deterministic: the only randomness is the `random.Random` given; dates
are relative to `now`.

The white paper is stored as its HTML version (what the services snapshot); its PDF is
rendered on the first download, as for any version (WeasyPrint takes seconds: too slow
for a demo loaded before every browser test).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from cocon.accounts.models import AgentProfile, Role, User
from cocon.core import history
from cocon.core.models import OutboxEmail, StatusEvent
from cocon.demo import data
from cocon.ideas import services as idea_services
from cocon.ideas.models import (
    AuthorCategory,
    DecisionLevel,
    Follow,
    Idea,
    IdeaVersion,
    Review,
    State,
    Support,
    Visibility,
)
from cocon.processes import (
    services_ambassadors,
    services_charter,
    services_decisions,
    services_events,
    services_personas,
    services_process,
    services_white_paper,
)
from cocon.processes.models.ambassadors import AmbassadorCall, Application, Decision, Gender
from cocon.processes.models.charter import CharterVersion, Signature, SignerKind
from cocon.processes.models.decisions import (
    RETAINED_OUTCOMES,
    ActionStatus,
    Outcome,
    ProposalDecision,
    Synthesis,
)
from cocon.processes.models.events import (
    Event,
    EventKind,
    EventOutput,
    Registration,
)
from cocon.processes.models.process import Phase, Process, Template
from cocon.processes.models.white_paper import WhitePaperVersion
from cocon.territory.models import Commune, Organization, Service, Territory
from cocon.voices.models import Theme, Voice

A, V, D = data.AGGLO, data.VILLE, data.DEPARTEMENT
ANIMATEUR_EMAIL = f"animateur@{data.EMAIL_DOMAIN}"
PARTICIPANTS_DOMAIN = f"participants.{data.EMAIL_DOMAIN}"  # registrants without account

PNU_TITLE = "Parc naturel urbain des Rives de la Lise"
TRANSFO_TITLE = "La Transfo du Val de Lise"
FLASH_TITLE = "Flash 360 : l'accueil des nouveaux habitants en France services"
CARTE_BLANCHE_TITLE = "Carte blanche pour les services publics du nord du Val de Lise"
PROPOSAL_COUNT = 150

# The accounts a visitor may use to try the Démarches (password: the demo password);
# the animateur (Karim Haddad) runs all of them, the agent (Nadia Benali) applied as
# an ambassador.
DEMO_ACCOUNTS: list[tuple[str, str]] = [
    (
        "Élue marraine du parc naturel urbain",
        data.person_email("Sophie", "Marchetti", V),
    ),
    (
        "Encadrante d'une candidate ambassadrice (France services)",
        data.person_email("Isabelle", "Morel", A),
    ),
]

FEMININE = {
    "Agnès", "Amandine", "Anne-Sophie", "Aurélie", "Aïcha", "Brigitte", "Camille",
    "Catherine", "Chantal", "Claire", "Céline", "Dominique", "Fatima", "Hélène", "Inès",
    "Isabelle", "Julie", "Karine", "Laetitia", "Laurence", "Léa", "Malika", "Manon",
    "Marie-Claire", "Marion", "Martine", "Mathilde", "Nadia", "Nadège", "Nathalie",
    "Sandra", "Sarah", "Sonia", "Sophie", "Sylvie", "Véronique", "Yasmine", "Élodie",
    "Émilie", "Évelyne",
}  # fmt: skip


@dataclass
class Ctx:
    territory: Territory
    rng: random.Random
    now: dt.datetime
    today: dt.date
    orgs: dict[str, Organization]
    services: dict[tuple[str, str], Service]
    users: dict[str, User]
    residents: list[User]
    profiles: dict[int, AgentProfile]
    animateur: User

    def person(self, first: str, last: str, org: str) -> User | None:
        return self.users.get(data.person_email(first, last, org))

    def at(self, day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def load(territory: Territory, rng: random.Random, *, now: dt.datetime | None = None) -> dict:
    """Create the demo processes; returns how many of each were written."""
    now = now or timezone.now()
    ctx = _context(territory, rng, now)
    outbox_before = OutboxEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with translation.override(settings.LANGUAGE_CODE):
        pnu = _pnu(ctx)
        transfo = _transfo(ctx)
        flash = _flash(ctx)
        carte = _carte_blanche(ctx)
        # the daily job the finished process has long been through: contacts of
        # registrants are erased six months after the events
        services_events.erase_contacts(ctx.today)
    # as the Idées demo: the notifications wait in the app, no email is queued to the
    # demo domain (the synthesis, registrations and the charter's revision queue some)
    OutboxEmail.objects.filter(pk__gt=outbox_before, status=OutboxEmail.Status.PENDING).delete()
    return {"processes": 4, "pnu": pnu.pk, "transfo": transfo.pk, "flash": flash.pk, "carte": carte}


def _context(territory: Territory, rng: random.Random, now: dt.datetime) -> Ctx:
    orgs = {o.slug: o for o in Organization.objects.filter(territory=territory)}
    services = {
        (s.organization.slug, s.slug): s
        for s in Service.objects.filter(organization__territory=territory).select_related(
            "organization"
        )
    }
    users = {u.email: u for u in User.objects.filter(email__iendswith=data.EMAIL_DOMAIN)}
    residents = sorted(
        (
            u
            for e, u in users.items()
            if e.endswith(f"@{data.RESIDENT_SUBDOMAIN}.{data.EMAIL_DOMAIN}")
        ),
        key=lambda u: u.email,
    )
    residents.insert(0, users[f"usager@{data.EMAIL_DOMAIN}"])
    profiles = {
        p.user_id: p
        for p in AgentProfile.objects.filter(organization__territory=territory).select_related(
            "organization", "service"
        )
    }
    return Ctx(
        territory=territory,
        rng=rng,
        now=now,
        today=timezone.localdate(now),
        orgs=orgs,
        services=services,
        users=users,
        residents=residents,
        profiles=profiles,
        animateur=users[ANIMATEUR_EMAIL],
    )


def _backdate(model, pk, **fields) -> None:
    model.objects.filter(pk=pk).update(**fields)


MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def _fr_date(day: dt.date) -> str:
    months = MONTHS_FR
    return f"{day.day} {months[day.month - 1]} {day.year}"


# =========================================================================================
# Parc naturel urbain (finished)
# =========================================================================================
PNU_QUESTION = (
    "Comment faire des berges de la Lise, entre les Rives, la Gare et le Moulin, un parc "
    "naturel urbain que les habitants s'approprient et font vivre ?"
)
PNU_DESCRIPTION = (
    "Entre les quartiers des Rives, de la Gare et du Moulin, les berges de la Lise "
    "gardent des prairies, des jardins familiaux, d'anciens vergers et une ripisylve "
    "précieuse, coupés par la voie ferrée et peu accessibles. La Ville de Montlise, avec "
    "Val de Lise Agglomération et le Département de Haute-Lise, a construit le projet de "
    "parc naturel urbain avec les habitants, les associations, les élus et les agents de "
    "terrain : réunions publiques, promenades en immersion, atelier de projet, livre "
    "blanc présenté aux élus par les habitants eux-mêmes, décisions motivées, programme "
    "d'actions des services et charte d'engagements."
)
# (title, days): the blueprint's eight phases, the periodic revision shortened so that
# the whole process lies in the last eighteen months
PNU_DAYS = (30, 30, 45, 30, 60, 30, 30, 300)
PNU_START_DAYS_AGO = sum(PNU_DAYS) + 5

SECTORS = (
    "les Rives",
    "la Gare",
    "le Moulin",
    "l'île aux Saules",
    "la berge nord",
)
ASSOCIATIONS = (
    "Les Amis de la Lise",
    "LPO Haute-Lise",
    "Jardins partagés du Moulin",
    "Comité de quartier des Rives",
    "Lise à vélo",
)
EXPERT_LABELS = (
    "Écologue, conservatoire d'espaces naturels",
    "Paysagiste, CAUE de Haute-Lise",
    "Hydrologue, syndicat de rivière de la Lise",
    "Naturaliste, LPO Haute-Lise",
)

EV, PROP, VOIRIE, NAT, EAU, VQ = (
    (V, "espaces-verts"),
    (V, "proprete-urbaine"),
    (V, "voirie-eclairage"),
    (A, "espaces-naturels"),
    (A, "eau-assainissement"),
    (V, "vie-des-quartiers"),
)


@dataclass(frozen=True)
class Base:
    title: str
    problem: str
    proposal: str
    benefit: str
    service: tuple[str, str]
    outcome: str
    reason: str
    theme: str = "espaces-verts"


R, RC, RJ, OS = (
    Outcome.RETAINED,
    Outcome.RETAINED_WITH_CHANGES,
    Outcome.REJECTED,
    Outcome.OUT_OF_SCOPE,
)

PNU_BASES: tuple[Base, ...] = (
    Base(
        "Un cheminement continu le long de la Lise",
        "Le chemin de berge s'arrête au pont de la Gare : il faut remonter sur la route.",
        "Relier les trois quartiers par un cheminement piéton continu, en stabilisé, du "
        "Moulin jusqu'aux Rives.",
        "Se promener, aller à l'école ou au marché à pied, loin des voitures.",
        NAT,
        R,
        "Le cheminement est l'épine dorsale du parc : il est inscrit au programme 2026-2027.",
    ),
    Base(
        "Une passerelle sous la voie ferrée",
        "La voie ferrée coupe le parc en deux ; le passage actuel est sombre et inondable.",
        "Aménager le passage inférieur existant : éclairage, marche-pied hors d'eau, fresque.",
        "Ne plus faire un détour d'un kilomètre pour rejoindre l'autre rive.",
        VOIRIE,
        RC,
        "Le passage sera rénové, mais sans fresque : SNCF Réseau n'autorise pas la peinture "
        "de l'ouvrage.",
        "voirie",
    ),
    Base(
        "Des jardins partagés au pied des immeubles",
        "Les jardins familiaux ont dix ans d'attente ; beaucoup d'habitants n'ont pas de balcon.",
        "Créer des parcelles de jardins partagés gérées par une association du quartier.",
        "Cultiver, se rencontrer, transmettre entre générations.",
        EV,
        R,
        "Deux jardins partagés seront créés, confiés par convention aux associations.",
    ),
    Base(
        "Replanter un verger de variétés anciennes",
        "Les vieux pommiers de la prairie du Moulin meurent sans être remplacés.",
        "Replanter un verger conservatoire de variétés locales, avec les écoles.",
        "Garder le paysage, cueillir, apprendre aux enfants.",
        EV,
        R,
        "Le verger sera planté à l'automne avec les écoles du quartier.",
    ),
    Base(
        "Restaurer les mares de la prairie humide",
        "Les mares se comblent et les tritons disparaissent.",
        "Curer et reprofiler les mares, avec un suivi par les naturalistes.",
        "Garder la biodiversité qui fait la valeur du site.",
        NAT,
        R,
        "Les mares seront restaurées hors période de reproduction, suivies par la LPO.",
    ),
    Base(
        "Des bancs et des tables de pique-nique",
        "Il n'y a nulle part où s'asseoir le long de la berge.",
        "Installer des bancs tous les 200 mètres et des tables près des pelouses.",
        "Permettre aux personnes âgées de se promener et aux familles de pique-niquer.",
        EV,
        RC,
        "Des bancs seront posés, en bois local ; les tables seront limitées à deux aires "
        "pour éviter les dépôts de déchets.",
    ),
    Base(
        "Des toilettes publiques à l'entrée du parc",
        "Aucune toilette sur le site : les familles écourtent leur sortie.",
        "Installer des toilettes sèches ouvertes toute l'année à l'entrée de la Gare.",
        "Rendre le parc accessible à tous, y compris aux enfants et aux personnes âgées.",
        PROP,
        RC,
        "Des toilettes sèches seront installées, ouvertes d'avril à octobre seulement.",
        "proprete",
    ),
    Base(
        "Éclairer tout le cheminement la nuit",
        "Le soir, la berge fait peur et personne ne l'emprunte.",
        "Éclairer le chemin de berge toute la nuit.",
        "Se sentir en sécurité en rentrant du travail.",
        VOIRIE,
        RJ,
        "Éclairer la berge détruirait le corridor nocturne des chauves-souris ; seul le "
        "passage sous la voie ferrée et les accès aux quartiers seront éclairés, avec "
        "détection de présence.",
        "eclairage",
    ),
    Base(
        "Un parking pour accéder au parc en voiture",
        "Les habitants des autres communes ne savent pas où se garer.",
        "Créer un parking de cinquante places à l'entrée du Moulin.",
        "Ouvrir le parc à toute l'agglomération.",
        VOIRIE,
        RJ,
        "Le parc est desservi par la gare et deux lignes de bus ; un parking artificialiserait "
        "une prairie. Les places existantes de la gare seront signalées.",
        "mobilite",
    ),
    Base(
        "Des poubelles de tri et un ramassage régulier",
        "Les déchets s'accumulent après les beaux week-ends.",
        "Installer des poubelles de tri aux entrées et les vider le lundi matin.",
        "Un parc propre, que l'on respecte davantage.",
        PROP,
        R,
        "Des corbeilles de tri seront posées aux six entrées, vidées le lundi et le vendredi.",
        "proprete",
    ),
    Base(
        "Un panneau d'accueil et des parcours balisés",
        "On ne sait pas où commence le parc ni ce qu'on peut y voir.",
        "Poser des panneaux d'accueil aux entrées et baliser trois boucles de promenade.",
        "Découvrir le site, se repérer, donner envie de revenir.",
        NAT,
        R,
        "La signalétique sera conçue avec les habitants lors d'un atelier dédié.",
    ),
    Base(
        "Des ruches pédagogiques",
        "Les enfants du quartier ne connaissent pas les abeilles.",
        "Installer quelques ruches avec un apiculteur qui accueille les écoles.",
        "Sensibiliser à la biodiversité.",
        NAT,
        RC,
        "Les ruches seront installées sur l'île aux Saules, à l'écart des cheminements, avec "
        "un apiculteur conventionné.",
    ),
    Base(
        "Un pâturage par des moutons",
        "La tonte mécanique des prairies est bruyante et coûteuse.",
        "Confier l'entretien des prairies à un éleveur avec un troupeau de moutons.",
        "Un entretien doux, qui plaît aux enfants.",
        NAT,
        R,
        "Un éco-pâturage sera mis en place sur deux prairies clôturées, d'avril à octobre.",
    ),
    Base(
        "Accès pour les fauteuils et les poussettes",
        "Les accès au parc sont en escalier ou en pente raide.",
        "Rendre au moins une entrée par quartier accessible aux fauteuils et poussettes.",
        "Que personne ne soit exclu du parc.",
        VOIRIE,
        R,
        "Une entrée accessible par quartier sera réalisée, avec un cheminement adapté.",
        "voirie",
    ),
    Base(
        "Une fête annuelle du parc",
        "Beaucoup d'habitants ignorent encore l'existence du parc.",
        "Organiser chaque année une fête du parc avec les associations.",
        "Faire connaître le parc et créer des liens entre quartiers.",
        VQ,
        R,
        "La fête du parc aura lieu chaque premier dimanche de juin, coorganisée avec les "
        "associations.",
        "vie-locale",
    ),
    Base(
        "Des chantiers participatifs d'entretien",
        "Les habitants veulent s'impliquer mais ne savent pas comment.",
        "Proposer des chantiers participatifs : plantations, arrachage des plantes invasives.",
        "S'approprier le parc, apprendre, faire ensemble.",
        NAT,
        R,
        "Quatre chantiers participatifs par an seront encadrés par les agents du service.",
    ),
    Base(
        "Interdire les chiens dans tout le parc",
        "Les déjections et les chiens non tenus gênent les promeneurs.",
        "Interdire les chiens dans tout le parc.",
        "Un parc propre et tranquille pour les enfants.",
        PROP,
        RJ,
        "Une interdiction générale pénaliserait de nombreux habitants ; des espaces de "
        "liberté canine et des distributeurs de sacs seront aménagés, la laisse sera "
        "obligatoire près des aires de jeux.",
        "proprete",
    ),
    Base(
        "Une baignade surveillée dans la Lise",
        "L'été, il fait très chaud dans le quartier et la piscine est loin.",
        "Aménager une baignade surveillée dans la boucle de la Lise.",
        "Se rafraîchir l'été sans prendre la voiture.",
        EAU,
        OS,
        "La qualité de l'eau et le courant de la Lise relèvent de l'État et du syndicat de "
        "rivière ; la demande leur est transmise, mais elle sort du champ du parc.",
        "eau-assainissement",
    ),
    Base(
        "Un observatoire des oiseaux",
        "Les oiseaux de la ripisylve sont difficiles à voir sans les déranger.",
        "Construire un observatoire en bois au bord de la prairie humide.",
        "Observer sans déranger, accueillir les écoles.",
        NAT,
        RC,
        "Un observatoire sera construit, plus petit que prévu et en chantier participatif.",
    ),
    Base(
        "Une aire de jeux en matériaux naturels",
        "Les enfants des Rives n'ont qu'une aire de jeux vieillissante.",
        "Créer une aire de jeux en bois et en matériaux naturels à l'entrée des Rives.",
        "Jouer dehors, près de la nature.",
        EV,
        R,
        "L'aire de jeux sera conçue avec les enfants de l'école des Rives.",
    ),
    Base(
        "Des composteurs collectifs",
        "Les habitants des immeubles n'ont pas de solution pour leurs déchets verts.",
        "Installer des composteurs collectifs près des jardins partagés.",
        "Réduire les déchets, nourrir les jardins.",
        PROP,
        R,
        "Trois sites de compostage seront installés et suivis par des guides composteurs.",
        "dechets",
    ),
    Base(
        "Une piste cyclable express dans le parc",
        "Les cyclistes qui vont à la gare n'ont pas d'itinéraire sûr.",
        "Tracer une piste cyclable rapide à travers le parc.",
        "Aller à vélo à la gare en sécurité.",
        VOIRIE,
        RC,
        "Le cheminement sera partagé piétons-vélos à vitesse modérée ; la piste express "
        "passera par l'avenue voisine, au plan vélo de l'agglomération.",
        "mobilite",
    ),
    Base(
        "Des animations nature pour les écoles",
        "Les écoles manquent d'intervenants pour les sorties nature.",
        "Proposer un programme d'animations nature gratuit pour les écoles du quartier.",
        "Faire découvrir la nature de proximité aux enfants.",
        NAT,
        R,
        "Un programme d'animations sera proposé à toutes les écoles des trois quartiers.",
        "enfance-ecoles",
    ),
    Base(
        "Un café associatif dans l'ancienne maison éclusière",
        "La maison éclusière est fermée depuis des années.",
        "Y ouvrir un café associatif et un lieu d'accueil du parc.",
        "Un lieu de rencontre et d'information au cœur du parc.",
        VQ,
        RC,
        "La maison sera ouverte en lieu d'accueil du parc ; un appel à projets associatif "
        "dira s'il peut accueillir un café.",
        "vie-locale",
    ),
    Base(
        "Arracher la renouée du Japon",
        "La renouée envahit les berges et étouffe les autres plantes.",
        "Organiser l'arrachage régulier de la renouée et replanter des essences locales.",
        "Préserver la flore des berges.",
        NAT,
        R,
        "Un plan de gestion des plantes invasives sera mené sur trois ans.",
    ),
    Base(
        "Vidéosurveillance aux entrées du parc",
        "Des rodéos de motos ont lieu certains soirs.",
        "Installer des caméras de vidéoprotection aux entrées du parc.",
        "Dissuader les rodéos et les dégradations.",
        VOIRIE,
        OS,
        "La vidéoprotection relève du plan municipal de sécurité, examiné par le conseil "
        "local de sécurité ; des chicanes empêchant l'accès des motos seront posées.",
        "voirie",
    ),
    Base(
        "Des fontaines à eau potable",
        "L'été, il n'y a pas d'eau pour les promeneurs et les sportifs.",
        "Installer deux fontaines à eau potable le long du cheminement.",
        "Se désaltérer, éviter les bouteilles en plastique.",
        EAU,
        R,
        "Deux fontaines seront raccordées au réseau d'eau potable.",
        "eau-assainissement",
    ),
    Base(
        "Un parcours sportif",
        "Les jeunes du quartier s'entraînent sur les trottoirs.",
        "Installer un parcours sportif avec des agrès le long du chemin.",
        "Faire du sport gratuitement en plein air.",
        EV,
        RJ,
        "Un parcours complet fragmenterait la prairie ; des agrès de street workout seront "
        "installés au city-stade voisin.",
        "vie-locale",
    ),
    Base(
        "Garder des zones sauvages sans entretien",
        "Tout est tondu ras, même là où personne ne marche.",
        "Laisser des zones en gestion différenciée, fauchées une fois par an.",
        "Plus d'insectes, de fleurs et d'oiseaux.",
        EV,
        R,
        "La gestion différenciée sera appliquée à la moitié des surfaces enherbées.",
    ),
    Base(
        "Une navette fluviale vers le centre-ville",
        "Le centre-ville est à vingt minutes à pied.",
        "Mettre en service une navette fluviale sur la Lise jusqu'au centre.",
        "Relier le parc au centre de façon originale.",
        EAU,
        OS,
        "La Lise n'est pas navigable sur ce tronçon et la compétence transport relève de "
        "l'agglomération : la proposition est transmise au plan de mobilité.",
        "mobilite",
    ),
)

GENERIC_REASONS = {
    R: "Proposition cohérente avec les orientations du livre blanc, retenue au programme.",
    RC: "Retenue dans son principe, adaptée aux contraintes techniques et budgétaires.",
    RJ: "Non retenue : elle contredit la protection des milieux naturels du parc.",
    OS: "Hors du champ du parc : elle est transmise au service compétent.",
}
CHANGES = {
    RC: "Réalisation par étapes, à partir du secteur le plus fréquenté.",
}
OTHER_OUTCOME_WEIGHTS = ((R, 40), (RC, 20), (RJ, 25), (OS, 15))
STICKY_NOTES = (
    "Des bancs à l'ombre près de la prairie",
    "Un plan du parc à chaque entrée",
    "Des nichoirs fabriqués par les enfants",
    "Ne pas tondre les talus au printemps",
    "Des toilettes ouvertes le week-end",
    "Un accès facile depuis l'arrêt de bus de la Gare",
    "Des poubelles qui ferment (corbeaux)",
    "Un coin pique-nique couvert",
    "Des visites guidées par les anciens du quartier",
    "Une grainothèque dans la maison éclusière",
    "Des arbres fruitiers en libre cueillette",
    "Éclairer seulement le passage sous la voie ferrée",
    "Un abri pour les vélos à l'entrée du Moulin",
    "Des panneaux en plusieurs langues",
    "Garder le vieux saule de l'île",
    "Une boîte à idées dans le parc",
)


def _pnu(ctx: Ctx) -> Process:
    orgs, animateur = ctx.orgs, ctx.animateur
    start = ctx.today - dt.timedelta(days=PNU_START_DAYS_AGO)
    sponsor = ctx.person("Sophie", "Marchetti", V)
    process = services_process.process_create(
        actor=animateur,
        organization=orgs[V],
        template=Template.PNU,
        title=PNU_TITLE,
        question=PNU_QUESTION,
        description=PNU_DESCRIPTION,
        starts_on=start,
        scope="Berges de la Lise, quartiers des Rives, de la Gare et du Moulin (Montlise)",
        organizations=[orgs[A], orgs[D]],
        services=[ctx.services[k] for k in (EV, PROP, VOIRIE, VQ, NAT, EAU)],
        communes=list(Commune.objects.filter(territory=ctx.territory, name=data.CENTRAL_CITY)),
        owner_team="Mission participation citoyenne de la Ville de Montlise",
        sponsor=sponsor,
        sponsor_label="Sophie Marchetti, adjointe au maire déléguée au cadre de vie",
        animateurs=[animateur],
    )
    phases = list(process.phases.order_by("position"))
    rows, day = [], start
    for phase, days in zip(phases, PNU_DAYS, strict=True):
        ends = day + dt.timedelta(days=days - 1)
        rows.append(
            {
                "id": phase.pk,
                "title": phase.title,
                "description": phase.description,
                "starts_on": day,
                "ends_on": ends,
                "components": phase.components,
            }
        )
        day = ends + dt.timedelta(days=1)
    phases = services_process.phases_save(process, actor=animateur, phases=rows)
    process.refresh_from_db()
    services_process.process_publish(process, actor=animateur)
    _backdate(
        Process,
        process.pk,
        created_at=ctx.at(start - dt.timedelta(days=30)),
        published_at=ctx.at(start - dt.timedelta(days=21)),
    )
    events = _pnu_events(ctx, process, phases)
    ideas = _pnu_ideas(ctx, process, phases, events)
    _pnu_white_paper(ctx, process, phases)
    retained = _pnu_decisions(ctx, process, phases, ideas, sponsor)
    _pnu_synthesis(ctx, process, phases)
    _pnu_actions(ctx, process, phases, retained)
    _pnu_charter(ctx, process, phases)
    services_process.process_close(process, actor=animateur)
    _backdate(Process, process.pk, closed_at=ctx.at(phases[-1].ends_on, 18))
    return process


# --- events -------------------------------------------------------------------------------
@dataclass(frozen=True)
class EventPlan:
    phase: int
    day: int
    hour: int
    hours: int
    kind: str
    title: str
    place: str
    description: str
    size: int
    capacity: int | None
    mix: tuple[tuple[str, int], ...]  # role weights of the registrations
    target: tuple[tuple[str, int], ...] = ()
    minutes: str = ""


PNU_EVENTS = (
    EventPlan(
        0,
        4,
        19,
        2,
        EventKind.MEETING,
        "Réunion publique de lancement",
        "Salle des fêtes des Rives, 2 rue des Tanneurs, Montlise",
        "L'adjointe au cadre de vie présente le projet de parc naturel urbain et invite "
        "chacun à y participer.",
        60,
        None,
        (("usager", 70), ("association", 12), ("elu", 5), ("agent", 8), ("expert", 5)),
        minutes="Environ soixante-dix personnes. Questions principales : accès au parc depuis "
        "la Gare, sécurité le soir, avenir des jardins familiaux. Calendrier présenté ; "
        "inscriptions aux promenades ouvertes.",
    ),
    EventPlan(
        0,
        22,
        18,
        2,
        EventKind.MEETING,
        "Réunion publique au Moulin",
        "Maison de quartier du Moulin, 14 chemin du Bief, Montlise",
        "Deuxième réunion, dans le quartier du Moulin, pour celles et ceux qui n'ont pu venir "
        "à la première.",
        45,
        None,
        (("usager", 72), ("association", 12), ("elu", 4), ("agent", 8), ("expert", 4)),
        minutes="Une cinquantaine de participants. Forte attente sur le verger et les mares ; "
        "inquiétude sur le stationnement.",
    ),
    EventPlan(
        1,
        5,
        9,
        3,
        EventKind.WALK,
        "Promenade en immersion : des Rives au pont de la Gare",
        "Rendez-vous devant l'école des Rives, Montlise",
        "Élus, habitants, associations, experts et agents de terrain parcourent ensemble les "
        "berges. Chaussures de marche conseillées.",
        22,
        25,
        (("usager", 40), ("association", 18), ("elu", 10), ("expert", 14), ("agent", 18)),
        target=(("usager", 10), ("association", 4), ("elu", 2), ("expert", 3), ("agent", 4)),
        minutes="Arrêts : passage sous la voie ferrée (inondable, sombre), prairie humide "
        "(mares comblées), jardins familiaux. Les agents des espaces verts ont expliqué la "
        "fauche tardive.",
    ),
    EventPlan(
        1,
        19,
        14,
        3,
        EventKind.WALK,
        "Promenade en immersion : du Moulin à l'île aux Saules",
        "Rendez-vous au parking de la maison éclusière, Montlise",
        "Deuxième promenade, côté Moulin. Parcours de 3 km, accessible en fauteuil jusqu'à "
        "la maison éclusière.",
        25,
        25,
        (("usager", 40), ("association", 18), ("elu", 10), ("expert", 14), ("agent", 18)),
        target=(("usager", 10), ("association", 4), ("elu", 2), ("expert", 3), ("agent", 4)),
        minutes="Observation de la renouée du Japon sur la berge nord ; le vieux verger du "
        "Moulin ; la maison éclusière fermée. Proposition d'un observatoire des oiseaux.",
    ),
    EventPlan(
        2,
        10,
        9,
        6,
        EventKind.WORKSHOP,
        "Atelier de projet du parc",
        "Gymnase de la Gare, 1 avenue Jean-Jaurès, Montlise",
        "Tous les volontaires définissent ensemble les finalités, les enjeux, les objectifs "
        "et les actions concrètes du parc. Repas partagé le midi.",
        38,
        40,
        (("usager", 50), ("association", 18), ("agent", 15), ("expert", 11), ("elu", 6)),
        target=(("usager", 18), ("association", 6), ("agent", 6), ("expert", 4), ("elu", 2)),
        minutes="Quatre tables : cheminements et accès ; nature et biodiversité ; usages et "
        "animation ; propreté et entretien. Les post-it et les propositions de chaque table "
        "ont été saisis comme contributions de la démarche.",
    ),
)
AGE_WEIGHTS = (("15-29", 14), ("30-44", 27), ("45-59", 24), ("60-74", 23), ("75+", 12))
NEIGHBOUR_COMMUNES = ("Vorlanges", "Moirac-sur-Lise", "Tullière", "Rivelonne")


def _pick(rng: random.Random, weights) -> str:
    values, w = zip(*weights, strict=True)
    return rng.choices(values, weights=w)[0]


def _pnu_events(ctx: Ctx, process: Process, phases: list[Phase]) -> list[Event]:
    rng = ctx.rng
    communes = {c.name: c for c in Commune.objects.filter(territory=ctx.territory)}
    agents = [
        ctx.users[e]
        for e in sorted(ctx.users)
        if e.endswith(f"@{V}.{data.EMAIL_DOMAIN}") or e.endswith(f"@{A}.{data.EMAIL_DOMAIN}")
    ]
    agents = [u for u in agents if u.pk in ctx.profiles and u != ctx.animateur]
    elus = [
        u
        for u in (
            ctx.person("Sophie", "Marchetti", V),
            ctx.person("Marie-Claire", "Dubois", V),
            ctx.person("Jean-Pierre", "Garcin", A),
            ctx.users.get(f"elu@{data.EMAIL_DOMAIN}"),
        )
        if u is not None
    ]
    experts = [u for u in (ctx.person("Lucas", "Berthet", A),) if u is not None]
    events, registrations = [], []
    for plan in PNU_EVENTS:
        phase = phases[plan.phase]
        starts = ctx.at(phase.starts_on + dt.timedelta(days=plan.day), plan.hour)
        event = services_events.event_save(
            actor=ctx.animateur,
            process=process,
            phase=phase,
            kind=plan.kind,
            title=plan.title,
            description=plan.description,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=plan.hours),
            place=plan.place,
            accessibility="Accès de plain-pied, boucle magnétique, interprète LSF sur demande."
            if plan.kind != EventKind.WALK
            else "Parcours en grande partie accessible ; une joëlette est disponible.",
            capacity=plan.capacity,
            registration_open=False,
            target_mix=dict(plan.target),
            minutes=plan.minutes,
        )
        erase_on = services_events.contact_erase_on(event)
        taken_users: set[int] = set()

        def account(pool, taken=taken_users):
            free = [u for u in pool if u.pk not in taken]
            if not free:
                return None
            user = rng.choice(free)
            taken.add(user.pk)
            return user

        # the panel the animateur aimed for is at least half there, then anyone came
        forced = [role for role, n in plan.target for _ in range(max(1, n // 2))]
        for i in range(plan.size + rng.randint(2, 5)):
            walk_in = i >= plan.size
            role = forced[i] if i < len(forced) else _pick(rng, plan.mix)
            user = None
            if role == "usager" and rng.random() < 0.35:
                user = account(ctx.residents)
            elif role == "agent":
                user = account(agents)
            elif role == "elu":
                user = account(elus)
            elif role == "expert" and rng.random() < 0.4:
                user = account(experts)
            name = (
                user.full_name
                if user
                else f"{rng.choice(data.FIRST_NAMES)} " + rng.choice(data.LAST_NAMES)
            )
            profile = ctx.profiles.get(user.pk) if user else None
            email = ""
            if not walk_in and rng.random() < 0.7:
                email = (
                    user.email
                    if user
                    else f"{data.ascii_slug(name).replace('-', '.')}{i}@{PARTICIPANTS_DOMAIN}"
                )
            label = ""
            if role == "association":
                label = rng.choice(ASSOCIATIONS)
            elif role == "expert":
                label = rng.choice(EXPERT_LABELS) if user is None else "Référent nature, Agglo"
            elif profile is not None:
                label = profile.organization.display_name
            elif role == "elu":
                label = "Ville de Montlise"
            age = commune = None
            if role in ("usager", "association") and rng.random() < 0.7:
                age = _pick(rng, AGE_WEIGHTS)
                commune = communes.get(
                    data.CENTRAL_CITY if rng.random() < 0.8 else rng.choice(NEIGHBOUR_COMMUNES)
                )
            attended = True if walk_in else rng.random() < 0.83
            registrations.append(
                Registration(
                    event=event,
                    user=user,
                    name=name,
                    email=email,
                    email_consent=bool(email) and rng.random() < 0.6,
                    contact_erase_on=erase_on,
                    role=role,
                    category=(profile.category if profile else "-") if role == "agent" else "",
                    organization_label=label,
                    accessibility_needs="Fauteuil roulant" if rng.random() < 0.03 else "",
                    age_band=age or "",
                    commune=commune,
                    status=Registration.Status.REGISTERED,
                    attended=attended,
                    attendance_taken_at=starts + dt.timedelta(minutes=20),
                    walk_in=walk_in,
                    created_at=starts
                    if walk_in
                    else starts - dt.timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 10)),
                )
            )
        _backdate(Event, event.pk, created_at=starts - dt.timedelta(days=30))
        events.append(event)
    Registration.objects.bulk_create(registrations, batch_size=500)
    return events


# --- proposals ----------------------------------------------------------------------------
def _pnu_ideas(ctx: Ctx, process: Process, phases: list[Phase], events: list[Event]) -> list:
    """150 proposals of the process's call: written by residents and agents online,
    typed by the animateur from the paper cards of the meetings and walks, and the
    workshop's sticky notes and proposals (tied to the workshop)."""
    rng, campaign = ctx.rng, process.campaign
    workshop = events[-1]
    collect = phases[2]
    themes = {t.slug: t for t in Theme.objects.filter(territory=ctx.territory)}
    agents = [
        ctx.users[e]
        for e in sorted(ctx.users)
        if e.endswith(f"@{V}.{data.EMAIL_DOMAIN}") and ctx.users[e].pk in ctx.profiles
    ]
    origin = services_events.origin_text(workshop)
    workshop_day = timezone.localtime(workshop.starts_at)
    drafts = []  # (idea, base, output kind or "")
    bases = list(PNU_BASES)
    notes = list(STICKY_NOTES)
    n_notes, n_workshop_proposals = len(notes), 8
    for i in range(PROPOSAL_COUNT):
        if i < n_notes:
            text = notes[i]
            base = rng.choice(bases)
            kind = EventOutput.Kind.STICKY_NOTE
        else:
            base = bases[(i - n_notes) % len(bases)]
            kind = EventOutput.Kind.PROPOSAL if i < n_notes + n_workshop_proposals else ""
        repeat = (i - n_notes) // len(bases) if i >= n_notes else 0
        author = submitted_by = None
        category, service_id, org_id = AuthorCategory.USAGER, None, None
        if kind:
            submitted_by = ctx.animateur
            created = workshop_day + dt.timedelta(hours=rng.randint(6, 30))
        else:
            created = ctx.at(
                collect.starts_on + dt.timedelta(days=rng.randint(0, 44)),
                rng.randint(8, 21),
                rng.randint(0, 59),
            )
            roll = rng.random()
            if roll < 0.55:
                author = rng.choice(ctx.residents)
            elif roll < 0.67:
                author = rng.choice(agents)
                profile = ctx.profiles[author.pk]
                category, service_id, org_id = (
                    profile.category,
                    profile.service_id,
                    profile.organization_id,
                )
            else:
                submitted_by = ctx.animateur
        if kind == EventOutput.Kind.STICKY_NOTE:
            title = services_events.note_title(text)
            problem, proposal, benefit = origin, text, origin
        else:
            title = base.title if repeat == 0 else f"{base.title} ({SECTORS[repeat % 5]})"
            problem, proposal, benefit = base.problem, base.proposal, base.benefit
            if repeat:
                problem = f"Secteur {SECTORS[repeat % 5]} : {problem[0].lower()}{problem[1:]}"
        idea = Idea(
            campaign=campaign,
            organization_id=campaign.organization_id,
            author=author,
            submitted_by=submitted_by,
            on_behalf_of_user=submitted_by is not None,
            author_category=category,
            author_organization_id=org_id,
            author_service_id=service_id,
            title=title[:150],
            problem=problem,
            proposal=proposal,
            benefit=benefit,
            decision_level=DecisionLevel.SERVICE if kind else DecisionLevel.ELUS,
            theme=themes.get(base.theme),
            visibility=Visibility.PUBLIC,
            state=State.SUBMITTED,
            created_at=created,
            updated_at=created,
        )
        drafts.append((idea, base, kind))
    # supports and follows: residents and agents of the city support the ideas they like
    supporters = [*ctx.residents, *agents]
    supports, follows = [], []
    end = ctx.at(collect.ends_on, 23)
    for idea, base, _kind in drafts:
        owner = idea.author or idea.submitted_by
        popular = 1.6 if base.outcome in RETAINED_OUTCOMES else 0.8
        pool = [u for u in supporters if u != owner]
        n = min(len(pool), int(len(pool) * 0.45 * popular * rng.random() ** 1.8))
        chosen = sorted(rng.sample(pool, n), key=lambda u: u.pk)
        for u in chosen:
            supports.append(
                Support(
                    idea=idea,
                    user=u,
                    created_at=idea.created_at + (end - idea.created_at) * rng.random(),
                )
            )
        follows.append(Follow(idea=idea, user=owner, created_at=idea.created_at))
        idea.support_count, idea.follower_count = len(chosen), 1
    Idea.objects.bulk_create([d[0] for d in drafts], batch_size=500)
    Idea.services.through.objects.bulk_create(
        Idea.services.through(idea_id=idea.pk, service_id=ctx.services[base.service].pk)
        for idea, base, _kind in drafts
    )
    IdeaVersion.objects.bulk_create(
        IdeaVersion(
            idea=idea,
            number=1,
            title=idea.title,
            problem=idea.problem,
            proposal=idea.proposal,
            benefit=idea.benefit,
            created_at=idea.created_at,
            created_by=idea.author or idea.submitted_by,
        )
        for idea, _b, _k in drafts
    )
    EventOutput.objects.bulk_create(
        EventOutput(
            event=workshop,
            idea=idea,
            kind=kind,
            created_at=idea.created_at,
            created_by=ctx.animateur,
        )
        for idea, _b, kind in drafts
        if kind
    )
    Support.objects.bulk_create(supports, batch_size=1000)
    Follow.objects.bulk_create(follows, batch_size=1000)
    # a few published opinions of the démineurs (experts)
    expert = ctx.person("Lucas", "Berthet", A) or ctx.users[f"expert@{data.EMAIL_DOMAIN}"]
    label = idea_services._expert_label(expert)
    reviewed = [d for d in drafts if not d[2]][:: len(drafts) // 12][:12]
    reviews = []
    for idea, base, _kind in reviewed:
        assigned = ctx.at(collect.ends_on + dt.timedelta(days=2), 9)
        retain = base.outcome in RETAINED_OUTCOMES
        given = assigned + dt.timedelta(days=rng.randint(5, 15))
        reviews.append(
            Review(
                idea=idea,
                expert=expert,
                expert_label=label,
                assigned_by=ctx.animateur,
                assigned_at=assigned,
                due_on=(assigned + dt.timedelta(days=21)).date(),
                feasibility="easy" if retain else "hard",
                cost_band=rng.choice(["low", "medium"]) if retain else "high",
                impact="high" if retain else "medium",
                recommendation="retain"
                if base.outcome == R
                else ("experiment" if retain else "reject"),
                constraints="Intervention hors période de nidification (mars à août)."
                if base.service == NAT
                else "",
                text=f"Avis du référent nature : {base.reason}",
                submitted_at=given,
                published_at=given + dt.timedelta(days=2),
            )
        )
    Review.objects.bulk_create(reviews)
    ctype = ContentType.objects.get_for_model(Idea)
    StatusEvent.objects.bulk_create(
        StatusEvent(
            content_type=ctype,
            object_id=idea.pk,
            action="submitted",
            actor=idea.author or idea.submitted_by,
            to_status=State.SUBMITTED,
            created_at=idea.created_at,
        )
        for idea, _b, _k in drafts
    )
    return drafts


# --- white paper --------------------------------------------------------------------------
WP_INTRODUCTION = (
    "Ce livre blanc rassemble ce que les habitants, les associations, les agents et les "
    "élus ont construit ensemble pendant six mois : deux réunions publiques, deux "
    "promenades en immersion le long de la Lise et un atelier de projet d'une journée.\n\n"
    "Il a été écrit à partir des comptes rendus, des post-it de l'atelier et des "
    "propositions déposées en ligne ou sur papier. Il est présenté aux élus par les "
    "habitants et les associations eux-mêmes."
)
WP_CONCLUSION = (
    "Les participants demandent que chaque proposition reçoive une réponse motivée, que "
    "les actions retenues soient suivies publiquement et qu'une charte d'engagements "
    "lie la Ville, l'agglomération, les associations et les habitants dans la durée."
)


def _pnu_white_paper(ctx: Ctx, process: Process, phases: list[Phase]) -> WhitePaperVersion:
    phase = phases[3]
    services_white_paper.white_paper_update(
        process, actor=ctx.animateur, introduction=WP_INTRODUCTION, conclusion=WP_CONCLUSION
    )
    version = services_white_paper.white_paper_generate(
        process, actor=ctx.animateur, note="Version relue par le comité de rédaction"
    )
    _backdate(
        WhitePaperVersion, version.pk, created_at=ctx.at(phase.starts_on + dt.timedelta(days=12))
    )
    version.created_at = ctx.at(phase.starts_on + dt.timedelta(days=12))
    return services_white_paper.white_paper_hand_over(
        version,
        actor=ctx.animateur,
        on=phase.starts_on + dt.timedelta(days=24),
        by_label="les habitants et les associations du comité de rédaction",
    )


# --- decisions, synthesis, actions --------------------------------------------------------
def _pnu_decisions(ctx: Ctx, process: Process, phases, drafts, sponsor) -> list[Idea]:
    """A decision on every proposal, bulk-written as `decisions_bulk` writes it (the
    decision, the idea's state and text, both histories); returns the retained ones."""
    rng = ctx.rng
    phase = phases[4]
    sittings = (
        (phase.starts_on + dt.timedelta(days=20), "Comité de pilotage du parc naturel urbain"),
        (phase.starts_on + dt.timedelta(days=41), "Conseil municipal de Montlise"),
        (
            phase.starts_on + dt.timedelta(days=48),
            "Bureau communautaire de Val de Lise Agglomération",
        ),
    )
    decisions, events, ideas, retained = [], [], [], []
    idea_type = ContentType.objects.get_for_model(Idea)
    decision_type = ContentType.objects.get_for_model(ProposalDecision)
    for idea, base, kind in drafts:
        outcome, reason = base.outcome, base.reason
        if kind == EventOutput.Kind.STICKY_NOTE or rng.random() < 0.2:
            outcome = _pick(rng, OTHER_OUTCOME_WEIGHTS)
            reason = base.reason if outcome == base.outcome else GENERIC_REASONS[outcome]
        changes = ""
        if outcome == RC:
            changes = CHANGES[RC] if outcome != base.outcome else "Voir la motivation."
        day, body = sittings[2] if base.service[0] == A else rng.choice(sittings[:2])
        authority = f"{body} du {_fr_date(day)}"
        at = ctx.at(day, 21)
        state = State.RETAINED if outcome in RETAINED_OUTCOMES else State.REJECTED
        text = services_decisions._idea_text(reason, changes)
        idea.state, idea.decision_text, idea.decision_signature = state, text, authority
        idea.decided_by, idea.decided_at, idea.updated_at = sponsor, at, at
        ideas.append(idea)
        if state == State.RETAINED:
            retained.append(idea)
        decision = ProposalDecision(
            process=process,
            idea=idea,
            outcome=outcome,
            reason=reason,
            changes=changes,
            authority=authority,
            decided_on=day,
            decided_by=sponsor,
            created_at=at,
            updated_at=at,
        )
        decisions.append(decision)
        events.append(
            StatusEvent(
                content_type=idea_type,
                object_id=idea.pk,
                action="decided",
                actor=sponsor,
                actor_label=authority,
                from_status=State.SUBMITTED,
                to_status=state,
                public_text=text,
                created_at=at,
            )
        )
    # one UPDATE per distinct decision (bulk_update's CASE per row is slow on SQLite)
    groups: dict[tuple, list[int]] = {}
    for idea in ideas:
        key = (idea.state, idea.decision_text, idea.decision_signature, idea.decided_at)
        groups.setdefault(key, []).append(idea.pk)
    for (state, text, authority, at), pks in groups.items():
        Idea.objects.filter(pk__in=pks).update(
            state=state,
            decision_text=text,
            decision_signature=authority,
            decided_by=sponsor,
            decided_at=at,
            updated_at=at,
        )
    ProposalDecision.objects.bulk_create(decisions, batch_size=500)
    events += [
        StatusEvent(
            content_type=decision_type,
            object_id=d.pk,
            action="decided",
            actor=sponsor,
            actor_label=d.authority,
            to_status=d.outcome,
            public_text=d.reason,
            created_at=d.created_at,
        )
        for d in decisions
    ]
    StatusEvent.objects.bulk_create(events, batch_size=1000)
    return retained


SYNTHESIS_INTRODUCTION = (
    "Vous avez été plus de deux cents à participer aux réunions, aux promenades et à "
    "l'atelier, et vous avez déposé 150 propositions. Chacune a reçu une décision, "
    "motivée et signée par l'instance qui l'a prise : voici ce que vous avez proposé, ce "
    "qui a été décidé, et pourquoi. Les actions retenues sont suivies publiquement dans "
    "le programme d'actions ci-dessous."
)


def _pnu_synthesis(ctx: Ctx, process: Process, phases) -> None:
    services_decisions.synthesis_save(
        process=process, actor=ctx.animateur, introduction=SYNTHESIS_INTRODUCTION
    )
    synthesis = services_decisions.synthesis_publish(process=process, actor=ctx.animateur)
    at = ctx.at(phases[5].starts_on + dt.timedelta(days=6), 11)
    _backdate(Synthesis, synthesis.pk, published_at=at, notified_at=at, updated_at=at)


# (title, description, service, owner (first, last, org), budget, status, progress,
#  start offset in days after the decisions, months, [(milestone, done?)], base title)
ACTIONS = (
    (
        "Cheminement continu des Rives au Moulin",
        "Trois kilomètres de cheminement en stabilisé, partagé piétons-vélos.",
        NAT,
        ("Élodie", "Mercier", A),
        "50k200k",
        ActionStatus.IN_PROGRESS,
        60,
        (
            "Études et relevés",
            "Travaux tranche 1 (Rives – Gare)",
            "Travaux tranche 2 (Gare – Moulin)",
        ),
        2,
        "Un cheminement continu le long de la Lise",
    ),
    (
        "Rénovation du passage sous la voie ferrée",
        "Éclairage à détection, cheminement hors d'eau, en lien avec SNCF Réseau.",
        VOIRIE,
        ("Sébastien", "Carron", V),
        "10k50k",
        ActionStatus.IN_PROGRESS,
        30,
        ("Convention avec SNCF Réseau", "Travaux"),
        1,
        "Une passerelle sous la voie ferrée",
    ),
    (
        "Deux jardins partagés",
        "Parcelles confiées par convention aux associations de quartier.",
        EV,
        ("Christophe", "Jacquet", V),
        "lt10k",
        ActionStatus.DONE,
        100,
        ("Conventions signées", "Parcelles préparées", "Inauguration"),
        3,
        "Des jardins partagés au pied des immeubles",
    ),
    (
        "Verger conservatoire du Moulin",
        "Trente arbres de variétés locales plantés avec les écoles.",
        EV,
        ("Christophe", "Jacquet", V),
        "lt10k",
        ActionStatus.DONE,
        100,
        ("Choix des variétés avec les habitants", "Plantation avec les écoles"),
        2,
        "Replanter un verger de variétés anciennes",
    ),
    (
        "Restauration des mares de la prairie humide",
        "Curage, reprofilage et suivi naturaliste sur trois ans.",
        NAT,
        ("Élodie", "Mercier", A),
        "10k50k",
        ActionStatus.IN_PROGRESS,
        45,
        ("Inventaire initial", "Travaux hors reproduction", "Premier suivi"),
        2,
        "Restaurer les mares de la prairie humide",
    ),
    (
        "Corbeilles de tri aux entrées du parc",
        "Six points de tri, collecte deux fois par semaine.",
        PROP,
        ("Rachid", "Amrani", V),
        "lt10k",
        ActionStatus.DONE,
        100,
        ("Pose des corbeilles",),
        1,
        "Des poubelles de tri et un ramassage régulier",
    ),
    (
        "Entrées accessibles dans chaque quartier",
        "Rampes et cheminements adaptés aux fauteuils et aux poussettes.",
        VOIRIE,
        ("Sébastien", "Carron", V),
        "50k200k",
        ActionStatus.PLANNED,
        0,
        ("Diagnostic accessibilité avec les associations", "Travaux"),
        4,
        "Accès pour les fauteuils et les poussettes",
    ),
    (
        "Fête annuelle du parc",
        "Premier dimanche de juin, coorganisée avec les associations.",
        VQ,
        ("Mathilde", "Favre", V),
        "lt10k",
        ActionStatus.IN_PROGRESS,
        50,
        ("Première édition", "Deuxième édition"),
        5,
        "Une fête annuelle du parc",
    ),
)


def _pnu_actions(ctx: Ctx, process: Process, phases, retained: list[Idea]) -> None:
    decided = phases[4].ends_on
    by_base: dict[str, list[Idea]] = {}
    for idea in retained:
        by_base.setdefault(idea.title.split(" (")[0], []).append(idea)
    for title, description, service, owner, band, status, progress, steps, months, base in ACTIONS:
        ideas = by_base.get(base) or retained[:1]
        starts = decided + dt.timedelta(days=15)
        due = starts + dt.timedelta(days=30 * months * 3)
        action = services_decisions.action_create(
            process=process,
            actor=ctx.animateur,
            ideas=ideas,
            title=title,
            description=description,
            service=ctx.services[service],
            owner=ctx.person(*owner),
            budget_band=band,
            starts_on=starts,
            due_on=due,
        )
        total = len(steps)
        done = total if status == ActionStatus.DONE else round(total * progress / 100)
        for i, step in enumerate(steps):
            on = starts + (due - starts) * (i + 1) / total
            milestone = services_decisions.milestone_add(
                action, actor=ctx.animateur, title=step, due_on=on
            )
            if i < done and on <= ctx.today:
                services_decisions.milestone_complete(milestone, actor=ctx.animateur, done_on=on)
        if status != ActionStatus.PLANNED:
            services_decisions.action_update(
                action, actor=ctx.animateur, status=status, progress=progress
            )


# --- charter ------------------------------------------------------------------------------
CHARTER_V1 = "\n\n".join(
    (
        "Préambule",
        "Le parc naturel urbain des Rives de la Lise est un bien commun. Cette charte lie "
        "celles et ceux qui le font vivre : habitants, associations, Ville de Montlise, Val "
        "de Lise Agglomération et Département de Haute-Lise.",
        "1. Préserver la nature",
        "Nous respectons la faune et la flore du parc, nous restons sur les cheminements "
        "dans les zones sensibles, nous signalons les dégradations.",
        "2. Partager le parc",
        "Le parc est ouvert à tous. Piétons, cyclistes, familles, jardiniers et promeneurs "
        "de chiens s'y croisent dans le respect de chacun.",
        "3. Agir ensemble",
        "Les associations et les habitants participent aux chantiers, aux animations et au "
        "suivi du parc ; les services les associent aux décisions d'aménagement et "
        "d'entretien.",
        "4. Rendre des comptes",
        "Les services publient chaque année l'avancement du programme d'actions et "
        "répondent aux propositions des habitants.",
    )
)

CHARTER_V2 = CHARTER_V1.replace(
    "promeneurs de chiens s'y croisent dans le respect de chacun.",
    "promeneurs de chiens s'y croisent dans le respect de chacun. Les chiens sont tenus en "
    "laisse près des aires de jeux et des jardins partagés.",
).replace(
    "publient chaque année l'avancement du programme d'actions et répondent aux "
    "propositions des habitants.",
    "publient chaque année l'avancement du programme d'actions et répondent aux "
    "propositions des habitants dans un délai de trois mois.\n\n5. Réviser la charte\n\n"
    "La charte est révisée tous les deux ans avec les signataires, lors d'une réunion "
    "publique.",
)
CHARTER_V2_NOTE = (
    "Révision après un an : règle pour les chiens près des jeux et des jardins, délai de "
    "réponse de trois mois, article sur la révision."
)


def _pnu_charter(ctx: Ctx, process: Process, phases) -> None:
    rng, animateur = ctx.rng, ctx.animateur
    charter = services_charter.charter_create(
        process,
        actor=animateur,
        title="Charte d'engagements du parc naturel urbain des Rives de la Lise",
        text=CHARTER_V1,
        revision_every_months=12,
    )
    v1 = charter.versions.get(number=1)
    services_charter.charter_publish_version(v1, actor=animateur)
    v1_at = ctx.at(phases[6].starts_on + dt.timedelta(days=3), 18)
    _backdate(CharterVersion, v1.pk, created_at=v1_at - dt.timedelta(days=10), published_at=v1_at)
    # version 1: 30 inhabitants (21 with an account, 9 on paper at the signing evening),
    # 5 associations, 3 organizations (their services)
    signatures = []

    def sign(version, at, kind, name, user=None, organization=None, renews=None):
        signatures.append(
            Signature(
                version=version,
                signer_kind=kind,
                name=name,
                user=user,
                organization=organization,
                signed_at=at,
                renews=renews,
            )
        )

    for i, user in enumerate(ctx.residents[:21]):
        sign(
            v1,
            v1_at + dt.timedelta(days=i % 9, hours=i),
            SignerKind.INHABITANT,
            user.full_name,
            user,
        )
    for i in range(9):
        name = f"{rng.choice(data.FIRST_NAMES)} {rng.choice(data.LAST_NAMES)[0]}."
        sign(v1, v1_at + dt.timedelta(minutes=5 * i), SignerKind.INHABITANT, name)
    representatives = ctx.residents[-5:]
    for i, (association, user) in enumerate(zip(ASSOCIATIONS, representatives, strict=True)):
        sign(v1, v1_at + dt.timedelta(days=2 + i), SignerKind.ASSOCIATION, association, user)
    for org, (first, last), label in (
        (V, ("Christophe", "Jacquet"), "Ville de Montlise — service Espaces verts"),
        (A, ("Élodie", "Mercier"), "Val de Lise Agglomération — service Espaces naturels"),
        (D, ("Thomas", "Meunier"), "Département de Haute-Lise — Espaces naturels sensibles"),
    ):
        sign(
            v1,
            v1_at + dt.timedelta(days=5),
            SignerKind.ORGANIZATION,
            label,
            ctx.person(first, last, org),
            ctx.orgs[org],
        )
    Signature.objects.bulk_create(signatures)
    first = list(Signature.objects.filter(version=v1).order_by("pk"))
    # version 2, a year later: the signatories with an account are asked to sign again
    v2 = services_charter.charter_revise(
        charter, actor=animateur, text=CHARTER_V2, note=CHARTER_V2_NOTE
    )
    services_charter.charter_publish_version(v2, actor=animateur)
    v2_at = ctx.at(ctx.today - dt.timedelta(days=45), 18)
    _backdate(CharterVersion, v2.pk, created_at=v2_at - dt.timedelta(days=20), published_at=v2_at)
    signatures = []
    for i, old in enumerate(first):
        again = old.signer_kind != SignerKind.INHABITANT or (old.user_id and rng.random() < 0.6)
        if again:
            sign(
                v2,
                v2_at + dt.timedelta(days=1 + i % 20, hours=i % 7),
                old.signer_kind,
                old.name,
                old.user,
                old.organization,
                renews=old,
            )
    Signature.objects.bulk_create(signatures)
    # one withdrawal, dated, with its reason (signatures are never deleted)
    leaving = first[3]
    Signature.objects.filter(pk=leaving.pk).update(
        withdrawn_at=v1_at + dt.timedelta(days=200),
        withdrawal_reason="Je déménage hors de Montlise.",
    )


# =========================================================================================
# La Transfo (running: training phase, draw done, list not finalized)
# =========================================================================================
TRANSFO_QUESTION = (
    "Comment améliorer nos services publics en partant des usages réels des habitants, "
    "avec des agents de tous les services et de toutes les catégories ?"
)
MOTIVATIONS = (
    "Je suis au contact des usagers tous les jours et je vois ce qui bloque : j'aimerais "
    "qu'on travaille sur ces situations avec eux.",
    "Je veux découvrir le design de service et rapporter ces méthodes dans mon équipe.",
    "Après quinze ans dans la collectivité, j'ai envie de contribuer à un projet "
    "transversal avec des collègues que je ne croise jamais.",
    "Les démarches en ligne laissent beaucoup de monde de côté ; je veux enquêter sur le "
    "terrain pour comprendre pourquoi.",
    "Mon encadrant m'a parlé de la Transfo : trois jours par mois, c'est l'occasion de "
    "prendre du recul sur nos pratiques.",
    "J'ai participé à un atelier de la 27e Région dans une autre collectivité et je "
    "voudrais que nous ayons notre propre laboratoire.",
    "Je travaille sur le terrain, souvent seul ; l'enquête auprès des habitants me "
    "semble la meilleure façon de faire remonter ce que je vois.",
)
REFUSAL_REASONS = (
    "Période de forte charge dans le service jusqu'à l'été : je ne peux pas libérer trois "
    "jours par mois. À reproposer à la prochaine session.",
    "Deux postes vacants dans l'équipe : l'engagement sur seize mois n'est pas tenable.",
)
TRANSFO_PARTNERS = (V, data.CCAS, D, "mairie-vorlanges", "mairie-saint-jean-de-morelle")
TRANSFO_SERVICES = (
    "France services",
    "Eau et assainissement",
    "Collecte des déchets",
    "Espaces verts",
    "Propreté urbaine",
    "Accueil et état civil",
    "Action sociale",
    "Transports et mobilité",
)


def _transfo(ctx: Ctx) -> Process:
    rng, orgs, animateur = ctx.rng, ctx.orgs, ctx.animateur
    start = ctx.today - dt.timedelta(days=45)  # 30 days of call, then training: current
    process = services_process.process_create(
        actor=animateur,
        organization=orgs[A],
        template=Template.TRANSFO,
        title=TRANSFO_TITLE,
        question=TRANSFO_QUESTION,
        starts_on=start,
        scope="Toute l'agglomération",
        organizations=[orgs[slug] for slug in TRANSFO_PARTNERS],
        owner_team="Mission innovation publique de Val de Lise Agglomération",
        sponsor=ctx.person("Jean-Pierre", "Garcin", A),
        sponsor_label="Jean-Pierre Garcin, président de Val de Lise Agglomération",
        animateurs=[animateur],
    )
    services_process.process_publish(process, actor=animateur)
    _backdate(Process, process.pk, published_at=ctx.at(start - dt.timedelta(days=7)))
    # the agents who may apply: those of the organizations involved, civil servants
    involved = {A, *TRANSFO_PARTNERS}
    excluded = {ANIMATEUR_EMAIL, f"direction@{data.EMAIL_DOMAIN}"}
    candidates = sorted(
        (
            p
            for p in ctx.profiles.values()
            if p.organization.slug in involved
            and p.category in ("A", "B", "C")
            and p.user.email not in excluded
            and not p.job_title.lower().startswith("direct")
        ),
        key=lambda p: p.user.email,
    )
    call_opens, call_closes = start, start + dt.timedelta(days=25)
    pool_services = {p.service.name for p in candidates if p.service}
    names = [name for name in TRANSFO_SERVICES if name in pool_services]
    # the front-line services share the seats equally (in %, as the call's form shows)
    service_targets = {name: round(100 / len(names), 1) for name in names}
    targets = {
        "category": {"A": 20, "B": 30, "C": 50},
        "gender": {"F": 50, "M": 50},
    }
    if service_targets:
        targets["service"] = service_targets
    seed = "val-de-lise-" + hashlib.sha256(str(rng.random()).encode()).hexdigest()[:12]
    call = AmbassadorCall.objects.create(
        process=process,
        title="Appel à ambassadeurs de la Transfo",
        description=(
            "Seize agents volontaires, de tous services et de toutes catégories, formés à "
            "l'innovation publique et au design de service, enquêtent auprès des usagers "
            "puis imaginent et testent des solutions. Sélection par tirage au sort "
            "stratifié, avec une graine publiée à l'avance."
        ),
        commitment="3 jours par mois pendant 16 mois, sur le temps de travail",
        opens_on=call_opens,
        closes_on=call_closes,
        seats=16,
        targets=targets,
        seed=seed,
        created_by=animateur,
    )
    history.record(call, action="created", actor=animateur, data={"seed": seed}, at=ctx.at(start))
    managers = _managers(ctx)
    nadia = ctx.users[f"agent@{data.EMAIL_DOMAIN}"]
    applications = []
    chosen = candidates[:45]
    for i, profile in enumerate(chosen, start=1):
        user = profile.user
        manager = managers.get((profile.organization_id, profile.service_id)) or managers.get(
            (profile.organization_id, None)
        )
        if manager == user:
            manager = managers.get((profile.organization_id, None))
        first = user.full_name.split(" ")[0]
        gender = (Gender.F if first in FEMININE else Gender.M) if rng.random() < 0.9 else ""
        roll = rng.random()
        decision = (
            Decision.APPROVED
            if roll < 0.8 or user == nadia
            else (Decision.PENDING if roll < 0.9 else Decision.REFUSED)
        )
        applied = ctx.at(call_opens + dt.timedelta(days=rng.randint(0, 20)), rng.randint(8, 18))
        decided = (
            applied + dt.timedelta(days=rng.randint(1, 6)) if decision != Decision.PENDING else None
        )
        applications.append(
            Application(
                call=call,
                applicant=user,
                key=f"C-{i:04d}",
                motivation=rng.choice(MOTIVATIONS),
                service=profile.service,
                service_label=profile.service.name if profile.service else "",
                category=profile.category,
                gender=gender,
                manager=manager,
                manager_decision=decision,
                manager_reason=rng.choice(REFUSAL_REASONS) if decision == Decision.REFUSED else "",
                decided_at=decided,
                decided_by=manager if decided else None,
                created_at=applied,
            )
        )
    Application.objects.bulk_create(applications)
    AmbassadorCall.objects.filter(pk=call.pk).update(key_counter=len(applications))
    ctype = ContentType.objects.get_for_model(Application)
    events = []
    for a in Application.objects.filter(call=call).order_by("key"):
        events.append(
            StatusEvent(
                content_type=ctype,
                object_id=a.pk,
                action="submitted",
                actor_id=a.applicant_id,
                to_status=Decision.PENDING,
                created_at=a.created_at,
            )
        )
        if a.decided_at:
            events.append(
                StatusEvent(
                    content_type=ctype,
                    object_id=a.pk,
                    action="decided",
                    actor_id=a.decided_by_id,
                    from_status=Decision.PENDING,
                    to_status=a.manager_decision,
                    internal_text=a.manager_reason,
                    created_at=a.decided_at,
                )
            )
    StatusEvent.objects.bulk_create(events)
    call.refresh_from_db()
    services_ambassadors.draw_run(call=call, by=animateur)
    AmbassadorCall.objects.filter(pk=call.pk).update(
        drawn_at=ctx.at(call_closes + dt.timedelta(days=3), 11)
    )
    # the first training session of the ambassadors, in the current phase
    training = process.phases.get(position=2)
    session = ctx.at(max(training.starts_on, ctx.today) + dt.timedelta(days=9), 9)
    services_events.event_save(
        actor=animateur,
        process=process,
        phase=training,
        kind=EventKind.CO_TRAINING,
        title="Formation des ambassadeurs : enquêter auprès des usagers",
        description="Deux jours avec la 27e Région : entretiens, observation, carnet de terrain.",
        starts_at=session,
        ends_at=session + dt.timedelta(hours=8),
        place="Hôtel d'agglomération, salle du conseil, Montlise",
        capacity=20,
        registration_open=True,
        target_mix={"agent": 16},
    )
    return process


def _managers(ctx: Ctx) -> dict[tuple[int, int | None], User]:
    """Who approves an agent's time: the manager of their service, else the director or
    head of their organization."""
    out: dict[tuple[int, int | None], User] = {}
    roles = (
        Role.objects.filter(
            organization__territory=ctx.territory, kind__in=["manager", "direction"]
        )
        .select_related("user")
        .prefetch_related("services")
        .order_by("user__email", "pk")
    )
    for role in roles:
        if role.kind == "manager":
            for service in role.services.all():
                out.setdefault((role.organization_id, service.pk), role.user)
        else:
            out.setdefault((role.organization_id, None), role.user)
    return out


# =========================================================================================
# Flash 360 (workshop next week)
# =========================================================================================
def _flash(ctx: Ctx) -> Process:
    animateur = ctx.animateur
    process = services_process.process_create(
        actor=animateur,
        organization=ctx.orgs[A],
        template=Template.FLASH_360,
        title=FLASH_TITLE,
        question=(
            "Comment accueillir en une seule fois, à la Maison France services, les "
            "habitants qui viennent d'arriver dans le Val de Lise ?"
        ),
        starts_on=ctx.today,
        scope="Maison France services de Montlise et bus France services",
        organizations=[ctx.orgs[data.CAF], ctx.orgs[data.CPAM]],
        services=[ctx.services[(A, "france-services")]],
        owner_team="Service France services de Val de Lise Agglomération",
        animateurs=[animateur],
    )
    services_process.process_publish(process, actor=animateur)
    event = process.events.get()
    event = services_events.event_save(
        actor=animateur,
        process=process,
        event=event,
        phase=event.phase,
        kind=event.kind,
        title="Atelier Flash 360 : l'accueil des nouveaux habitants",
        description=(
            "Trois heures pour partager un diagnostic et tester des solutions, avec des "
            "usagers arrivés depuis moins d'un an, des agents d'accueil, des experts et "
            "l'administration."
        ),
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        place="Maison France services, 40 avenue des Tisserands, Montlise",
        accessibility="Accès de plain-pied, boucle magnétique ; garde d'enfants sur place.",
        capacity=16,
        registration_open=True,
        target_mix={"usager": 6, "agent": 4, "expert": 2, "administration": 2},
    )
    people = [
        ({"name": "Aminata Diop", "role": "usager", "age_band": "30-44"}, None),
        ({"name": "Kevin Roussel", "role": "usager", "age_band": "15-29"}, None),
        ({"name": "Odile Perret", "role": "usager", "age_band": "60-74"}, None),
        ({"role": "usager"}, ctx.users[f"usager@{data.EMAIL_DOMAIN}"]),
        ({"role": "agent", "category": "C"}, ctx.users[f"agent@{data.EMAIL_DOMAIN}"]),
        ({"role": "agent", "category": "C"}, ctx.person("Aurélie", "Faure", A)),
        ({"role": "agent", "category": "-"}, ctx.person("Laetitia", "Gaillard", data.CAF)),
        ({"role": "administration"}, ctx.person("Isabelle", "Morel", A)),
    ]
    for fields, user in people:
        if user is not None:
            fields = {"name": user.full_name, "email": user.email, **fields}
        services_events.register(event=event, user=user, **fields)
    # the phase gathers voices for the diagnosis: the team frames the latest ones received
    # by the France services counter (the public form adds the next ones)
    from cocon.voices.models import Voice

    counter = ctx.services[(A, "france-services")]
    for voice in Voice.objects.filter(service=counter).order_by("-created_at", "-pk")[:4]:
        services_process.process_link_voice(process, voice, actor=animateur)
    return process


# =========================================================================================
# Carte blanche (personas from the demo voices)
# =========================================================================================
PERSONAS = (
    (
        "Monique, 78 ans, seule à Charavelle",
        "75+",
        "Veuve, sans voiture, vit dans un hameau à 12 km de la première administration. Son "
        "petit-fils l'aide pour internet quand il passe.",
        "Un interlocuteur humain et proche ; des horaires prévisibles ; un seul endroit pour "
        "ses démarches.",
        "Les démarches en ligne, les numéros surtaxés, le bus qui ne passe qu'une fois par "
        "semaine.",
        "Reçoit un courrier de sa caisse de retraite\nNe le comprend pas\nAppelle la mairie, "
        "qui la renvoie vers la CARSAT\nAttend le passage du bus France services",
    ),
    (
        "Karim, 34 ans, intérimaire à Montlise",
        "30-44",
        "Enchaîne les missions d'intérim, horaires décalés, deux enfants. Ses droits changent "
        "chaque trimestre.",
        "Des rendez-vous en dehors des heures de travail ; ne pas redonner dix fois les "
        "mêmes pièces.",
        "Les trop-perçus réclamés des mois après, les guichets fermés quand il sort du travail.",
        "Déclare ses ressources en ligne\nReçoit une demande de pièces\nPrend une demi-journée "
        "pour aller au guichet",
    ),
    (
        "Léa, 19 ans, étudiante et première déclaration",
        "15-29",
        "Vient de quitter le foyer familial, fait tout sur son téléphone, ne connaît pas les "
        "administrations.",
        "Savoir à quoi elle a droit ; des réponses rapides par message.",
        "Le vocabulaire administratif, les formulaires qui ne s'affichent pas sur mobile.",
        "Cherche une aide au logement sur internet\nSe trompe de site\nAbandonne",
    ),
)


def _carte_blanche(ctx: Ctx) -> int:
    """Optional part: a Carte blanche at its personas phase; returns its pk (0 if the
    demo has no voices to quote)."""
    animateur = ctx.animateur
    voices = list(
        Voice.objects.filter(
            territory=ctx.territory,
            organization=ctx.orgs[A],
            theme__slug__in=("demarches", "action-sociale", "prestations-familiales"),
        )
        .exclude(text="")
        .order_by("pk")[:6]
    )
    start = ctx.today - dt.timedelta(days=100)  # priorities 30 + interviews 60: personas now
    process = services_process.process_create(
        actor=animateur,
        organization=ctx.orgs[A],
        template=Template.CARTE_BLANCHE,
        title=CARTE_BLANCHE_TITLE,
        question=(
            "Comment réinventer, à moyens constants, l'accès aux services publics dans les "
            "communes rurales du nord de l'agglomération ?"
        ),
        starts_on=start,
        scope="Communes rurales du nord du Val de Lise",
        organizations=[
            ctx.orgs[D],
            ctx.orgs[data.CAF],
            ctx.orgs[data.CPAM],
            ctx.orgs[data.LA_POSTE],
        ],
        owner_team="Comité des opérateurs de services publics du Val de Lise",
        animateurs=[animateur],
    )
    services_process.process_publish(process, actor=animateur)
    _backdate(Process, process.pk, published_at=ctx.at(start - dt.timedelta(days=7)))
    for position, (name, band, situation, needs, pains, journey) in enumerate(PERSONAS):
        persona = services_personas.persona_create(
            process=process,
            actor=animateur,
            published=True,
            name=name,
            age_band=band,
            situation=situation,
            needs=needs,
            pains=pains,
            journey=journey,
        )
        for voice in voices[position * 2 : position * 2 + 2]:
            try:
                services_personas.quote_add(
                    persona,
                    actor=animateur,
                    text=_excerpt(voice.text),
                    voice_reference=voice.reference,
                )
            except ValidationError:  # a voice the animateur may not see: not quoted
                continue
    return process.pk


def _excerpt(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"
