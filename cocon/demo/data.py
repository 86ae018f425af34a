"""The demo territory as plain data: the Pays du Val de Lise.
Phone numbers use 04 65 71 xx xx, the range ARCEP reserves for fiction.

A fictional agglomeration modelled on the Pays Voironnais case of the study (31
communes, about 98 000 inhabitants, a central town of about 20 000). Everything here
is invented; nothing imports Django so that the data can be checked and fingerprinted
alone. ``cocon.demo.loader`` turns it into database rows.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from cocon.lib.population import AGE_BANDS, SEXES

TERRITORY_NAME = "Pays du Val de Lise"
TERRITORY_SLUG = "val-de-lise"
TERRITORY_DESCRIPTION = (
    "Bassin de vie de 31 communes et près de 98 000 habitants, entre la vallée de la Lise "
    "et les premiers contreforts du massif d'Orvanne. Ville-centre : Montlise. Territoire "
    "fictif de démonstration, inspiré du Pays Voironnais."
)
EPCI_NAME = "Val de Lise Agglomération"
CENTRAL_CITY = "Montlise"
DEPARTEMENT_NAME = "Haute-Lise"
EMAIL_DOMAIN = "demo.cocon.test"


# --- Communes ----------------------------------------------------------------------------
@dataclass(frozen=True)
class CommuneData:
    insee_code: str
    name: str
    postal_code: str
    population: int
    latitude: float
    longitude: float
    profile: str  # "urban", "periurban" or "rural": drives the age structure


# INSEE codes 38601 to 38631 are not assigned by INSEE (the communes of Isère stop well
# below 38600), so the demo can never collide with a real commune imported later. They
# are given in alphabetical order, as INSEE did when it first numbered the communes.
# Listed by decreasing population (rank-size); coordinates are within ~15 km of Montlise.
COMMUNES: tuple[CommuneData, ...] = (
    CommuneData("38619", "Montlise", "38500", 20362, 45.3642, 5.5887, "urban"),
    CommuneData("38631", "Vorlanges", "38540", 9981, 45.3804, 5.6209, "periurban"),
    CommuneData("38617", "Moirac-sur-Lise", "38530", 8512, 45.4022, 5.6152, "periurban"),
    CommuneData("38628", "Tullière", "38570", 7968, 45.3370, 5.6322, "periurban"),
    CommuneData("38620", "Rivelonne", "38580", 6630, 45.3379, 5.5869, "periurban"),
    CommuneData("38607", "Coublanges", "38500", 5163, 45.3838, 5.5354, "periurban"),
    CommuneData("38626", "Saint-Orvan-de-Lise", "38510", 4498, 45.4137, 5.5647, "periurban"),
    CommuneData("38609", "La Combe-d'Orvanne", "38510", 4127, 45.4288, 5.6164, "periurban"),
    CommuneData("38601", "Apprelieu", "38590", 3706, 45.3480, 5.6797, "periurban"),
    CommuneData("38624", "Saint-Jean-de-Morelle", "38530", 3318, 45.3256, 5.5578, "periurban"),
    CommuneData("38606", "Chiranne", "38550", 2893, 45.3201, 5.6536, "periurban"),
    CommuneData("38625", "Saint-Maurin-des-Crêts", "38520", 2611, 45.3766, 5.6507, "periurban"),
    CommuneData("38614", "Les Essarts-de-Lise", "38560", 2357, 45.3010, 5.6327, "periurban"),
    CommuneData("38602", "Beaucressin", "38590", 2104, 45.3399, 5.4845, "periurban"),
    CommuneData("38629", "Vaulnières", "38510", 1826, 45.4138, 5.5182, "rural"),
    CommuneData("38610", "La Morinière", "38550", 1652, 45.4300, 5.6745, "rural"),
    CommuneData("38623", "Saint-Gervin-d'Orvanne", "38520", 1479, 45.3674, 5.4868, "rural"),
    CommuneData("38603", "Bellecombe-sur-Lise", "38570", 1318, 45.2995, 5.5951, "rural"),
    CommuneData("38605", "Charavelle", "38560", 1187, 45.2839, 5.5322, "rural"),
    CommuneData("38613", "Le Pré-Sablon", "38580", 1036, 45.3267, 5.7148, "rural"),
    CommuneData("38616", "Massenay", "38570", 917, 45.2792, 5.6228, "rural"),
    CommuneData("38622", "Saint-Géraud-des-Noyers", "38550", 768, 45.4586, 5.5400, "rural"),
    CommuneData("38618", "Montaverne", "38520", 689, 45.3180, 5.4789, "rural"),
    CommuneData("38630", "Villardière", "38590", 612, 45.4629, 5.5826, "rural"),
    CommuneData("38604", "Chabrelles", "38560", 534, 45.3410, 5.7385, "rural"),
    CommuneData("38611", "La Sauvetière", "38540", 463, 45.3655, 5.7105, "rural"),
    CommuneData("38627", "Saint-Ours-en-Lise", "38520", 397, 45.4317, 5.4882, "rural"),
    CommuneData("38608", "Crévillard", "38560", 318, 45.2812, 5.6583, "rural"),
    CommuneData("38615", "Les Granges-Hautes", "38540", 256, 45.4362, 5.7315, "rural"),
    CommuneData("38621", "Rochepèze", "38580", 201, 45.2645, 5.6021, "rural"),
    CommuneData("38612", "Le Mollard-d'en-Haut", "38590", 152, 45.3172, 5.4182, "rural"),
)
COMMUNES_BY_NAME: dict[str, CommuneData] = {c.name: c for c in COMMUNES}
SECOND_COMMUNE = COMMUNES[1].name  # Vorlanges: its mairie is a member organization
TENTH_COMMUNE = COMMUNES[9].name  # Saint-Jean-de-Morelle: likewise, a small mairie


# --- Age structure -------------------------------------------------------------------------
# Shares of the population by age band (%), close to INSEE census figures: the central
# town has more young adults (students, first jobs), the périurbain more families, the
# rural communes more people over 60.
PROFILE_AGE_SHARES: dict[str, tuple[float, ...]] = {
    "urban": (17.0, 21.5, 19.5, 17.5, 14.5, 10.0),
    "periurban": (19.5, 15.0, 19.0, 21.0, 17.0, 8.5),
    "rural": (17.0, 13.0, 17.0, 21.5, 20.0, 11.5),
}
# Share of women in each band: slightly fewer girls at birth, many more women after 75.
FEMALE_SHARE: tuple[float, ...] = (0.488, 0.496, 0.508, 0.510, 0.525, 0.610)


def largest_remainder(weights: list[float], total: int) -> list[int]:
    """Integers proportional to `weights` that sum exactly to `total` (Hamilton method).

    Ties are broken by position so that the result never depends on float noise.
    """
    weight_sum = sum(weights)
    quotas = [w * total / weight_sum for w in weights]
    counts = [int(q) for q in quotas]
    missing = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - counts[i]), i))
    for i in order[:missing]:
        counts[i] += 1
    return counts


def margins_for(population: int, profile: str, rng: random.Random) -> list[tuple[str, str, int]]:
    """Census-like (age band, sex, count) cells of one commune; counts sum to `population`.

    A small random jitter (larger for small communes) keeps the 31 communes from looking
    cloned; `rng` must be seeded by the caller for the result to be reproducible.
    """
    spread = 0.10 if population < 1000 else 0.04
    cells: list[tuple[str, str]] = []
    weights: list[float] = []
    for band, share, female in zip(
        AGE_BANDS, PROFILE_AGE_SHARES[profile], FEMALE_SHARE, strict=True
    ):
        for sex in SEXES:
            part = female if sex == "F" else 1 - female
            cells.append((band, sex))
            weights.append(share * part * rng.uniform(1 - spread, 1 + spread))
    counts = largest_remainder(weights, population)
    return [(band, sex, count) for (band, sex), count in zip(cells, counts, strict=True)]


# --- Opening hours -------------------------------------------------------------------------
# weekday (0 = Monday), opens, closes
Slot = tuple[int, str, str]


def _days(days: range | tuple[int, ...], opens: str, closes: str) -> tuple[Slot, ...]:
    return tuple((day, opens, closes) for day in days)


WEEK = range(5)
HOURS: dict[str, tuple[Slot, ...]] = {
    "standard": _days(WEEK, "08:30", "12:00") + _days(WEEK, "13:30", "17:00"),
    "standard_saturday": _days(WEEK, "08:30", "12:00")
    + _days(WEEK, "13:30", "17:00")
    + ((5, "09:00", "12:00"),),
    "mornings": _days(WEEK, "08:30", "12:00"),
    "closed_wednesday_afternoon": _days(WEEK, "08:30", "12:00")
    + _days((0, 1, 3, 4), "13:30", "17:00"),
    "technical": _days(WEEK, "07:30", "12:00") + _days(WEEK, "13:00", "16:30"),
    "france_services": _days(WEEK, "09:00", "12:30")
    + _days((0, 1, 3), "13:30", "17:00")
    + ((5, "09:00", "12:00"),),
    "mairie_medium": _days(WEEK, "08:30", "12:00")
    + _days((0, 1, 3, 4), "13:30", "17:30")
    + ((5, "09:00", "11:30"),),
    "mairie_small": (
        (0, "14:00", "18:00"),
        (1, "08:30", "12:00"),
        (3, "08:30", "12:00"),
        (3, "14:00", "18:30"),
        (5, "09:00", "11:30"),
    ),
    "caf": _days((0, 1, 2, 3), "08:30", "12:00")
    + _days((0, 1, 2, 3), "13:30", "16:00")
    + ((4, "08:30", "12:00"),),
    "cpam": _days(WEEK, "08:30", "12:30") + _days((0, 1, 2, 4), "13:30", "16:30"),
    "france_travail": _days(WEEK, "08:30", "12:30") + _days((0, 1, 2, 3), "13:00", "16:30"),
    "poste": _days(WEEK, "09:00", "12:00")
    + _days(WEEK, "14:00", "18:00")
    + ((5, "09:00", "12:00"),),
    "prefecture": _days(WEEK, "08:45", "11:45") + _days((1, 3), "13:30", "15:30"),
    "association": (
        (0, "09:00", "12:00"),
        (1, "14:00", "18:00"),
        (2, "09:00", "12:00"),
        (3, "14:00", "19:00"),
        (4, "09:00", "12:00"),
    ),
    "mobile_team": _days(WEEK, "09:00", "12:30") + _days((0, 2, 3, 4), "13:30", "17:00"),
}


# --- Organizations -----------------------------------------------------------------------
@dataclass(frozen=True)
class ServiceSpec:
    slug: str
    name: str
    mission: str
    email: str
    phone: str
    address: str
    hours: str  # key of HOURS
    is_public: bool = True
    internal_email: str = ""
    internal_phone: str = ""
    internal_notes: str = ""


@dataclass(frozen=True)
class DirectionSpec:
    slug: str
    name: str
    description: str
    services: tuple[ServiceSpec, ...] = ()


@dataclass(frozen=True)
class OrganizationSpec:
    slug: str
    kind: str  # a territory.models.OrganizationKind value
    name: str
    short_name: str
    description: str
    website: str
    email: str
    phone: str
    address: str
    seat: str | None  # commune name
    communes: tuple[str, ...] | None  # None: every commune of the territory
    primary_color: str
    accent_color: str
    directions: tuple[DirectionSpec, ...] = ()
    services: tuple[ServiceSpec, ...] = ()  # services outside any direction

    @property
    def all_services(self) -> tuple[ServiceSpec, ...]:
        return tuple(s for d in self.directions for s in d.services) + self.services


def mail(local: str, org_slug: str) -> str:
    return f"{local}@{org_slug}.{EMAIL_DOMAIN}"


AGGLO = "agglo-val-de-lise"
VILLE = "ville-de-montlise"
CCAS = "ccas-montlise"
MAIRIE_2 = "mairie-vorlanges"
MAIRIE_10 = "mairie-saint-jean-de-morelle"
DEPARTEMENT = "departement-haute-lise"
CAF = "caf-haute-lise"
CPAM = "cpam-haute-lise"
FRANCE_TRAVAIL = "france-travail-montlise"
LA_POSTE = "la-poste-montlise"
PREFECTURE = "prefecture-haute-lise"
HABITAT = "habitat-solidaire-lise"

AGGLO_ADDRESS = "Hôtel d'agglomération, 40 avenue des Tisserands, 38500 Montlise"
MAIRIE_ADDRESS = "Hôtel de ville, place de la Libération, 38500 Montlise"

ORGANIZATIONS: tuple[OrganizationSpec, ...] = (
    OrganizationSpec(
        slug=AGGLO,
        kind="epci",
        name=EPCI_NAME,
        short_name="Agglo Val de Lise",
        description=(
            "La communauté d'agglomération rassemble les 31 communes du Pays du Val de Lise. "
            "Elle gère l'eau et l'assainissement, la collecte des déchets, les transports, "
            "les espaces naturels et la Maison France services, et mesure chaque année la "
            "satisfaction des habitants pour améliorer ses services."
        ),
        website="https://agglo.demo.cocon.test",
        email=mail("contact", AGGLO),
        phone="04 65 71 17 00",
        address=AGGLO_ADDRESS,
        seat=CENTRAL_CITY,
        communes=None,
        primary_color="#1d5e4b",
        accent_color="#e2f1eb",
        directions=(
            DirectionSpec(
                "direction-generale",
                "Direction générale des services",
                "Pilote l'administration communautaire, la participation et l'évaluation "
                "des politiques publiques (baromètre de satisfaction).",
            ),
            DirectionSpec(
                "environnement",
                "Direction de l'environnement",
                "Eau potable, assainissement, déchets et espaces naturels.",
                (
                    ServiceSpec(
                        "eau-assainissement",
                        "Eau et assainissement",
                        "Produit et distribue l'eau potable des 31 communes, contrôle sa "
                        "qualité chaque semaine, entretient les réseaux et traite les eaux "
                        "usées. Répond aux questions sur les factures, les fuites et les "
                        "raccordements.",
                        mail("eau", AGGLO),
                        "04 65 71 17 10",
                        AGGLO_ADDRESS,
                        "standard",
                        internal_email=mail("astreinte-eau", AGGLO),
                        internal_phone="04 65 71 17 19",
                        internal_notes=(
                            "Astreinte 24 h/24 pour les fuites sur le réseau public : appeler "
                            "le numéro interne, jamais le standard. Les analyses "
                            "bactériologiques sont transmises par le laboratoire le jeudi."
                        ),
                    ),
                    ServiceSpec(
                        "dechets-collecte",
                        "Déchets et collecte",
                        "Collecte les ordures ménagères et le tri sélectif, gère les six "
                        "déchèteries et le compostage partagé, distribue les bacs.",
                        mail("dechets", AGGLO),
                        "04 65 71 17 20",
                        "Centre technique communautaire, 12 rue de l'Industrie, 38500 Montlise",
                        "technical",
                        internal_phone="04 65 71 17 29",
                        internal_notes=(
                            "Les tournées commencent à 5 h 30. Signaler aux chefs d'équipe "
                            "tout bac oublié avant 11 h pour un passage le jour même."
                        ),
                    ),
                    ServiceSpec(
                        "espaces-naturels",
                        "Espaces naturels",
                        "Préserve et fait découvrir les espaces naturels sensibles, les "
                        "tourbières et les sentiers de la vallée de la Lise ; accompagne les "
                        "écoles et les habitants lors de sorties.",
                        mail("nature", AGGLO),
                        "04 65 71 17 30",
                        "Maison de la nature, chemin des Étangs, 38510 Saint-Orvan-de-Lise",
                        "closed_wednesday_afternoon",
                    ),
                ),
            ),
            DirectionSpec(
                "mobilites",
                "Direction des mobilités",
                "Réseau de bus, transport à la demande, vélo et voirie communautaire.",
                (
                    ServiceSpec(
                        "transports-mobilite",
                        "Transports et mobilité",
                        "Organise le réseau de bus Lisébus, le transport à la demande pour "
                        "les communes rurales et la location de vélos à assistance "
                        "électrique ; vend les abonnements à l'agence de mobilité.",
                        mail("mobilite", AGGLO),
                        "04 65 71 17 40",
                        "Agence de mobilité, gare routière, place de la Gare, 38500 Montlise",
                        "standard_saturday",
                    ),
                    ServiceSpec(
                        "voirie-communautaire",
                        "Voirie communautaire",
                        "Entretient les voiries d'intérêt communautaire et les zones "
                        "d'activités : chaussées, trottoirs, signalisation, déneigement.",
                        mail("voirie", AGGLO),
                        "04 65 71 17 50",
                        "Centre technique communautaire, 12 rue de l'Industrie, 38500 Montlise",
                        "technical",
                        internal_phone="04 65 71 17 59",
                        internal_notes="Astreinte viabilité hivernale du 15 novembre au 15 mars.",
                    ),
                ),
            ),
            DirectionSpec(
                "cohesion-sociale",
                "Direction de la cohésion sociale",
                "Accès aux services publics et aux droits, politique de la ville.",
                (
                    ServiceSpec(
                        "france-services",
                        "Maison France services & bus itinérant des services publics",
                        "Accompagne les habitants dans leurs démarches administratives (CAF, "
                        "CPAM, France Travail, impôts, titres, retraite) à Montlise et, chaque "
                        "semaine, dans les villages grâce au bus itinérant des services "
                        "publics. Une écrivaine publique aide à rédiger courriers et dossiers.",
                        mail("franceservices", AGGLO),
                        "04 65 71 17 60",
                        "Maison France services, 3 place du Marché, 38500 Montlise",
                        "france_services",
                        internal_email=mail("bus-itinerant", AGGLO),
                        internal_phone="04 65 71 17 69",
                        internal_notes=(
                            "Tournée du bus : mardi Chiranne et Les Essarts-de-Lise, jeudi "
                            "Vaulnières et Saint-Géraud-des-Noyers, vendredi après-midi "
                            "La Morinière. Référents partenaires dans l'annuaire partagé."
                        ),
                    ),
                    ServiceSpec(
                        "politique-de-la-ville",
                        "Politique de la ville",
                        "Anime le contrat de ville des quartiers prioritaires des Tisserands "
                        "(Montlise) et du Clos-Fleuri (Moirac-sur-Lise) avec les habitants, "
                        "les associations et les bailleurs.",
                        mail("politique-ville", AGGLO),
                        "04 65 71 17 70",
                        "Maison des projets, 8 rue des Tisserands, 38500 Montlise",
                        "closed_wednesday_afternoon",
                    ),
                ),
            ),
            DirectionSpec(
                "ressources",
                "Direction des ressources",
                "Accueil, ressources humaines, finances et moyens généraux.",
                (
                    ServiceSpec(
                        "accueil",
                        "Accueil de l'agglomération",
                        "Accueille et oriente le public à l'hôtel d'agglomération et au "
                        "standard téléphonique ; enregistre les demandes et les transmet au "
                        "bon service.",
                        mail("accueil", AGGLO),
                        "04 65 71 17 00",
                        AGGLO_ADDRESS,
                        "standard",
                    ),
                    ServiceSpec(
                        "ressources-humaines",
                        "Ressources humaines",
                        "Recrutement, carrières, paie, formation et prévention des risques "
                        "professionnels des 620 agents de l'agglomération.",
                        mail("rh", AGGLO),
                        "04 65 71 17 80",
                        AGGLO_ADDRESS,
                        "standard",
                        is_public=False,
                        internal_email=mail("rh-agents", AGGLO),
                        internal_phone="04 65 71 17 81",
                        internal_notes="Permanence carrières et paie le mardi après-midi.",
                    ),
                ),
            ),
        ),
    ),
    OrganizationSpec(
        slug=VILLE,
        kind="commune",
        name="Ville de Montlise",
        short_name="Montlise",
        description=(
            "Ville-centre du Pays du Val de Lise (20 000 habitants), Montlise gère l'état "
            "civil, les écoles, les espaces verts, la propreté et l'éclairage de ses rues, "
            "et associe ses sept conseils de quartier à ses projets."
        ),
        website="https://www.montlise.demo.cocon.test",
        email=mail("mairie", VILLE),
        phone="04 65 71 10 00",
        address=MAIRIE_ADDRESS,
        seat=CENTRAL_CITY,
        communes=(CENTRAL_CITY,),
        primary_color="#8c2335",
        accent_color="#f9e9ec",
        directions=(
            DirectionSpec(
                "direction-generale",
                "Direction générale des services",
                "Coordonne les services municipaux et prépare les décisions du conseil.",
            ),
            DirectionSpec(
                "services-techniques",
                "Direction des services techniques",
                "Espaces verts, propreté, voirie communale et éclairage public.",
                (
                    ServiceSpec(
                        "espaces-verts",
                        "Espaces verts",
                        "Entretient les parcs, squares, aires de jeux et arbres de la ville "
                        "sans pesticides ; accompagne les jardins partagés.",
                        mail("espaces-verts", VILLE),
                        "04 65 71 10 20",
                        "Centre technique municipal, 27 chemin du Pontet, 38500 Montlise",
                        "technical",
                    ),
                    ServiceSpec(
                        "proprete-urbaine",
                        "Propreté urbaine",
                        "Nettoie les rues et les places, vide les corbeilles, enlève les "
                        "dépôts sauvages et les tags.",
                        mail("proprete", VILLE),
                        "04 65 71 10 30",
                        "Centre technique municipal, 27 chemin du Pontet, 38500 Montlise",
                        "technical",
                        internal_phone="04 65 71 10 39",
                        internal_notes=(
                            "Équipe d'intervention rapide joignable de 6 h à 13 h pour les "
                            "dépôts sauvages signalés par les habitants."
                        ),
                    ),
                    ServiceSpec(
                        "voirie-eclairage",
                        "Voirie et éclairage public",
                        "Entretient les rues communales, les trottoirs et les 3 200 points "
                        "lumineux de la ville ; instruit les permissions de voirie.",
                        mail("voirie", VILLE),
                        "04 65 71 10 40",
                        "Centre technique municipal, 27 chemin du Pontet, 38500 Montlise",
                        "technical",
                    ),
                ),
            ),
            DirectionSpec(
                "citoyennete",
                "Direction de la citoyenneté",
                "Accueil, état civil, élections, vie des quartiers et participation.",
                (
                    ServiceSpec(
                        "accueil-etat-civil",
                        "Accueil et état civil",
                        "Accueille le public, délivre les actes d'état civil, enregistre les "
                        "demandes de cartes d'identité et de passeports, organise les "
                        "élections et les mariages.",
                        mail("etat-civil", VILLE),
                        "04 65 71 10 10",
                        MAIRIE_ADDRESS,
                        "standard_saturday",
                    ),
                    ServiceSpec(
                        "vie-des-quartiers",
                        "Vie des quartiers et participation",
                        "Anime les sept conseils de quartier, le budget participatif et les "
                        "balades urbaines ; fait le lien entre les habitants et les services.",
                        mail("participation", VILLE),
                        "04 65 71 10 50",
                        "Maison des quartiers, 14 rue Jean-Moulin, 38500 Montlise",
                        "closed_wednesday_afternoon",
                        internal_email=mail("budget-participatif", VILLE),
                        internal_notes=(
                            "Calendrier des conseils de quartier dans le dossier partagé."
                        ),
                    ),
                ),
            ),
        ),
    ),
    OrganizationSpec(
        slug=CCAS,
        kind="ccas",
        name="CCAS de Montlise",
        short_name="CCAS Montlise",
        description=(
            "Le centre communal d'action sociale accompagne les Montlisiens en difficulté : "
            "aides facultatives, domiciliation, accès aux droits et au logement, avec une "
            "équipe mobile qui va à la rencontre des personnes qui ne demandent rien."
        ),
        website="https://www.montlise.demo.cocon.test/ccas",
        email=mail("accueil", CCAS),
        phone="04 65 71 90 00",
        address="5 rue des Jardins, 38500 Montlise",
        seat=CENTRAL_CITY,
        communes=(CENTRAL_CITY,),
        primary_color="#6a3a91",
        accent_color="#f2eaf8",
        services=(
            ServiceSpec(
                "action-sociale",
                "Action sociale et aides facultatives",
                "Instruit les aides facultatives (secours d'urgence, aide alimentaire, "
                "énergie), la domiciliation des personnes sans adresse stable et "
                "l'accompagnement social des personnes seules.",
                mail("action-sociale", CCAS),
                "04 65 71 90 10",
                "5 rue des Jardins, 38500 Montlise",
                "closed_wednesday_afternoon",
                internal_phone="04 65 71 90 19",
                internal_notes="Commission des aides facultatives le premier mardi du mois.",
            ),
            ServiceSpec(
                "equipe-mobile-acces-aux-droits",
                "Équipe mobile d'accès aux droits",
                "Juristes, travailleurs sociaux et travailleurs pairs vont au-devant des "
                "personnes en situation de non-recours, dans la rue, en squat ou à "
                "domicile : droit au logement opposable (DALO), droit à l'hébergement "
                "(DAHO), ouverture des droits sociaux, jusqu'au recours si nécessaire.",
                mail("equipe-mobile", CCAS),
                "04 65 71 90 20",
                "5 rue des Jardins, 38500 Montlise",
                "mobile_team",
                internal_email=mail("equipe-mobile-coordination", CCAS),
                internal_phone="04 65 71 90 29",
                internal_notes=(
                    "Maraude le mardi soir avec l'association Habitat Solidaire Lise. "
                    "Indicateurs co-définis avec l'équipe : revus chaque trimestre."
                ),
            ),
        ),
    ),
    OrganizationSpec(
        slug=MAIRIE_2,
        kind="commune",
        name=f"Mairie de {SECOND_COMMUNE}",
        short_name=SECOND_COMMUNE,
        description=(
            "Deuxième commune du Val de Lise (près de 10 000 habitants), Vorlanges accueille "
            "ses habitants en mairie pour l'état civil, l'urbanisme et la vie associative."
        ),
        website="https://www.vorlanges.demo.cocon.test",
        email=mail("mairie", MAIRIE_2),
        phone="04 65 71 22 00",
        address="Mairie, 1 place de l'Église, 38540 Vorlanges",
        seat=SECOND_COMMUNE,
        communes=(SECOND_COMMUNE,),
        primary_color="#1d4f8c",
        accent_color="#e6eef8",
        services=(
            ServiceSpec(
                "secretariat-de-mairie",
                "Secrétariat de mairie",
                "Accueil, état civil, urbanisme, inscriptions scolaires, cimetière et "
                "location des salles communales.",
                mail("secretariat", MAIRIE_2),
                "04 65 71 22 00",
                "Mairie, 1 place de l'Église, 38540 Vorlanges",
                "mairie_medium",
            ),
        ),
    ),
    OrganizationSpec(
        slug=MAIRIE_10,
        kind="commune",
        name=f"Mairie de {TENTH_COMMUNE}",
        short_name=TENTH_COMMUNE,
        description=(
            "Commune de 3 300 habitants au pied des coteaux. La secrétaire de mairie est le "
            "premier point de contact des habitants pour toutes leurs démarches."
        ),
        website="https://www.saint-jean-de-morelle.demo.cocon.test",
        email=mail("mairie", MAIRIE_10),
        phone="04 65 71 41 10",
        address="Mairie, 2 rue de la Fontaine, 38530 Saint-Jean-de-Morelle",
        seat=TENTH_COMMUNE,
        communes=(TENTH_COMMUNE,),
        primary_color="#7a4a12",
        accent_color="#f8efe2",
        services=(
            ServiceSpec(
                "secretariat-de-mairie",
                "Secrétariat de mairie",
                "Accueil, état civil, urbanisme, cimetière, listes électorales ; oriente "
                "vers l'agglomération et les partenaires pour les autres démarches.",
                mail("secretariat", MAIRIE_10),
                "04 65 71 41 10",
                "Mairie, 2 rue de la Fontaine, 38530 Saint-Jean-de-Morelle",
                "mairie_small",
            ),
        ),
    ),
    OrganizationSpec(
        slug=DEPARTEMENT,
        kind="departement",
        name=f"Département de {DEPARTEMENT_NAME}",
        short_name=DEPARTEMENT_NAME,
        description=(
            "Le Département est chef de file de l'action sociale : RSA, protection "
            "maternelle et infantile, autonomie des personnes âgées et handicapées. Il "
            "entretient aussi les routes départementales."
        ),
        website="https://www.haute-lise.demo.cocon.test",
        email=mail("contact", DEPARTEMENT),
        phone="04 65 71 38 00",
        address="Hôtel du Département, 1 place de l'Europe, 38500 Montlise",
        seat=CENTRAL_CITY,
        communes=None,
        primary_color="#a13a00",
        accent_color="#fcede4",
        directions=(
            DirectionSpec(
                "action-sociale",
                "Direction de l'action sociale",
                "Insertion, enfance et famille, autonomie.",
                (
                    ServiceSpec(
                        "maison-departement-montlise",
                        "Maison du Département de Montlise",
                        "Accueille les habitants du Val de Lise pour le RSA et l'insertion, "
                        "les consultations de protection maternelle et infantile (PMI), "
                        "l'aide sociale à l'enfance et l'allocation personnalisée "
                        "d'autonomie.",
                        mail("mdd-montlise", DEPARTEMENT),
                        "04 65 71 38 40",
                        "Maison du Département, 18 boulevard de la Lise, 38500 Montlise",
                        "closed_wednesday_afternoon",
                        internal_phone="04 65 71 38 49",
                        internal_notes="Consultations PMI sans rendez-vous le jeudi matin.",
                    ),
                ),
            ),
            DirectionSpec(
                "routes",
                "Direction des routes",
                "Entretien et exploitation des 1 900 km de routes départementales.",
                (
                    ServiceSpec(
                        "routes-departementales",
                        "Routes départementales",
                        "Entretient, déneige et sécurise les routes départementales du Val "
                        "de Lise depuis le centre d'entretien routier de Montlise.",
                        mail("routes-valdelise", DEPARTEMENT),
                        "04 65 71 38 60",
                        "Centre d'entretien routier, route de Tullière, 38500 Montlise",
                        "technical",
                    ),
                ),
            ),
        ),
    ),
    OrganizationSpec(
        slug=CAF,
        kind="operator",
        name=f"CAF de {DEPARTEMENT_NAME}",
        short_name="CAF",
        description=(
            "La caisse d'allocations familiales verse les prestations familiales, les aides "
            "au logement, la prime d'activité et le RSA, et accompagne les familles."
        ),
        website="https://caf.demo.cocon.test",
        email=mail("contact", CAF),
        phone="04 65 71 60 00",
        address="9 avenue Jean-Jaurès, 38500 Montlise",
        seat=CENTRAL_CITY,
        communes=None,
        primary_color="#00608f",
        accent_color="#e3f2f9",
        services=(
            ServiceSpec(
                "accueil-allocataires",
                "Accueil des allocataires",
                "Reçoit les allocataires avec ou sans rendez-vous, aide à faire les "
                "déclarations en ligne et répond aux questions sur les droits.",
                mail("accueil", CAF),
                "04 65 71 60 10",
                "9 avenue Jean-Jaurès, 38500 Montlise",
                "caf",
                internal_email=mail("partenaires", CAF),
                internal_phone="04 65 71 60 19",
                internal_notes=(
                    "Ligne réservée aux partenaires (France services, CCAS, mairies) : "
                    "réponse sous 48 heures, numéro d'allocataire indispensable."
                ),
            ),
            ServiceSpec(
                "accompagnement-familles",
                "Accompagnement social des familles",
                "Travailleurs sociaux de la CAF : séparation, décès, impayés de loyer, "
                "arrivée d'un enfant.",
                mail("travail-social", CAF),
                "04 65 71 60 20",
                "9 avenue Jean-Jaurès, 38500 Montlise",
                "mornings",
            ),
        ),
    ),
    OrganizationSpec(
        slug=CPAM,
        kind="operator",
        name=f"CPAM de {DEPARTEMENT_NAME}",
        short_name="CPAM",
        description=(
            "La caisse primaire d'assurance maladie rembourse les soins, verse les "
            "indemnités journalières et ouvre les droits à la complémentaire santé solidaire."
        ),
        website="https://cpam.demo.cocon.test",
        email=mail("contact", CPAM),
        phone="04 65 71 36 46",
        address="22 rue du Docteur-Roux, 38500 Montlise",
        seat=CENTRAL_CITY,
        communes=None,
        primary_color="#3b4aa0",
        accent_color="#ebedfa",
        services=(
            ServiceSpec(
                "accueil-assures",
                "Accueil des assurés",
                "Carte Vitale, remboursements, arrêts de travail, complémentaire santé "
                "solidaire : accueil sur rendez-vous l'après-midi.",
                mail("accueil", CPAM),
                "04 65 71 36 40",
                "22 rue du Docteur-Roux, 38500 Montlise",
                "cpam",
            ),
        ),
    ),
    OrganizationSpec(
        slug=FRANCE_TRAVAIL,
        kind="operator",
        name="France Travail Montlise",
        short_name="France Travail",
        description=(
            "L'agence France Travail de Montlise accompagne les demandeurs d'emploi du Val "
            "de Lise et aide les entreprises à recruter."
        ),
        website="https://francetravail.demo.cocon.test",
        email=mail("agence", FRANCE_TRAVAIL),
        phone="04 65 71 39 49",
        address="30 rue de la Résistance, 38500 Montlise",
        seat=CENTRAL_CITY,
        communes=None,
        primary_color="#b0004a",
        accent_color="#fdebf2",
        services=(
            ServiceSpec(
                "accueil-demandeurs",
                "Accueil et accompagnement des demandeurs d'emploi",
                "Inscription, indemnisation, conseil en évolution professionnelle, "
                "ateliers et formations.",
                mail("accueil", FRANCE_TRAVAIL),
                "04 65 71 39 40",
                "30 rue de la Résistance, 38500 Montlise",
                "france_travail",
            ),
            ServiceSpec(
                "entreprises",
                "Service aux entreprises",
                "Aide les employeurs du territoire à recruter : offres, présélection, "
                "aides à l'embauche.",
                mail("entreprises", FRANCE_TRAVAIL),
                "04 65 71 39 45",
                "30 rue de la Résistance, 38500 Montlise",
                "mornings",
            ),
        ),
    ),
    OrganizationSpec(
        slug=LA_POSTE,
        kind="operator",
        name="La Poste – bureau de Montlise",
        short_name="La Poste Montlise",
        description=(
            "Le bureau de poste de Montlise : courrier, colis, services bancaires et "
            "accompagnement au numérique."
        ),
        website="https://laposte.demo.cocon.test",
        email=mail("bureau", LA_POSTE),
        phone="04 65 71 12 36",
        address="4 rue de la Poste, 38500 Montlise",
        seat=CENTRAL_CITY,
        communes=(CENTRAL_CITY,),
        primary_color="#6e5600",
        accent_color="#fcf5d6",
        services=(
            ServiceSpec(
                "guichet",
                "Accueil et guichet",
                "Envoi et retrait de courrier et de colis, opérations bancaires, "
                "procurations de vote et aide aux démarches en ligne.",
                mail("guichet", LA_POSTE),
                "04 65 71 12 36",
                "4 rue de la Poste, 38500 Montlise",
                "poste",
            ),
        ),
    ),
    OrganizationSpec(
        slug=PREFECTURE,
        kind="state",
        name=f"Préfecture de {DEPARTEMENT_NAME}",
        short_name="Préfecture",
        description=(
            "Les services de l'État dans le département : titres de séjour, naturalisations, "
            "permis de conduire et certificats d'immatriculation, sécurité civile."
        ),
        website="https://prefecture.demo.cocon.test",
        email=mail("contact", PREFECTURE),
        phone="04 65 71 34 00",
        address="12 place de la Préfecture, 38500 Montlise",
        seat=CENTRAL_CITY,
        communes=None,
        primary_color="#2e3d55",
        accent_color="#edf0f5",
        services=(
            ServiceSpec(
                "accueil-titres-etrangers",
                "Accueil des usagers – titres et étrangers",
                "Accueil sur rendez-vous pour les titres de séjour et les naturalisations ; "
                "point numérique pour les démarches de permis et de carte grise.",
                mail("accueil-etrangers", PREFECTURE),
                "04 65 71 34 10",
                "12 place de la Préfecture, 38500 Montlise",
                "prefecture",
                internal_email=mail("partenaires-etrangers", PREFECTURE),
                internal_notes=(
                    "Adresse réservée aux travailleurs sociaux pour les dossiers urgents."
                ),
            ),
        ),
    ),
    OrganizationSpec(
        slug=HABITAT,
        kind="association",
        name="Habitat Solidaire Lise",
        short_name="Habitat Solidaire",
        description=(
            "Association d'insertion par le logement : accompagnement des ménages menacés "
            "d'expulsion, médiation avec les bailleurs, logements passerelles."
        ),
        website="https://habitat-solidaire.demo.cocon.test",
        email=mail("contact", HABITAT),
        phone="04 65 71 25 80",
        address="17 rue Voltaire, 38500 Montlise",
        seat=CENTRAL_CITY,
        communes=None,
        primary_color="#2f6a1e",
        accent_color="#edf6e7",
        services=(
            ServiceSpec(
                "accompagnement-logement",
                "Accompagnement vers et dans le logement",
                "Permanences logement, aide au dossier de demande de logement social et au "
                "recours DALO, prévention des expulsions.",
                mail("logement", HABITAT),
                "04 65 71 25 81",
                "17 rue Voltaire, 38500 Montlise",
                "association",
            ),
        ),
    ),
)
HOST_ORGANIZATION = AGGLO

# (owner, partner, scope): what is opened to whom. The Département shares nothing, so
# the demo shows that an organization's internal data stays its own by default.
SHARES: tuple[tuple[str, str, str], ...] = (
    (AGGLO, VILLE, "services"),
    (VILLE, AGGLO, "services"),
    (CAF, AGGLO, "directory"),  # the counter network (France services ↔ CAF referents)
)


# --- People ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class AgentSpec:
    organization: str  # organization slug
    service: str | None  # service slug within that organization
    job_title: str
    category: str  # "A", "B", "C" or "-"
    front_line: bool = False
    peer_worker: bool = False


@dataclass(frozen=True)
class RoleSpec:
    kind: str  # an accounts.models.RoleKind value
    organization: str
    title: str = ""
    direction: str | None = None  # direction slug
    services: tuple[str, ...] = ()  # service slugs
    topics: str = ""


@dataclass(frozen=True)
class PersonSpec:
    first_name: str
    last_name: str
    agent: AgentSpec | None = None
    roles: tuple[RoleSpec, ...] = ()
    email: str = ""  # empty: prenom.nom@<organization>.demo.cocon.test
    superuser: bool = False
    account_label: str = ""  # set for the named demo accounts

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def address(self) -> str:
        if self.email:
            return self.email
        org = self.agent.organization if self.agent else self.roles[0].organization
        return person_email(self.first_name, self.last_name, org)


def ascii_slug(text: str) -> str:
    """ "Hélène Saint-Éloi" → "helene-saint-eloi": safe for the local part of an email."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(plain.lower().replace("'", " ").split())


