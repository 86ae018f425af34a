"""Demo Signalements: report categories, who handles them where, field teams, an Open311
client application and a few hundred located reports over the last twelve months, with
their public updates, supports and duplicates.

Reports are written with bulk inserts (a report is a voice: voice row, report row,
history events, the report's copies of the voice's status), like `voices_loader`, so
`make demo` stays quick; each one is routed with `cocon.reports.services.route` and its
public point computed by `services.public_point`, so the rows are those `report_submit`
and `report_set_state` would have written."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from cocon.accounts.models import AgentProfile, User
from cocon.core.models import ReadReceipt, StatusEvent
from cocon.demo import data
from cocon.demo import voice_texts as vt
from cocon.demo.voices_loader import (
    DEMO_TRACKING_CODE,
    _readers_by_service,
    organizations_and_services,
)
from cocon.lib import geo
from cocon.lib.workdays import add_working_days
from cocon.reports import services as report_services
from cocon.reports.models import (
    Category,
    Coverage,
    LocationPrecision,
    Open311Client,
    Report,
    Support,
    Team,
)
from cocon.territory.models import Commune, Organization, Service, Territory
from cocon.voices.models import (
    DEFAULT_ACKNOWLEDGE_DAYS,
    DEFAULT_ANSWER_DAYS,
    OPEN_STATUSES,
    CaptureMode,
    Channel,
    Commitment,
    Kind,
    Status,
    Voice,
    VoiceContact,
    new_reference,
    tracking_digest,
)

REPORT_COUNT = 400
OPEN311_CLIENT_NAME = "Application mobile Val de Lise"
MAX_OFFSET_M = 1500
DUPLICATE_SHARE = 0.03
COMMUNE_ONLY_SHARE = 0.08

A, V, C = data.AGGLO, data.VILLE, data.CCAS
M2, M10 = data.MAIRIE_2, data.MAIRIE_10


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name: str
    group: str
    theme: str  # slug of a Paroles theme (voice_texts.THEMES)
    description: str
    keywords: str
    texts: tuple[str, ...]  # {rue}, {commune}, {numero}, {parc}, {ecole}
    fixed: tuple[str, ...]  # public update when repaired
    weight: float = 1.0
    sensitive: bool = False
    active: bool = True
    attributes: tuple[dict, ...] = ()
    # (organization, service, communes): communes None = the organization's own communes
    coverage: tuple[tuple[str, str, tuple[str, ...] | None], ...] = field(default=())


# who handles the street-level categories: Montlise's own services on Montlise, the
# agglomeration's elsewhere (its own communes are all 31: the town hall, serving one
# commune, wins there)
def _street(ville_service: str, agglo_service: str) -> tuple:
    return ((V, ville_service, None), (A, agglo_service, None))


LEAK_ATTRIBUTES = (
    {
        "code": "emplacement",
        "description": "Où est la fuite ?",
        "datatype": "singlevaluelist",
        "required": True,
        "order": 1,
        "values": [
            {"key": "chaussee", "name": "Sur la chaussée"},
            {"key": "trottoir", "name": "Sur le trottoir"},
            {"key": "compteur", "name": "Au compteur"},
        ],
    },
    {
        "code": "debit",
        "description": "Débit estimé (litres par minute)",
        "datatype": "number",
        "required": False,
        "order": 2,
    },
)

CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(
        "nid-de-poule",
        "Nid-de-poule",
        "Voirie",
        "voirie",
        "Un trou dans la chaussée.",
        "trou, nid de poule, chaussée",
        (
            "Gros nid-de-poule au niveau du {numero} {rue}, les voitures font des écarts pour "
            "l'éviter.",
            "Trou profond dans la chaussée {rue}, un cycliste a failli tomber ce matin.",
            "Plusieurs nids-de-poule se sont formés {rue} après les pluies, l'eau stagne dedans.",
            "Nid-de-poule juste avant le passage piéton {rue}, dangereux pour les deux-roues.",
        ),
        (
            "Le nid-de-poule a été rebouché à l'enrobé.",
            "Trou comblé provisoirement ; réfection définitive prévue avec le programme de voirie.",
        ),
        weight=3.0,
        coverage=_street("voirie-eclairage", "voirie-communautaire"),
    ),
    CategorySpec(
        "chaussee-trottoir",
        "Chaussée ou trottoir abîmé",
        "Voirie",
        "voirie",
        "Enrobé fissuré, bordure cassée, dalle qui bouge.",
        "trottoir, bordure, enrobé, dalle",
        (
            "Le trottoir est soulevé par les racines {rue}, une poussette ne passe plus.",
            "Bordure de trottoir cassée devant le {numero} {rue}, morceaux de béton sur la "
            "chaussée.",
            "Dalles descellées sur le trottoir {rue}, une personne âgée a trébuché.",
            "Affaissement de la chaussée {rue}, la bosse grandit depuis l'hiver.",
        ),
        ("Bordure remplacée et trottoir remis à niveau.", "Les dalles ont été rescellées."),
        weight=2.0,
        coverage=_street("voirie-eclairage", "voirie-communautaire"),
    ),
    CategorySpec(
        "eclairage-public",
        "Éclairage public en panne",
        "Éclairage",
        "eclairage",
        "Lampadaire éteint, qui clignote ou reste allumé le jour.",
        "lampadaire, éclairage, lumière, candélabre",
        (
            "Le lampadaire devant le {numero} {rue} est éteint depuis une semaine, la rue est "
            "très sombre.",
            "Trois lampadaires de suite ne s'allument plus {rue}.",
            "Le réverbère clignote toute la nuit {rue}, c'est gênant pour les riverains.",
            "L'éclairage reste allumé en plein jour {rue}.",
        ),
        (
            "Lampe remplacée : le lampadaire fonctionne à nouveau.",
            "Défaut d'alimentation réparé sur l'armoire électrique : l'éclairage est rétabli.",
        ),
        weight=2.5,
        coverage=_street("voirie-eclairage", "voirie-communautaire"),
    ),
    CategorySpec(
        "proprete",
        "Propreté de la voie publique",
        "Propreté",
        "proprete",
        "Déchets, poubelle publique pleine, déjections, verre cassé.",
        "propreté, sale, poubelle, verre, déjections",
        (
            "La poubelle publique {rue} déborde depuis plusieurs jours.",
            "Beaucoup de verre cassé sur le trottoir {rue}, devant {ecole}.",
            "Papiers et canettes partout autour du banc {rue} après le week-end.",
            "Déjections canines sur tout le trottoir {rue}, c'est devenu impraticable.",
        ),
        (
            "Nettoyage effectué par l'équipe de propreté.",
            "La corbeille a été vidée et sera ajoutée à la tournée du samedi.",
        ),
        weight=2.5,
        coverage=(
            (V, "proprete-urbaine", None),
            (M2, "secretariat-de-mairie", None),
            (M10, "secretariat-de-mairie", None),
            (A, "dechets-collecte", None),
        ),
    ),
    CategorySpec(
        "depot-sauvage",
        "Dépôt sauvage",
        "Propreté",
        "dechets",
        "Encombrants, gravats ou sacs abandonnés.",
        "dépôt sauvage, encombrants, gravats, déchets",
        (
            "Dépôt sauvage de gravats et de pneus {rue}, ça bloque le passage.",
            "Un matelas et un frigo abandonnés à côté des conteneurs {rue}.",
            "Des sacs de déchets verts jetés au bord de la route, {rue}.",
            "Encore des encombrants déposés devant le point d'apport volontaire {rue}.",
        ),
        (
            "Le dépôt a été enlevé. Une enquête est menée pour retrouver l'auteur.",
            "Enlèvement effectué par l'équipe dépôts sauvages.",
        ),
        weight=2.5,
        coverage=((A, "dechets-collecte", None),),
    ),
    CategorySpec(
        "espaces-verts",
        "Espaces verts et arbres",
        "Espaces verts",
        "espaces-verts",
        "Arbre dangereux, branche tombée, haie qui gêne, pelouse non entretenue.",
        "arbre, branche, haie, pelouse, tonte",
        (
            "Une grosse branche menace de tomber au-dessus de l'aire de jeux du {parc}.",
            "La haie déborde sur le trottoir {rue}, on doit marcher sur la route.",
            "Arbre tombé après l'orage dans le {parc}, l'allée est barrée.",
            "L'herbe n'a pas été tondue depuis des semaines dans le {parc}.",
        ),
        (
            "Élagage réalisé, la branche a été retirée.",
            "Tonte effectuée ; le site est ajouté au planning d'entretien.",
        ),
        weight=1.5,
        coverage=_street("espaces-verts", "espaces-naturels"),
    ),
    CategorySpec(
        "mobilier-urbain",
        "Mobilier urbain dégradé",
        "Voirie",
        "voirie",
        "Banc, potelet, barrière, abribus ou jeu d'enfants cassé.",
        "banc, potelet, barrière, abribus, jeux",
        (
            "Le banc {rue} a une planche cassée, quelqu'un pourrait se blesser.",
            "Potelet arraché {rue}, la tige métallique dépasse du trottoir.",
            "La vitre de l'abribus {rue} est brisée, il y a des éclats partout.",
            "Le toboggan de l'aire de jeux du {parc} est fendu.",
        ),
        (
            "Le mobilier a été réparé.",
            "Pièce commandée puis remplacée : l'équipement est de nouveau utilisable.",
        ),
        weight=1.2,
        coverage=_street("voirie-eclairage", "voirie-communautaire"),
    ),
    CategorySpec(
        "fuite-eau",
        "Fuite d'eau",
        "Eau",
        "eau-assainissement",
        "Fuite sur la voie publique, au compteur, bouche d'égout qui déborde.",
        "fuite, eau, compteur, égout",
        (
            "De l'eau sort de la chaussée {rue} depuis ce matin, ça coule jusqu'au carrefour.",
            "Fuite au niveau du regard de compteur devant le {numero} {rue}.",
            "Le trottoir est mouillé en permanence {rue}, on entend l'eau couler sous la plaque.",
            "Bouche d'égout qui déborde {rue} à chaque averse.",
        ),
        (
            "Fuite réparée sur la conduite ; la chaussée sera refaite sous quinze jours.",
            "Joint du compteur remplacé : la fuite est stoppée.",
        ),
        weight=1.5,
        attributes=LEAK_ATTRIBUTES,
        coverage=((A, "eau-assainissement", None),),
    ),
    CategorySpec(
        "signalisation",
        "Signalisation et marquage",
        "Voirie",
        "voirie",
        "Panneau tombé ou masqué, feu en panne, marquage effacé.",
        "panneau, feu, marquage, passage piéton",
        (
            "Le panneau stop {rue} est couché par terre.",
            "Le marquage du passage piéton devant {ecole} est presque effacé.",
            "Le feu tricolore {rue} reste bloqué au rouge.",
            "Panneau de limitation masqué par la végétation {rue}.",
        ),
        ("Panneau reposé.", "Marquage refait."),
        weight=1.0,
        coverage=_street("voirie-eclairage", "voirie-communautaire"),
    ),
    CategorySpec(
        "tags-affichage",
        "Tags et affichage sauvage",
        "Propreté",
        "proprete",
        "Graffitis, affiches collées hors des panneaux prévus.",
        "tag, graffiti, affiche, affichage sauvage",
        (
            "Tags sur le mur de {ecole}, côté {rue}.",
            "Affiches collées partout sur les armoires électriques {rue}.",
            "Graffiti injurieux sur l'abribus {rue}.",
        ),
        ("Tags effacés par l'équipe propreté.", "Affiches retirées."),
        weight=1.0,
        coverage=_street("proprete-urbaine", "dechets-collecte"),
    ),
    CategorySpec(
        "personne-en-difficulte",
        "Personne en difficulté dans la rue",
        "Solidarité",
        "action-sociale",
        "Une personne semble avoir besoin d'aide. En cas d'urgence vitale, appelez le 15 "
        "ou le 115.",
        "personne à la rue, sans abri, détresse, maraude",
        (
            "Un homme dort dehors depuis plusieurs nuits {rue}, il a l'air malade.",
            "Une dame âgée semble perdue près du {parc}, elle revient tous les jours.",
            "Une famille avec enfants dort dans une voiture {rue}.",
        ),
        ("L'équipe mobile est passée et a proposé un accompagnement.",),
        weight=0.35,
        sensitive=True,
        coverage=(
            (C, "equipe-mobile-acces-aux-droits", None),
            (A, "politique-de-la-ville", None),
        ),
    ),
    CategorySpec(
        "sapins-noel",
        "Collecte des sapins de Noël",
        "Propreté",
        "dechets",
        "Collecte saisonnière (janvier) : terminée pour cette année.",
        "sapin, noël",
        ("Sapin abandonné sur le trottoir {rue} après la collecte.",),
        ("Sapin ramassé.",),
        weight=0.0,  # closed to new reports: only a few old ones
        active=False,
        coverage=((A, "dechets-collecte", None),),
    ),
)

TEAMS: dict[tuple[str, str], tuple[tuple[str, tuple[str, ...]], ...]] = {
    (V, "voirie-eclairage"): (
        ("Voirie centre-ville", ("sebastien.carron",)),
        ("Éclairage public", ("sebastien.carron",)),
    ),
    (V, "proprete-urbaine"): (
        ("Propreté centre-ville", ("rachid.amrani", "dylan.marchand")),
        ("Propreté quartiers", ("dylan.marchand",)),
    ),
    (V, "espaces-verts"): (
        ("Espaces verts nord", ("kevin.moulin", "christophe.jacquet")),
        ("Espaces verts sud", ("ludovic.perrier",)),
        ("Élagage", ("kevin.moulin", "ludovic.perrier")),
    ),
    (A, "voirie-communautaire"): (
        ("Voirie secteur nord", ("damien.roux",)),
        ("Voirie secteur sud", ("damien.roux",)),
        ("Signalisation", ("damien.roux",)),
    ),
    (A, "eau-assainissement"): (
        ("Réseau eau potable", ("romain.chabert", "jerome.pellet")),
        ("Assainissement", ("jerome.pellet",)),
    ),
    (A, "dechets-collecte"): (
        ("Dépôts sauvages", ("mickael.reynaud", "patrick.giraud")),
        ("Propreté des villages", ("patrick.giraud", "thierry.bouvier")),
    ),
    (A, "espaces-naturels"): (
        ("Espaces naturels", ("lucas.berthet", "elodie.mercier")),
        ("Berges de la Lise", ("lucas.berthet",)),
    ),
    (C, "equipe-mobile-acces-aux-droits"): (
        ("Maraude de jour", ("hugo.lacroix", "lea.vincent")),
        ("Maraude de soirée", ("nadege.brunet", "alain.chevalier")),
    ),
}

ACK_TEXT = "Signalement pris en compte par {service}. Merci de votre vigilance."
PROGRESS_TEXT = "Une équipe est sur place ou le sera très prochainement."
SCHEDULED_TEXT = "Intervention programmée la semaine du {date}."
CLOSED_TEXT = "Intervention terminée : le signalement est clos."
NO_ACTION_TEXT = (
    "Après vérification sur place, aucune intervention n'est nécessaire pour le moment."
)
NOT_FOR_US_TEXTS = (
    "Cette voie est une route départementale : nous avons transmis votre signalement au "
    "Département de la Haute-Lise.",
    "Ce terrain est privé : le propriétaire a été informé et doit intervenir.",
    "Ce réseau appartient à l'opérateur électrique : nous lui avons transmis votre signalement.",
)
MERGED_TEXT = "Votre message est traité avec des messages semblables ({ref})."


@dataclass
class _Draft:
    spec: CategorySpec
    category: Category
    commune: Commune
    service: Service
    lat: float | None  # exact point, None for commune-only
    lon: float | None
    created: dt.datetime
    status: str
    steps: list[tuple[str, dt.datetime, str]]  # (status, at, public text)
    text: str
    street: str
    number: int
    channel: str
    capture_mode: str
    author_id: int | None = None
    relay: tuple[int, int] | None = None
    duplicate_of: int | None = None  # index of the primary draft
    attributes: dict = field(default_factory=dict)


def load_reports(
    territory: Territory,
    rng: random.Random,
    *,
    count: int = REPORT_COUNT,
    now: dt.datetime | None = None,
) -> int:
    """Create the Signalements set-up and `count` reports; returns how many."""
    now = now or timezone.now()
    organizations, services = organizations_and_services(territory)
    categories = _load_categories(territory, organizations, services)
    teams = _load_teams(services)
    client, _raw_key = Open311Client.issue(territory=territory, name=OPEN311_CLIENT_NAME)
    if count <= 0:
        return 0
    communes = list(Commune.objects.filter(territory=territory).order_by("insee_code"))
    drafts = _draft_reports(territory, rng, categories, communes, services, count, now)
    return _write(territory, rng, drafts, teams, client, now)


def _load_categories(territory, organizations, services) -> dict[str, Category]:
    from cocon.voices.models import Theme

    themes = {t.slug: t for t in Theme.objects.filter(territory=territory)}
    Category.objects.bulk_create(
        Category(
            territory=territory,
            code=spec.code,
            name=spec.name,
            description=spec.description,
            group=spec.group,
            keywords=spec.keywords,
            theme=themes.get(spec.theme),
            sensitive=spec.sensitive,
            is_active=spec.active,
            position=i,
            attributes=list(spec.attributes),
        )
        for i, spec in enumerate(CATEGORIES)
    )
    categories = {c.code: c for c in Category.objects.filter(territory=territory)}
    for spec in CATEGORIES:
        for org, service, listed in spec.coverage:
            coverage = Coverage.objects.create(
                category=categories[spec.code],
                organization=organizations[org],
                service=services[(org, service)],
            )
            if listed:
                coverage.communes.set(territory.communes.filter(name__in=listed))
    return categories


def _load_teams(services) -> dict[int, list[Team]]:
    users = {
        u.email.split("@")[0]: u
        for u in User.objects.filter(email__iendswith=data.EMAIL_DOMAIN).only("id", "email")
    }
    teams: dict[int, list[Team]] = {}
    for key, specs in TEAMS.items():
        service = services[key]
        for name, members in specs:
            team = Team.objects.create(service=service, name=name)
            team.members.set([users[m] for m in members if m in users])
            teams.setdefault(service.pk, []).append(team)
    return teams


def _point_near(rng: random.Random, lat: float, lon: float) -> tuple[float, float]:
    """A point up to MAX_OFFSET_M from (lat, lon), uniform over the disc."""
    r = MAX_OFFSET_M * math.sqrt(rng.random())
    angle = rng.random() * 2 * math.pi
    dlat = r * math.cos(angle) / geo.M_PER_DEG_LAT
    dlon = r * math.sin(angle) / (geo.M_PER_DEG_LAT * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def _life(rng: random.Random, age_days: float) -> list[str]:
    """The statuses a report went through, from its age: recent ones are mostly open,
    old ones mostly fixed or closed."""
    if age_days < 3:
        choices = [([], 5), (["acknowledged"], 4), (["in_progress"], 1)]
    elif age_days < 30:
        choices = [
            ([], 1),
            (["acknowledged"], 2),
            (["acknowledged", "in_progress"], 2),
            (["acknowledged", "scheduled"], 2),
            (["acknowledged", "fixed"], 3),
            (["not_for_us"], 0.4),
        ]
    else:
        choices = [
            (["acknowledged", "scheduled"], 0.4),
            (["acknowledged", "in_progress"], 0.3),
            (["acknowledged", "fixed"], 2),
            (["acknowledged", "in_progress", "fixed"], 2),
            (["acknowledged", "scheduled", "fixed", "closed"], 3),
            (["acknowledged", "fixed", "closed"], 3),
            (["acknowledged", "closed"], 0.7),
            (["not_for_us"], 0.5),
        ]
    paths, weights = zip(*choices, strict=True)
    return list(rng.choices(paths, weights)[0])


def _step_text(rng, spec: CategorySpec, status: str, service: Service, at: dt.datetime) -> str:
    if status == "acknowledged":
        return ACK_TEXT.format(service=service.name)
    if status == "in_progress":
        return PROGRESS_TEXT
    if status == "scheduled":
        monday = (at + dt.timedelta(days=7 - at.weekday())).date()
        return SCHEDULED_TEXT.format(date=f"{monday.day} {vt._MONTHS[monday.month - 1]}")
    if status == "fixed":
        return rng.choice(spec.fixed)
    if status == "not_for_us":
        return rng.choice(NOT_FOR_US_TEXTS)
    return CLOSED_TEXT


def _draft_reports(territory, rng, categories, communes, services, count, now) -> list[_Draft]:
    weights = [c.population for c in communes]
    active = [s for s in CATEGORIES if s.active and s.weight > 0]
    cat_weights = [s.weight for s in active]
    residents = list(
        User.objects.filter(email__iendswith=f"@{data.RESIDENT_SUBDOMAIN}.{data.EMAIL_DOMAIN}")
        .order_by("email")
        .values_list("pk", flat=True)
    )
    agents_by_service: dict[int, list[tuple[int, int]]] = {}
    for user_id, org_id, service_id in (
        AgentProfile.objects.filter(organization__territory=territory, service__isnull=False)
        .order_by("user__email")
        .values_list("user_id", "organization_id", "service_id")
    ):
        agents_by_service.setdefault(service_id, []).append((user_id, org_id))
    front = list(
        AgentProfile.objects.filter(organization__territory=territory, front_line=True)
        .order_by("user__email")
        .values_list("user_id", "organization_id")
    )
    # `route` depends only on which organizations serve the commune (the demo lists no
    # communes on its coverages): ask it once per category and group of communes
    serving: dict[int, set[int]] = {}
    for org_id, commune_id in Organization.communes.through.objects.filter(
        organization__territory=territory
    ).values_list("organization_id", "commune_id"):
        serving.setdefault(commune_id, set()).add(org_id)
    routes: dict[tuple[int, frozenset], Coverage | None] = {}

    def route(category, commune):
        key = (category.pk, frozenset(serving.get(commune.pk, ())))
        if key not in routes:
            routes[key] = report_services.route(category, commune)
        return routes[key]

    drafts: list[_Draft] = []
    start = now - dt.timedelta(days=365)
    retired = next(s for s in CATEGORIES if not s.active)
    n_duplicates = max(1, round(count * DUPLICATE_SHARE)) if count >= 20 else 0
    n_retired = 3 if count >= 50 else 0
    for i in range(count - n_duplicates):
        spec = retired if i < n_retired else rng.choices(active, cat_weights)[0]
        category = categories[spec.code]
        if spec.active:
            created = start + dt.timedelta(seconds=rng.random() * 365 * 86400)
        else:  # the last January, when the collection was open
            january = dt.datetime(now.year if now.month > 1 else now.year - 1, 1, 8, 9)
            created = timezone.make_aware(january) + dt.timedelta(days=rng.random() * 20)
        centre = rng.choices(communes, weights)[0]
        commune_only = not spec.sensitive and rng.random() < COMMUNE_ONLY_SHARE
        if commune_only:
            lat = lon = None
            commune = centre
        else:
            lat, lon = _point_near(rng, centre.latitude, centre.longitude)
            # as `locate` does: the commune is the nearest centre
            commune = geo.nearest(lat, lon, ((c, c.latitude, c.longitude) for c in communes))[0]
        coverage = route(category, commune)
        if coverage is None:  # every demo category covers every commune; be safe anyway
            continue
        service = coverage.service
        age = (now - created).total_seconds() / 86400
        statuses = _life(rng, age)
        steps: list[tuple[str, dt.datetime, str]] = []
        at = created
        for status in statuses:
            at = at + dt.timedelta(hours=rng.uniform(2, 24 * (6 if status == "fixed" else 3)))
            if at >= now:
                break
            steps.append((status, at, _step_text(rng, spec, status, service, at)))
        status = steps[-1][0] if steps else "received"
        rural = data.COMMUNES_BY_NAME[commune.name].profile == "rural"
        street = rng.choice(vt._VILLAGE_STREETS if rural else vt._TOWN_STREETS)
        number = rng.randint(1, 120)
        text = rng.choice(spec.texts).format(
            rue=street,
            numero=number,
            parc=rng.choice(vt._PARKS),
            ecole=rng.choice(vt._SCHOOLS),
            commune=commune.name,
        )
        channel, mode, author_id, relay = _channel(
            rng, spec, residents, front, agents_by_service, service
        )
        attributes = {}
        if spec.attributes:
            attributes["emplacement"] = rng.choice(["chaussee", "trottoir", "compteur"])
            if rng.random() < 0.4:
                attributes["debit"] = float(rng.choice([1, 2, 5, 10, 20]))
        drafts.append(
            _Draft(
                spec=spec,
                category=category,
                commune=commune,
                service=service,
                lat=lat,
                lon=lon,
                created=created,
                status=status,
                steps=steps,
                text=text,
                street=street,
                number=number,
                channel=channel,
                capture_mode=mode,
                author_id=author_id,
                relay=relay,
                attributes=attributes,
            )
        )
    # duplicates: a second person reports the same thing a few metres away, the service
    # merges it into the first one while that one is still open
    primaries = [
        i
        for i, d in enumerate(drafts)
        if d.lat is not None and d.spec.active and d.steps and not d.spec.sensitive
    ]
    for i in rng.sample(primaries, min(n_duplicates, len(primaries))):
        first = drafts[i]
        merge_at = first.steps[0][1]
        created = first.created + (merge_at - first.created) * rng.uniform(0.1, 0.8)
        lat, lon = geo.box_around(first.lat, first.lon, 15).north, first.lon
        channel, mode, author_id, relay = _channel(rng, first.spec, residents, front, {}, None)
        drafts.append(
            _Draft(
                spec=first.spec,
                category=first.category,
                commune=first.commune,
                service=first.service,
                lat=round(lat, 6),
                lon=lon,
                created=created,
                status="merged",
                steps=[("merged", merge_at, "")],
                text=rng.choice(first.spec.texts).format(
                    rue=first.street,
                    numero=first.number,
                    parc=rng.choice(vt._PARKS),
                    ecole=rng.choice(vt._SCHOOLS),
                    commune=first.commune.name,
                ),
                street=first.street,
                number=first.number,
                channel=channel,
                capture_mode=mode,
                author_id=author_id,
                relay=relay,
                duplicate_of=i,
                attributes=dict(first.attributes),
            )
        )
    return drafts


def _channel(rng, spec, residents, front, agents_by_service, service):
    """(channel, capture mode, author id, (relay id, relay organization id))."""
    roll = rng.random()
    if spec.sensitive:  # mostly seen by agents and partners on their rounds
        roll = 0.9 if roll < 0.6 else roll
    if roll < 0.55:
        author = rng.choice(residents) if residents and rng.random() < 0.3 else None
        return Channel.WEB, CaptureMode.SELF, author, None
    if roll < 0.75:
        return Channel.APP, CaptureMode.SELF, None, None
    if roll < 0.85 and front:
        return Channel.PHONE, CaptureMode.OBSERVATION, None, rng.choice(front)
    agents = agents_by_service.get(service.pk) if service is not None else None
    if agents:
        return Channel.FIELD_WALK, CaptureMode.OBSERVATION, None, rng.choice(agents)
    return Channel.WEB, CaptureMode.SELF, None, None


def _write(territory, rng, drafts: list[_Draft], teams, client, now) -> int:
    commitments = {
        sid: (a, b)
        for sid, a, b in Commitment.objects.values_list(
            "service_id", "acknowledge_days", "answer_days"
        )
    }
    voices: list[Voice] = []
    for d in drafts:
        service = d.service
        ack_days, answer_days = commitments.get(
            service.pk, (DEFAULT_ACKNOWLEDGE_DAYS, DEFAULT_ANSWER_DAYS)
        )
        local = timezone.localtime(d.created)
        first_at = d.steps[0][1] if d.steps else None
        answer_step = next((s for s in reversed(d.steps) if s[0] in ("fixed", "not_for_us")), None)
        final_step = (
            d.steps[-1] if d.steps and d.status in ("closed", "not_for_us", "merged") else None
        )
        reference = new_reference()
        voices.append(
            Voice(
                reference=reference,
                tracking_digest=tracking_digest(reference, DEMO_TRACKING_CODE),
                territory=territory,
                kind=Kind.REPORT,
                text=d.text,
                channel=d.channel,
                capture_mode=d.capture_mode,
                organization=service.organization,
                service=service,
                theme=d.category.theme,
                commune=d.commune,
                address="" if d.lat is None else f"{d.number} {d.street}, {d.commune.name}",
                latitude=d.lat,
                longitude=d.lon,
                author_id=d.author_id,
                relay_id=d.relay[0] if d.relay else None,
                relay_organization_id=d.relay[1] if d.relay else None,
                status=d.status,
                created_at=d.created,
                acknowledge_due=add_working_days(local, ack_days),
                answer_due=add_working_days(local, answer_days),
                acknowledged_at=first_at if d.status != "merged" else None,
                answered_at=answer_step[1] if answer_step else None,
                answer=answer_step[2] if answer_step else "",
                answer_signature=service.name if answer_step else "",
                closed_at=final_step[1] if final_step else None,
            )
        )
    Voice.objects.bulk_create(voices, batch_size=500)
    pks = dict(
        Voice.objects.filter(territory=territory, kind=Kind.REPORT).values_list("reference", "pk")
    )
    for voice in voices:
        voice.pk = pks[voice.reference]
    ctype = ContentType.objects.get_for_model(Voice)
    readers = _readers_by_service(territory)
    residents = list(
        User.objects.filter(email__iendswith=f"@{data.RESIDENT_SUBDOMAIN}.{data.EMAIL_DOMAIN}")
        .order_by("email")
        .values_list("pk", flat=True)
    )
    reports, events, supports, contacts, receipts = [], [], [], [], []
    merged_in: dict[int, list[str]] = {}
    for d, voice in zip(drafts, voices, strict=True):
        service = voice.service
        place = report_services.Place(
            d.commune,
            d.lat if d.lat is not None else d.commune.latitude,
            d.lon if d.lon is not None else d.commune.longitude,
            LocationPrecision.POINT if d.lat is not None else LocationPrecision.COMMUNE,
        )
        lat, lon = report_services.public_point(d.category, place)

        def event(
            action,
            at,
            *,
            to="",
            frm="",
            public="",
            internal="",
            label="",
            payload=None,
            actor=None,
            pk=voice.pk,
        ):
            events.append(
                StatusEvent(
                    content_type=ctype,
                    object_id=pk,
                    action=action,
                    from_status=frm,
                    to_status=to,
                    public_text=public,
                    internal_text=internal,
                    actor_label=label[:200],
                    data=payload or {},
                    created_at=at,
                    actor_id=actor,
                )
            )

        event(
            "received",
            d.created,
            to=Status.RECEIVED,
            payload={"channel": d.channel, "capture_mode": d.capture_mode},
            actor=voice.relay_id or voice.author_id,
        )
        team = None
        previous = Status.RECEIVED
        notes, updated = "", d.created
        for status, at, text in d.steps:
            if status == "merged":
                primary = voices[d.duplicate_of]
                voice.merged_into_id = primary.pk
                event(
                    "merged",
                    at,
                    to=Status.MERGED,
                    frm=previous,
                    public=MERGED_TEXT.format(ref=primary.reference),
                    label=primary.service.name,
                    payload={"into": primary.pk, "reference": primary.reference},
                )
                merged_in.setdefault(d.duplicate_of, []).append(voice.reference)
                updated = at
                previous = status
                continue
            if status in ("in_progress", "scheduled") and team is None and teams.get(service.pk):
                team = rng.choice(teams[service.pk])
                event(
                    "assigned",
                    at - dt.timedelta(minutes=30),
                    internal=team.name,
                    payload={"team": team.pk, "previous": None},
                )
            label = voice.answer_signature if status in ("fixed", "not_for_us") else service.name
            event("status", at, to=status, frm=previous, public=text, label=label)
            previous, notes, updated = status, text, at
        reports.append(
            Report(
                voice_id=voice.pk,
                territory=territory,
                category=d.category,
                latitude=lat,
                longitude=lon,
                precision=place.precision,
                team=team,
                attributes=d.attributes,
                client=client if d.channel == Channel.APP else None,
                status=d.status,
                is_open=d.status in OPEN_STATUSES,
                status_notes=notes,
                created_at=d.created,
                updated_at=updated,
            )
        )
        if d.steps and d.status != "merged":
            for user_id in readers.get(service.pk, ())[:2]:
                receipts.append(
                    ReadReceipt(
                        content_type=ctype,
                        object_id=voice.pk,
                        user_id=user_id,
                        seen_at=d.steps[0][1],
                    )
                )
        if d.channel == Channel.WEB and rng.random() < 0.4:
            closed = voice.closed_at
            contacts.append(
                VoiceContact(
                    voice_id=voice.pk,
                    email=f"usager.{voice.pk}@{data.RESIDENT_SUBDOMAIN}.{data.EMAIL_DOMAIN}",
                    consent_at=d.created,
                    erase_after=closed + dt.timedelta(days=365) if closed else None,
                )
            )
    # supports: "me too" from residents with an account, while the report was open
    for d, report in zip(drafts, reports, strict=True):
        if d.status == "merged" or not residents or rng.random() > 0.35:
            continue
        n = min(len(residents), rng.choice([1, 1, 1, 2, 2, 3, 5, 8]))
        until = d.steps[0][1] if d.steps and not report.is_open else now
        for user_id in rng.sample(residents, n):
            at = d.created + (until - d.created) * rng.random()
            supports.append(Support(report_id=report.voice_id, user_id=user_id, created_at=at))
        report.support_count = n
    for index, references in merged_in.items():
        primary = voices[index]
        event_at = drafts[index].steps[0][1]
        events.append(
            StatusEvent(
                content_type=ctype,
                object_id=primary.pk,
                action="merged_in",
                data={"references": references},
                created_at=event_at,
            )
        )
    Report.objects.bulk_create(reports, batch_size=500)
    StatusEvent.objects.bulk_create(events, batch_size=1000)
    Support.objects.bulk_create(supports, batch_size=1000)
    VoiceContact.objects.bulk_create(contacts, batch_size=1000)
    ReadReceipt.objects.bulk_create(receipts, batch_size=1000, ignore_conflicts=True)
    for voice in voices:
        if voice.merged_into_id:
            Voice.objects.filter(pk=voice.pk).update(merged_into_id=voice.merged_into_id)
    return len(reports)