def person_email(first_name: str, last_name: str, org_slug: str) -> str:
    return f"{ascii_slug(first_name)}.{ascii_slug(last_name)}@{org_slug}.{EMAIL_DOMAIN}"


WATER_DELEGATION = "Vice-président délégué à l'eau, à l'assainissement et aux déchets"

# The eight accounts a visitor logs in with, in the order they are printed.
NAMED_PEOPLE: tuple[PersonSpec, ...] = (
    PersonSpec("Camille", "Martin", email=f"usager@{EMAIL_DOMAIN}", account_label="Usager"),
    PersonSpec(
        "Nadia",
        "Benali",
        AgentSpec(AGGLO, "france-services", "Agent d'accueil", "C", front_line=True),
        email=f"agent@{EMAIL_DOMAIN}",
        account_label="Agent d'accueil (France services)",
    ),
    PersonSpec(
        "Julien",
        "Rochas",
        AgentSpec(AGGLO, "eau-assainissement", "Responsable du service Eau et assainissement", "A"),
        (RoleSpec("manager", AGGLO, "Chef du service", services=("eau-assainissement",)),),
        email=f"manager@{EMAIL_DOMAIN}",
        account_label="Manager (encadrant)",
    ),
    PersonSpec(
        "Hélène",
        "Garnier",
        AgentSpec(AGGLO, None, "Directrice générale des services", "A"),
        (RoleSpec("direction", AGGLO, "Directrice générale des services"),),
        email=f"direction@{EMAIL_DOMAIN}",
        account_label="Direction (DGS)",
    ),
    PersonSpec(
        "Bernard",
        "Vial",
        None,
        (
            RoleSpec(
                "elu",
                AGGLO,
                WATER_DELEGATION,
                services=("eau-assainissement", "dechets-collecte"),
            ),
        ),
        email=f"elu@{EMAIL_DOMAIN}",
        account_label="Élu",
    ),
    PersonSpec(
        "Claire",
        "Fontaine",
        AgentSpec(AGGLO, "eau-assainissement", "Ingénieure qualité de l'eau", "A"),
        (
            RoleSpec(
                "expert",
                AGGLO,
                "Référente qualité de l'eau",
                topics="qualité de l'eau, marchés publics, assainissement",
            ),
        ),
        email=f"expert@{EMAIL_DOMAIN}",
        account_label="Expert (démineur)",
    ),
    PersonSpec(
        "Karim",
        "Haddad",
        AgentSpec(VILLE, "vie-des-quartiers", "Chargé de participation citoyenne", "B"),
        (
            RoleSpec("animateur", VILLE, "Animateur de la participation"),
            RoleSpec("animateur", AGGLO, "Animateur de la participation"),
        ),
        email=f"animateur@{EMAIL_DOMAIN}",
        account_label="Animateur",
    ),
    PersonSpec(
        "Sophie",
        "Lambert",
        None,
        (RoleSpec("admin", AGGLO, "Administratrice de la plateforme"),),
        email=f"admin@{EMAIL_DOMAIN}",
        superuser=True,
        account_label="Administratrice",
    ),
)


def _manager(org: str, service: str, title: str = "Responsable du service") -> RoleSpec:
    return RoleSpec("manager", org, title, services=(service,))


def _director(org: str, direction: str, title: str) -> RoleSpec:
    return RoleSpec("direction", org, title, direction=direction)


def _agent(
    first: str,
    last: str,
    org: str,
    service: str | None,
    job: str,
    category: str,
    *,
    front_line: bool = False,
    peer_worker: bool = False,
    roles: tuple[RoleSpec, ...] = (),
) -> PersonSpec:
    return PersonSpec(
        first, last, AgentSpec(org, service, job, category, front_line, peer_worker), roles
    )


# Staff of every organization: categories A, B and C, field and office jobs. Partner
# operators' staff (CAF, CPAM, France Travail, La Poste, associations) are not civil
# servants: category "-".
AGENTS: tuple[PersonSpec, ...] = (
    # Val de Lise Agglomération
    _agent(
        "Pierre-Antoine",
        "Dumas",
        AGGLO,
        None,
        "Directeur de l'environnement",
        "A",
        roles=(_director(AGGLO, "environnement", "Directeur de l'environnement"),),
    ),
    _agent(
        "Laurence",
        "Bonnet",
        AGGLO,
        None,
        "Directrice des mobilités",
        "A",
        roles=(_director(AGGLO, "mobilites", "Directrice des mobilités"),),
    ),
    _agent(
        "Fatima",
        "Ouali",
        AGGLO,
        None,
        "Directrice de la cohésion sociale",
        "A",
        roles=(_director(AGGLO, "cohesion-sociale", "Directrice de la cohésion sociale"),),
    ),
    _agent(
        "Olivier",
        "Girard",
        AGGLO,
        None,
        "Directeur des ressources",
        "A",
        roles=(_director(AGGLO, "ressources", "Directeur des ressources"),),
    ),
    _agent(
        "Romain",
        "Chabert",
        AGGLO,
        "eau-assainissement",
        "Technicien réseaux d'eau potable",
        "B",
        front_line=True,
    ),
    _agent("Jérôme", "Pellet", AGGLO, "eau-assainissement", "Fontainier", "C", front_line=True),
    _agent(
        "Thierry",
        "Bouvier",
        AGGLO,
        "dechets-collecte",
        "Responsable du service Déchets et collecte",
        "A",
        roles=(_manager(AGGLO, "dechets-collecte"),),
    ),
    _agent(
        "Mickaël", "Reynaud", AGGLO, "dechets-collecte", "Éboueur (ripeur)", "C", front_line=True
    ),
    _agent(
        "Patrick",
        "Giraud",
        AGGLO,
        "dechets-collecte",
        "Chauffeur de benne de collecte",
        "C",
        front_line=True,
    ),
    _agent(
        "Élodie",
        "Mercier",
        AGGLO,
        "espaces-naturels",
        "Responsable des espaces naturels",
        "A",
        roles=(_manager(AGGLO, "espaces-naturels"),),
    ),
    _agent(
        "Lucas",
        "Berthet",
        AGGLO,
        "espaces-naturels",
        "Garde-animateur nature",
        "C",
        front_line=True,
    ),
    _agent(
        "Nathalie",
        "Guérin",
        AGGLO,
        "transports-mobilite",
        "Responsable transports et mobilité",
        "A",
        roles=(_manager(AGGLO, "transports-mobilite"),),
    ),
    _agent(
        "Yasmine",
        "Chérif",
        AGGLO,
        "transports-mobilite",
        "Conseillère en mobilité",
        "B",
        front_line=True,
    ),
    _agent(
        "Damien",
        "Roux",
        AGGLO,
        "voirie-communautaire",
        "Technicien voirie",
        "B",
        roles=(_manager(AGGLO, "voirie-communautaire"),),
    ),
    _agent(
        "Isabelle",
        "Morel",
        AGGLO,
        "france-services",
        "Responsable de la Maison France services",
        "B",
        front_line=True,
        roles=(_manager(AGGLO, "france-services"),),
    ),
    _agent(
        "Franck",
        "Duval",
        AGGLO,
        "france-services",
        "Chauffeur-animateur du bus itinérant",
        "C",
        front_line=True,
    ),
    _agent(
        "Aurélie",
        "Faure",
        AGGLO,
        "france-services",
        "Conseillère France services",
        "C",
        front_line=True,
    ),
    _agent(
        "Martine", "Collomb", AGGLO, "france-services", "Écrivaine publique", "B", front_line=True
    ),
    _agent(
        "Samir",
        "Belkacem",
        AGGLO,
        "politique-de-la-ville",
        "Chef de projet politique de la ville",
        "A",
        roles=(_manager(AGGLO, "politique-de-la-ville"),),
    ),
    _agent(
        "Chantal",
        "Blanc",
        AGGLO,
        "accueil",
        "Agente d'accueil et de standard",
        "C",
        front_line=True,
        roles=(_manager(AGGLO, "accueil", "Référente accueil"),),
    ),
    _agent(
        "Véronique",
        "Arnaud",
        AGGLO,
        "ressources-humaines",
        "Responsable des ressources humaines",
        "A",
        roles=(_manager(AGGLO, "ressources-humaines"),),
    ),
    _agent("Sylvie", "Rey", AGGLO, "ressources-humaines", "Gestionnaire carrière et paie", "C"),
    # Ville de Montlise
    _agent(
        "Marc",
        "Lefebvre",
        VILLE,
        None,
        "Directeur général des services",
        "A",
        roles=(RoleSpec("direction", VILLE, "Directeur général des services"),),
    ),
    _agent(
        "Stéphane",
        "Brun",
        VILLE,
        None,
        "Directeur des services techniques",
        "A",
        roles=(_director(VILLE, "services-techniques", "Directeur des services techniques"),),
    ),
    _agent(
        "Anne-Sophie",
        "Roche",
        VILLE,
        None,
        "Directrice de la citoyenneté",
        "A",
        roles=(_director(VILLE, "citoyennete", "Directrice de la citoyenneté"),),
    ),
    _agent(
        "Christophe",
        "Jacquet",
        VILLE,
        "espaces-verts",
        "Responsable des espaces verts",
        "B",
        roles=(_manager(VILLE, "espaces-verts"),),
    ),
    _agent(
        "Kevin", "Moulin", VILLE, "espaces-verts", "Agent des espaces verts", "C", front_line=True
    ),
    _agent(
        "Ludovic", "Perrier", VILLE, "espaces-verts", "Jardinier-élagueur", "C", front_line=True
    ),
    _agent(
        "Rachid",
        "Amrani",
        VILLE,
        "proprete-urbaine",
        "Chef d'équipe propreté urbaine",
        "B",
        front_line=True,
        roles=(_manager(VILLE, "proprete-urbaine"),),
    ),
    _agent(
        "Dylan",
        "Marchand",
        VILLE,
        "proprete-urbaine",
        "Agent de propreté urbaine",
        "C",
        front_line=True,
    ),
    _agent(
        "Sébastien",
        "Carron",
        VILLE,
        "voirie-eclairage",
        "Technicien voirie et éclairage public",
        "B",
        roles=(_manager(VILLE, "voirie-eclairage"),),
    ),
    _agent(
        "Brigitte",
        "Charvet",
        VILLE,
        "accueil-etat-civil",
        "Responsable accueil et état civil",
        "B",
        front_line=True,
        roles=(_manager(VILLE, "accueil-etat-civil"),),
    ),
    _agent(
        "Inès",
        "Lopez",
        VILLE,
        "accueil-etat-civil",
        "Agente d'accueil et d'état civil",
        "C",
        front_line=True,
    ),
    _agent(
        "Mathilde",
        "Favre",
        VILLE,
        "vie-des-quartiers",
        "Responsable vie des quartiers et participation",
        "A",
        roles=(_manager(VILLE, "vie-des-quartiers"),),
    ),
    # CCAS de Montlise
    _agent(
        "Céline",
        "Rousset",
        CCAS,
        "action-sociale",
        "Responsable de l'action sociale",
        "A",
        roles=(_manager(CCAS, "action-sociale"),),
    ),
    _agent(
        "Sonia", "Benhamou", CCAS, "action-sociale", "Travailleuse sociale", "A", front_line=True
    ),
    _agent(
        "Julie",
        "Sanchez",
        CCAS,
        "equipe-mobile-acces-aux-droits",
        "Juriste, coordinatrice de l'équipe mobile",
        "A",
        front_line=True,
        roles=(
            _manager(CCAS, "equipe-mobile-acces-aux-droits", "Coordinatrice de l'équipe mobile"),
        ),
    ),
    _agent(
        "Hugo",
        "Lacroix",
        CCAS,
        "equipe-mobile-acces-aux-droits",
        "Juriste droit au logement (DALO/DAHO)",
        "A",
        front_line=True,
    ),
    _agent(
        "Léa",
        "Vincent",
        CCAS,
        "equipe-mobile-acces-aux-droits",
        "Travailleuse sociale de l'équipe mobile",
        "B",
        front_line=True,
    ),
    _agent(
        "Nadège",
        "Brunet",
        CCAS,
        "equipe-mobile-acces-aux-droits",
        "Travailleuse paire",
        "C",
        front_line=True,
        peer_worker=True,
    ),
    _agent(
        "Alain",
        "Chevalier",
        CCAS,
        "equipe-mobile-acces-aux-droits",
        "Travailleur pair",
        "-",
        front_line=True,
        peer_worker=True,
    ),
    # Small mairies
    _agent(
        "Dominique",
        "Pichon",
        MAIRIE_2,
        "secretariat-de-mairie",
        "Secrétaire de mairie",
        "B",
        front_line=True,
        roles=(_manager(MAIRIE_2, "secretariat-de-mairie", "Secrétaire générale de mairie"),),
    ),
    _agent(
        "Évelyne",
        "Gauthier",
        MAIRIE_10,
        "secretariat-de-mairie",
        "Secrétaire de mairie",
        "C",
        front_line=True,
        roles=(_manager(MAIRIE_10, "secretariat-de-mairie", "Secrétaire de mairie"),),
    ),
    # Département de Haute-Lise
    _agent(
        "Philippe",
        "Masson",
        DEPARTEMENT,
        None,
        "Directeur de l'action sociale",
        "A",
        roles=(_director(DEPARTEMENT, "action-sociale", "Directeur de l'action sociale"),),
    ),
    _agent(
        "Karine",
        "Barbier",
        DEPARTEMENT,
        "maison-departement-montlise",
        "Responsable de la Maison du Département",
        "A",
        roles=(_manager(DEPARTEMENT, "maison-departement-montlise"),),
    ),
    _agent(
        "Amandine",
        "Poulet",
        DEPARTEMENT,
        "maison-departement-montlise",
        "Conseillère en insertion (RSA)",
        "B",
        front_line=True,
    ),
    _agent(
        "Agnès",
        "Royer",
        DEPARTEMENT,
        "maison-departement-montlise",
        "Médecin de PMI",
        "A",
        front_line=True,
    ),
    _agent(
        "Gilles",
        "Fabre",
        DEPARTEMENT,
        None,
        "Directeur des routes",
        "A",
        roles=(_director(DEPARTEMENT, "routes", "Directeur des routes"),),
    ),
    _agent(
        "Thomas",
        "Meunier",
        DEPARTEMENT,
        "routes-departementales",
        "Chef du centre d'entretien routier",
        "B",
        roles=(_manager(DEPARTEMENT, "routes-departementales"),),
    ),
    _agent(
        "Cédric",
        "Michel",
        DEPARTEMENT,
        "routes-departementales",
        "Agent d'exploitation des routes",
        "C",
        front_line=True,
    ),
    # Partner operators
    _agent(
        "Frédéric",
        "Maillet",
        CAF,
        "accueil-allocataires",
        "Responsable de l'accueil",
        "-",
        roles=(_manager(CAF, "accueil-allocataires"),),
    ),
    _agent(
        "Laetitia", "Gaillard", CAF, "accueil-allocataires", "Conseillère CAF", "-", front_line=True
    ),
    _agent(
        "Malika",
        "Bensaïd",
        CAF,
        "accompagnement-familles",
        "Travailleuse sociale CAF",
        "-",
        front_line=True,
    ),
    _agent(
        "Émilie",
        "Dufour",
        CPAM,
        "accueil-assures",
        "Conseillère assurance maladie",
        "-",
        front_line=True,
    ),
    _agent(
        "Hervé",
        "Rolland",
        CPAM,
        "accueil-assures",
        "Responsable de l'accueil",
        "-",
        roles=(_manager(CPAM, "accueil-assures"),),
    ),
    _agent(
        "Marion",
        "Leclerc",
        FRANCE_TRAVAIL,
        None,
        "Directrice d'agence",
        "-",
        roles=(RoleSpec("direction", FRANCE_TRAVAIL, "Directrice d'agence"),),
    ),
    _agent(
        "Nicolas",
        "Berger",
        FRANCE_TRAVAIL,
        "accueil-demandeurs",
        "Conseiller France Travail",
        "-",
        front_line=True,
    ),
    _agent("Sarah", "Cohen", FRANCE_TRAVAIL, "entreprises", "Conseillère entreprises", "-"),
    _agent(
        "Sandra",
        "Gros",
        LA_POSTE,
        "guichet",
        "Responsable du bureau de poste",
        "-",
        roles=(_manager(LA_POSTE, "guichet"),),
    ),
    _agent("Jean-Marc", "Tissot", LA_POSTE, "guichet", "Guichetier", "-", front_line=True),
    _agent(
        "Vincent",
        "Lagarde",
        PREFECTURE,
        "accueil-titres-etrangers",
        "Chef du bureau de l'accueil",
        "A",
        roles=(_manager(PREFECTURE, "accueil-titres-etrangers"),),
    ),
    _agent(
        "Aïcha",
        "Diallo",
        PREFECTURE,
        "accueil-titres-etrangers",
        "Agente d'accueil des étrangers",
        "C",
        front_line=True,
    ),
    _agent(
        "Paul",
        "Giroud",
        HABITAT,
        None,
        "Directeur de l'association",
        "-",
        roles=(RoleSpec("direction", HABITAT, "Directeur"),),
    ),
    _agent(
        "Manon",
        "Rivière",
        HABITAT,
        "accompagnement-logement",
        "Conseillère logement",
        "-",
        front_line=True,
        roles=(_manager(HABITAT, "accompagnement-logement"),),
    ),
)

# Elected officials hold roles but no agent profile.
ELUS: tuple[PersonSpec, ...] = (
    PersonSpec(
        "Jean-Pierre", "Garcin", None, (RoleSpec("elu", AGGLO, f"Président de {EPCI_NAME}"),)
    ),
    PersonSpec(
        "Catherine",
        "Jourdan",
        None,
        (
            RoleSpec(
                "elu",
                AGGLO,
                "Vice-présidente déléguée aux mobilités",
                services=("transports-mobilite", "voirie-communautaire"),
            ),
        ),
    ),
    PersonSpec("Marie-Claire", "Dubois", None, (RoleSpec("elu", VILLE, "Maire de Montlise"),)),
    PersonSpec(
        "Sophie",
        "Marchetti",
        None,
        (
            RoleSpec(
                "elu",
                VILLE,
                "Adjointe au maire déléguée au cadre de vie",
                services=("espaces-verts", "proprete-urbaine"),
            ),
        ),
    ),
    PersonSpec(
        "Gérard", "Collet", None, (RoleSpec("elu", MAIRIE_2, f"Maire de {SECOND_COMMUNE}"),)
    ),
)

# Residents are drawn from these lists with the seeded generator (see loader).
RESIDENT_COUNT = 20
RESIDENT_SUBDOMAIN = "habitants"  # prenom.nom@habitants.demo.cocon.test
# fmt: off
FIRST_NAMES: tuple[str, ...] = (
    "Lucie", "Thomas", "Emma", "Mehdi", "Chloé", "Antoine", "Manon", "Youssef", "Sarah",
    "Maxime", "Léna", "Nicolas", "Jade", "Alexandre", "Zoé", "Baptiste", "Inès", "Quentin",
    "Louise", "Adrien", "Fatou", "Mathis", "Amina", "Gabriel", "Margaux", "Hugo", "Océane",
    "Rémi", "Élise", "Loïc", "Jeanne", "Bruno", "Monique", "Henri", "Josiane", "Raymond",
)
LAST_NAMES: tuple[str, ...] = (
    "Bernard", "Durand", "Petit", "Moreau", "Laurent", "Simon", "Michaud", "Lefèvre",
    "Roussel", "Fournier", "Girod", "Bonnard", "Mercier", "Blanchard", "Guillot", "Robin",
    "Perret", "Chapuis", "Gay", "Vallet", "Boyer", "Nguyen", "Traoré", "Benoît", "Rossi",
    "Ferreira", "Picard", "Dumont", "Brunel", "Besson", "Mathieu", "Gros", "Arnaud",
)
# fmt: on


def resident_names(rng: random.Random, count: int = RESIDENT_COUNT) -> list[tuple[str, str]]:
    """Distinct (first name, last name) pairs drawn with `rng`, in drawing order."""
    names: list[tuple[str, str]] = []
    while len(names) < count:
        pair = (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
        if pair not in names:
            names.append(pair)
    return names


def all_people() -> tuple[PersonSpec, ...]:
    return NAMED_PEOPLE + AGENTS + ELUS
