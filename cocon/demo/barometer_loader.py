"""Demo Baromètre de satisfaction: the agglomeration's water, waste collection and public
transport barometers, built as the Pays Voironnais did it.

For each service: an open first round (a few hundred verbatims, in 2022), the technical
criteria listed by its agents, about ten crossed criteria (users' wording ↔ technical
indicator), indicator values per year, three waves (2022, 2024, 2026) of about 1,000
respondents each, an action plan and the service's explanation.

Responses are drawn from a seeded model (numpy) rather than copied from a file, so that the
statistics have something to find:

* the sample is deliberately *not* proportional to the margins (older people, women and
  villages answer more, as in any telephone or postal survey): raking matters;
* each respondent has a latent satisfaction (higher for older people; for transport, much
  lower in the villages) that drives every criterion and the overall score, so criteria are
  correlated with the overall score, each with its own weight (derived importance);
* criteria that had actions after a wave really progress in the next one (the taste
  campaign after 2024, the simplified bill, the Saturday booking at the recycling centres…);
* the water taste is poorly rated while the bacteriological conformity is 99.8 %: the
  perceived-versus-technical gap the barometer is made for.

Every commune has respondents in every wave (raking on age band, sex and commune needs no
empty category). Rows are written with bulk inserts: the whole set loads in a few seconds.
`COCON_DEMO_BAROMETER_RESPONDENTS` (respondents per wave, default 1,000; 0 = no barometer)
scales it down for tests.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.utils import timezone

from cocon.accounts.models import AgentProfile
from cocon.barometer.models import (
    SURVEY_AGE_BANDS,
    Action,
    ActionStatus,
    Barometer,
    Criterion,
    Direction,
    FirstRoundAnswer,
    IndicatorSource,
    IndicatorValue,
    Invitation,
    Occupation,
    Provenance,
    Response,
    ResponseImport,
    ResponseSource,
    TechnicalCriterion,
    Wave,
    WaveStatus,
    hash_code,
)
from cocon.demo import data
from cocon.lib import survey
from cocon.territory.models import Commune, PopulationMargin, Service, Territory

RESPONDENT_COUNT = 1000
FIRST_ROUND_COUNT = 240
SEED = 2019
HIGHER, LOWER = Direction.HIGHER, Direction.LOWER
INDICATOR_YEARS = (2021, 2022, 2023, 2024, 2025, 2026)
#: Score spread: the noise of one answer and the weight of the latent satisfaction.
NOISE_SD = 1.6
LATENT_SD = 1.5
#: Draws of a wave's sample before giving up on one that can be raked (small samples only).
MAX_DRAWS = 200
MIN_PER_COMMUNE = 4


@dataclass(frozen=True)
class WaveSpec:
    code: str
    label: str
    opens_on: dt.date
    closes_on: dt.date
    published_on: dt.date
    online_share: float  # the rest was collected by the polling firm (import)


WAVES: tuple[WaveSpec, ...] = tuple(
    WaveSpec(code, f"Vague {code}", opens, closes, published, online)
    for code, opens, closes, published, online in (
        ("2022", dt.date(2022, 9, 12), dt.date(2022, 10, 7), dt.date(2022, 12, 5), 0.0),
        ("2024", dt.date(2024, 9, 16), dt.date(2024, 10, 11), dt.date(2024, 12, 9), 0.25),
        ("2026", dt.date(2026, 9, 14), dt.date(2026, 10, 9), dt.date(2026, 11, 16), 0.4),
    )
)


@dataclass(frozen=True)
class IndicatorSpec:
    """The technical counterpart, as the service's agents listed it."""

    name: str  # the technical criterion, as the agents call it
    indicator: str
    unit: str
    direction: str
    floor: float
    target: float
    values: tuple[float, ...]  # one per INDICATOR_YEARS
    description: str = ""


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    wording: str
    theme: str
    base: float  # mean latent score in 2022, before rounding and clipping
    trend: tuple[float, float]  # change of that mean in 2024 and 2026 (actions show here)
    weight: float  # weight in the overall score (drives the derived importance)
    phrases: tuple[str, ...]  # what people said in the first round
    indicator: IndicatorSpec | None = None
    blank: float = 0.03  # share of respondents who leave it blank
    named: float = 1.0  # how often it comes up in the first round

    @property
    def loading(self) -> float:
        """How much the latent satisfaction drives the score: more for the criteria that
        weigh in the overall score, so that the derived importance tells them apart."""
        return 0.5 + 3 * self.weight


@dataclass(frozen=True)
class ActionSpec:
    criterion: str
    title: str
    description: str
    owner: str
    due_on: dt.date
    status: str
    from_wave: str
    is_public: bool = True


@dataclass(frozen=True)
class BarometerSpec:
    service: str  # slug of a service of the agglomeration
    slug: str
    title: str
    intro: str
    explanation: str
    question: str
    overall: float  # mean latent overall score in 2022
    criteria: tuple[CriterionSpec, ...]
    actions: tuple[ActionSpec, ...]
    unused_technical: tuple[IndicatorSpec, ...] = ()  # listed by agents, not kept
    other_phrases: tuple[str, ...] = ()  # first-round answers that did not become criteria
    age_shift: dict[str, float] = field(default_factory=dict)  # latent shift by age band
    profile_shift: dict[str, float] = field(default_factory=dict)  # by commune profile
    non_users: float = 0.0  # share of respondents who do not use the service: criteria blank
    last_wave_published: bool = True
    trim: float | None = None


# --- Eau potable --------------------------------------------------------------------------

WATER = BarometerSpec(
    service="eau-assainissement",
    slug="eau-potable",
    title="Baromètre de l'eau potable",
    intro=(
        "Tous les deux ans, un institut de sondage interroge un échantillon représentatif "
        "d'environ 1 000 habitants des 31 communes sur dix critères choisis avec vous en 2022. "
        "Nous publions les résultats, ce que nous mesurons de notre côté, et ce que nous "
        "faisons pour progresser."
    ),
    explanation=(
        "Pourquoi l'eau a un goût de chlore ?\n\n"
        "Notre eau vient de la nappe de la Lise et des sources d'Orvanne. Elle est analysée "
        "chaque semaine par un laboratoire agréé : en 2025, 99,8 % des analyses "
        "bactériologiques étaient conformes. Pour qu'elle reste sûre jusqu'à votre robinet, "
        "au bout de plusieurs dizaines de kilomètres de canalisations, nous y ajoutons une "
        "très petite dose de chlore (0,1 à 0,3 milligramme par litre). C'est ce chlore que "
        "vous sentez, surtout près des réservoirs et quand l'eau est froide.\n\n"
        "Le baromètre montre un écart entre ce que nous mesurons (une eau conforme) et ce "
        "que vous ressentez (seul un habitant sur trois était satisfait du goût en 2024). "
        "Depuis 2025, nous avons réglé plus finement la chloration réservoir par réservoir, "
        "et nous vous donnons une astuce simple : remplissez une carafe et laissez-la une "
        "heure au réfrigérateur, sans couvercle. Le goût de chlore disparaît.\n\n"
        "Pourquoi certaines factures restaient-elles difficiles à lire ? Parce qu'elles "
        "mélangeaient l'abonnement, la consommation, l'assainissement et les redevances de "
        "l'Agence de l'eau. La nouvelle facture, envoyée depuis janvier 2025, présente d'abord "
        "le montant à payer et le prix du mètre cube, puis le détail."
    ),
    question="Qu'est-ce qui compte le plus pour vous dans le service de l'eau potable ?",
    overall=6.5,
    age_shift={"15-29": -0.25, "30-44": -0.1, "45-59": 0.0, "60-74": 0.25, "75+": 0.4},
    profile_shift={"urban": -0.1, "periurban": 0.0, "rural": 0.15},
    trim=5.0,
    criteria=(
        CriterionSpec(
            "gout",
            "Goût de l'eau",
            "Qualité de l'eau",
            5.4,
            (-0.1, 0.9),
            0.12,
            (
                "Que l'eau n'ait pas ce goût de chlore",
                "Une eau bonne à boire sans la filtrer",
                "Pouvoir boire l'eau du robinet plutôt qu'acheter des bouteilles",
                "L'eau sent l'eau de piscine certains jours",
                "Le goût de l'eau, surtout l'été",
            ),
            IndicatorSpec(
                "Qualité bactériologique",
                "Conformité bactériologique des prélèvements",
                "%",
                HIGHER,
                95,
                100,
                (99.6, 99.7, 99.8, 99.7, 99.8, 99.8),
                "Part des analyses réglementaires de l'ARS conformes aux limites de qualité "
                "microbiologique (indicateur P101.1).",
            ),
            named=3.0,
        ),
        CriterionSpec(
            "aspect",
            "Eau claire, sans dépôt ni calcaire",
            "Qualité de l'eau",
            6.3,
            (0.0, 0.1),
            0.05,
            (
                "Une eau moins calcaire, ma bouilloire est entartrée en un mois",
                "Pas d'eau trouble après les travaux",
                "Une eau claire au robinet",
            ),
            IndicatorSpec(
                "Turbidité",
                "Turbidité moyenne en distribution",
                "NFU",
                LOWER,
                1.0,
                0.2,
                (0.42, 0.38, 0.35, 0.33, 0.31, 0.30),
            ),
            named=1.4,
        ),
        CriterionSpec(
            "pression",
            "Pression au robinet",
            "Fourniture",
            7.4,
            (0.0, 0.0),
            0.05,
            (
                "Une bonne pression, même au deuxième étage",
                "Ne plus avoir un filet d'eau le soir sous la douche",
                "La pression de l'eau",
            ),
            IndicatorSpec(
                "Réclamations de pression",
                "Réclamations pour pression insuffisante pour 1 000 abonnés",
                "‰ abonnés",
                LOWER,
                3.0,
                0.5,
                (1.4, 1.3, 1.3, 1.2, 1.1, 1.1),
            ),
        ),
        CriterionSpec(
            "continuite",
            "Continuité de service (pas de coupure imprévue)",
            "Fourniture",
            7.6,
            (0.1, 0.0),
            0.09,
            (
                "Avoir de l'eau tout le temps, sans coupure",
                "Pas de coupure sans prévenir",
                "Que l'eau ne soit pas coupée pendant des heures à cause d'une fuite",
            ),
            IndicatorSpec(
                "Interruptions non programmées",
                "Interruptions de service non programmées pour 1 000 abonnés",
                "‰ abonnés",
                LOWER,
                5.0,
                1.0,
                (3.4, 3.1, 2.9, 2.6, 2.4, 2.3),
                "Coupures d'eau sans information préalable (indicateur P151.1).",
            ),
            named=1.6,
        ),
        CriterionSpec(
            "factures",
            "Factures claires et compréhensibles",
            "Relation aux usagers",
            5.6,
            (0.1, 1.0),
            0.08,
            (
                "Des factures qu'on comprend",
                "Comprendre ce qu'on paie pour l'assainissement",
                "Une facture lisible, sans dix lignes de redevances",
                "Pouvoir payer en plusieurs fois",
            ),
            IndicatorSpec(
                "Réclamations sur la facturation",
                "Réclamations écrites sur la facturation pour 1 000 abonnés",
                "‰ abonnés",
                LOWER,
                8.0,
                2.0,
                (6.8, 6.9, 6.5, 6.6, 4.1, 3.5),
            ),
            blank=0.08,
            named=1.8,
        ),
        CriterionSpec(
            "prix",
            "Prix de l'eau",
            "Prix",
            4.8,
            (-0.2, -0.1),
            0.16,
            (
                "Un prix de l'eau raisonnable",
                "Que l'eau n'augmente pas chaque année",
                "Le prix du mètre cube",
                "Une tarification sociale pour les familles nombreuses",
            ),
            named=2.6,
        ),
        CriterionSpec(
            "fuites",
            "Rapidité d'intervention en cas de fuite",
            "Réseau",
            6.6,
            (0.2, 0.1),
            0.06,
            (
                "Que les fuites soient réparées vite",
                "Une fuite dans ma rue a coulé trois semaines",
                "Qu'on vienne rapidement quand il y a une fuite",
            ),
            IndicatorSpec(
                "Délai d'intervention sur fuite",
                "Délai moyen d'intervention sur une fuite signalée",
                "heures",
                LOWER,
                24,
                4,
                (11.5, 10.8, 9.2, 8.5, 8.1, 7.6),
            ),
            blank=0.12,
        ),
        CriterionSpec(
            "accueil",
            "Accueil et réponses au téléphone",
            "Relation aux usagers",
            6.4,
            (0.0, 0.2),
            0.06,
            (
                "Avoir quelqu'un au téléphone sans attendre vingt minutes",
                "Des réponses claires quand j'appelle",
                "Pouvoir faire les démarches en ligne",
            ),
            IndicatorSpec(
                "Accessibilité téléphonique",
                "Appels décrochés en moins de 2 minutes",
                "%",
                HIGHER,
                70,
                95,
                (78, 80, 83, 84, 87, 88),
            ),
            blank=0.15,
        ),
        CriterionSpec(
            "travaux",
            "Information sur les travaux et les coupures",
            "Relation aux usagers",
            5.5,
            (1.0, 0.2),
            0.07,
            (
                "Être prévenu des coupures pour travaux",
                "Savoir combien de temps vont durer les travaux",
                "Un SMS quand l'eau va être coupée",
            ),
            IndicatorSpec(
                "Information préalable des coupures",
                "Coupures programmées annoncées au moins 48 h à l'avance",
                "%",
                HIGHER,
                80,
                100,
                (84, 86, 95, 97, 98, 98),
            ),
            named=1.3,
        ),
        CriterionSpec(
            "ressource",
            "Préservation de la ressource et de l'environnement",
            "Environnement",
            6.2,
            (0.1, 0.2),
            0.06,
            ("Ne pas gaspiller l'eau avec les fuites du réseau", "Protéger les sources"),
            IndicatorSpec(
                "Rendement du réseau",
                "Rendement du réseau de distribution",
                "%",
                HIGHER,
                70,
                85,
                (75.8, 76.4, 77.9, 78.6, 79.5, 80.2),
                "Volume consommé rapporté au volume produit (indicateur P104.3) : le reste se "
                "perd en fuites.",
            ),
            blank=0.07,
            named=0.4,
        ),
    ),
    unused_technical=(
        IndicatorSpec(
            "Qualité physico-chimique",
            "Conformité physico-chimique des prélèvements",
            "%",
            HIGHER,
            95,
            100,
            (100, 99.9, 100, 100, 100, 100),
        ),
        IndicatorSpec(
            "Connaissance du patrimoine",
            "Indice de connaissance et de gestion patrimoniale des réseaux",
            "points /120",
            HIGHER,
            40,
            120,
            (92, 95, 98, 101, 104, 106),
        ),
    ),
    other_phrases=(
        "Récupérer l'eau de pluie pour le jardin",
        "Que l'eau reste publique",
        "Savoir s'il y a des pesticides dans l'eau",
    ),
    actions=(
        ActionSpec(
            "travaux",
            "Alerte SMS avant chaque coupure programmée",
            "Les abonnés qui le souhaitent reçoivent un SMS 48 h avant une coupure pour "
            "travaux, avec la durée prévue.",
            "Service eau – relation aux abonnés",
            dt.date(2023, 6, 30),
            ActionStatus.DONE,
            "2022",
        ),
        ActionSpec(
            "fuites",
            "Astreinte renforcée le week-end",
            "Une deuxième équipe d'astreinte le samedi et le dimanche pour les fuites sur la voie "
            "publique.",
            "Service eau – exploitation des réseaux",
            dt.date(2023, 12, 31),
            ActionStatus.DONE,
            "2022",
        ),
        ActionSpec(
            "gout",
            "Campagne « Pourquoi l'eau a un goût de chlore ? »",
            "Dépliant joint à la facture, carafes distribuées sur les marchés, page explicative "
            "et analyses publiées commune par commune.",
            "Service eau – qualité de l'eau",
            dt.date(2025, 6, 30),
            ActionStatus.DONE,
            "2024",
        ),
        ActionSpec(
            "gout",
            "Réglage de la chloration réservoir par réservoir",
            "Des analyseurs de chlore en continu sur les huit réservoirs principaux permettent "
            "de doser au plus juste.",
            "Service eau – production",
            dt.date(2025, 12, 31),
            ActionStatus.DONE,
            "2024",
        ),
        ActionSpec(
            "factures",
            "Nouvelle facture simplifiée",
            "Le montant à payer et le prix du mètre cube en premier, le détail ensuite ; "
            "conçue et testée avec un groupe d'habitants.",
            "Service eau – relation aux abonnés",
            dt.date(2025, 1, 31),
            ActionStatus.DONE,
            "2024",
        ),
        ActionSpec(
            "prix",
            "Étude d'une tarification sociale de l'eau",
            "Premiers mètres cubes à tarif réduit pour les foyers aux revenus modestes : étude "
            "avec le CCAS, décision du conseil communautaire attendue.",
            "Direction de l'environnement",
            dt.date(2027, 6, 30),
            ActionStatus.PLANNED,
            "2026",
        ),
        ActionSpec(
            "aspect",
            "Étude d'un adoucissement collectif de l'eau",
            "Étude de faisabilité et de coût d'une décarbonatation à l'usine de Moirac-sur-Lise.",
            "Service eau – production",
            dt.date(2027, 12, 31),
            ActionStatus.PLANNED,
            "2026",
            is_public=False,
        ),
    ),
)

# --- Collecte des déchets ----------------------------------------------------------------

WASTE = BarometerSpec(
    service="dechets-collecte",
    slug="collecte-des-dechets",
    title="Baromètre de la collecte des déchets",
    intro=(
        "Collecte des ordures ménagères et du tri, déchèteries, compostage : votre avis sur "
        "dix critères, mesuré tous les deux ans auprès d'environ 1 000 habitants, et ce que "
        "nous mesurons de notre côté."
    ),
    explanation=(
        "Pourquoi ne pas collecter plus souvent ?\n\n"
        "Depuis que les consignes de tri ont été étendues à tous les emballages, le bac gris "
        "se remplit deux fois moins vite. Passer chaque semaine coûterait 1,2 million d'euros "
        "de plus par an, payés par la taxe d'enlèvement des ordures ménagères. Nous avons "
        "préféré mettre cet argent dans les déchèteries (réservation en ligne le samedi, "
        "horaires d'été) et dans le compostage.\n\n"
        "Pourquoi trouve-t-on encore des dépôts au pied des conteneurs ? La plupart sont "
        "déposés quand le conteneur est plein. Les conteneurs équipés de sondes préviennent "
        "désormais nos équipes avant qu'ils débordent."
    ),
    question="Qu'est-ce qui compte le plus pour vous dans la collecte des déchets ?",
    overall=6.6,
    age_shift={"15-29": -0.15, "30-44": -0.2, "45-59": 0.0, "60-74": 0.2, "75+": 0.3},
    profile_shift={"urban": -0.2, "periurban": 0.05, "rural": 0.1},
    non_users=0.02,
    criteria=(
        CriterionSpec(
            "regularite",
            "Régularité du passage des camions",
            "Collecte",
            7.5,
            (0.1, 0.0),
            0.1,
            (
                "Que les poubelles soient ramassées le bon jour",
                "Pas de bac oublié",
                "Un passage régulier, même les jours fériés",
            ),
            IndicatorSpec(
                "Tournées réalisées",
                "Tournées non réalisées ou incomplètes",
                "%",
                LOWER,
                3.0,
                0.5,
                (1.2, 1.1, 1.3, 0.9, 0.8, 0.8),
            ),
            named=2.2,
        ),
        CriterionSpec(
            "proprete",
            "Propreté autour des conteneurs",
            "Propreté",
            5.3,
            (0.1, 0.6),
            0.1,
            (
                "Plus de sacs abandonnés à côté des conteneurs",
                "Des points d'apport propres",
                "Les dépôts sauvages au bord des chemins",
            ),
            IndicatorSpec(
                "Dépôts sauvages",
                "Dépôts sauvages signalés pour 1 000 habitants",
                "‰ habitants",
                LOWER,
                6.0,
                1.0,
                (4.2, 4.5, 4.3, 4.4, 3.6, 3.1),
            ),
            named=2.0,
        ),
        CriterionSpec(
            "bacs",
            "État et remplacement des bacs",
            "Collecte",
            7.0,
            (0.0, 0.1),
            0.04,
            ("Un bac réparé vite quand le couvercle casse", "Un bac plus grand pour une famille"),
            IndicatorSpec(
                "Remplacement des bacs",
                "Délai moyen de remplacement d'un bac",
                "jours",
                LOWER,
                15,
                3,
                (9, 8, 8, 7, 6, 6),
            ),
            blank=0.06,
        ),
        CriterionSpec(
            "horaires-decheteries",
            "Horaires des déchèteries",
            "Déchèteries",
            6.0,
            (0.0, 0.5),
            0.06,
            (
                "Des déchèteries ouvertes le dimanche matin",
                "Des horaires d'été plus tard le soir",
                "Les horaires de la déchèterie",
            ),
            blank=0.06,
            named=1.5,
        ),
        CriterionSpec(
            "attente",
            "Attente en déchèterie",
            "Déchèteries",
            4.9,
            (0.0, 1.3),
            0.08,
            (
                "Ne pas attendre 40 minutes le samedi à la déchèterie",
                "La queue en voiture à l'entrée de la déchèterie",
            ),
            IndicatorSpec(
                "Attente le samedi",
                "Temps d'attente moyen à l'entrée le samedi",
                "minutes",
                LOWER,
                30,
                5,
                (24, 26, 27, 28, 14, 11),
            ),
            blank=0.08,
            named=1.6,
        ),
        CriterionSpec(
            "consignes",
            "Information sur les consignes de tri",
            "Tri",
            5.8,
            (0.9, 0.2),
            0.07,
            (
                "Savoir enfin ce qui va dans le bac jaune",
                "Des consignes de tri simples",
                "Que tout le monde trie pareil dans les communes",
            ),
            IndicatorSpec(
                "Refus de tri",
                "Taux de refus de tri (erreurs dans le bac jaune)",
                "%",
                LOWER,
                25,
                10,
                (22, 21, 17, 16, 15, 15),
            ),
            named=1.8,
        ),
        CriterionSpec(
            "bruit",
            "Bruit et horaires de collecte",
            "Collecte",
            6.9,
            (0.0, 0.0),
            0.03,
            ("Pas de camion à 5 h du matin sous mes fenêtres",),
            named=0.6,
        ),
        CriterionSpec(
            "compost",
            "Compostage et biodéchets",
            "Tri",
            5.5,
            (0.5, 0.5),
            0.05,
            (
                "Un composteur collectif dans mon quartier",
                "Que faire des épluchures en appartement",
            ),
            IndicatorSpec(
                "Foyers équipés pour les biodéchets",
                "Foyers équipés d'un composteur ou desservis par un point biodéchets",
                "%",
                HIGHER,
                20,
                60,
                (24, 29, 38, 45, 55, 61),
            ),
            blank=0.2,
        ),
        CriterionSpec(
            "reclamations",
            "Réponse aux demandes et réclamations",
            "Relation aux usagers",
            6.0,
            (0.1, 0.2),
            0.05,
            ("Une réponse quand on signale un bac oublié", "Qu'on rappelle quand on appelle"),
            IndicatorSpec(
                "Traitement des réclamations",
                "Réclamations traitées en moins de 8 jours",
                "%",
                HIGHER,
                70,
                95,
                (81, 83, 85, 86, 90, 91),
            ),
            blank=0.18,
        ),
        CriterionSpec(
            "cout",
            "Montant de la taxe d'enlèvement des ordures ménagères",
            "Prix",
            4.7,
            (-0.2, 0.0),
            0.13,
            (
                "Payer selon ce qu'on jette",
                "La taxe des ordures ménagères qui augmente",
            ),
            blank=0.05,
            named=1.7,
        ),
    ),
    unused_technical=(
        IndicatorSpec(
            "Tonnage d'ordures ménagères résiduelles",
            "Ordures ménagères résiduelles collectées par habitant",
            "kg/hab./an",
            LOWER,
            250,
            150,
            (231, 219, 204, 196, 190, 186),
        ),
        IndicatorSpec(
            "Accidents du travail",
            "Taux de fréquence des accidents du travail des équipes de collecte",
            "accidents par million d'heures",
            LOWER,
            60,
            20,
            (52, 48, 44, 41, 38, 36),
        ),
    ),
    other_phrases=(
        "Des poubelles de rue dans le centre",
        "Ramasser les encombrants à domicile",
        "Que les camions roulent au gaz",
    ),
    actions=(
        ActionSpec(
            "consignes",
            "Extension et simplification des consignes de tri",
            "Tous les emballages dans le bac jaune, guide illustré distribué dans chaque boîte "
            "aux lettres, autocollants sur les bacs.",
            "Service déchets – prévention et tri",
            dt.date(2023, 3, 31),
            ActionStatus.DONE,
            "2022",
        ),
        ActionSpec(
            "compost",
            "Composteurs partagés dans les quartiers",
            "Quarante points de compostage partagé animés par des habitants référents.",
            "Service déchets – prévention et tri",
            dt.date(2024, 6, 30),
            ActionStatus.DONE,
            "2022",
        ),
        ActionSpec(
            "attente",
            "Réservation en ligne du créneau le samedi",
            "Dans les deux plus grandes déchèteries, le samedi se réserve en ligne ou par "
            "téléphone, par créneaux de 15 minutes.",
            "Service déchets – déchèteries",
            dt.date(2025, 4, 1),
            ActionStatus.DONE,
            "2024",
        ),
        ActionSpec(
            "horaires-decheteries",
            "Horaires d'été jusqu'à 19 h",
            "D'avril à septembre, les déchèteries ferment à 19 h au lieu de 18 h.",
            "Service déchets – déchèteries",
            dt.date(2025, 4, 1),
            ActionStatus.DONE,
            "2024",
        ),
        ActionSpec(
            "proprete",
            "Sondes de remplissage sur les conteneurs",
            "Les conteneurs d'apport volontaire signalent qu'ils sont presque pleins ; la "
            "tournée est adaptée le jour même.",
            "Service déchets – collecte",
            dt.date(2026, 6, 30),
            ActionStatus.IN_PROGRESS,
            "2024",
        ),
        ActionSpec(
            "cout",
            "Étude d'une tarification incitative",
            "Payer en partie selon le nombre de levées du bac gris : étude de faisabilité et "
            "simulation des factures.",
            "Direction de l'environnement",
            dt.date(2027, 9, 30),
            ActionStatus.PLANNED,
            "2026",
        ),
    ),
)

# --- Transports ---------------------------------------------------------------------------

TRANSPORT = BarometerSpec(
    service="transports-mobilite",
    slug="transports",
    title="Baromètre des transports publics",
    intro=(
        "Bus Lisébus, transport à la demande et vélos à assistance électrique : ce que les "
        "habitants en pensent, sur dix critères, et ce que nous mesurons."
    ),
    explanation=(
        "Pourquoi le bus ne passe-t-il pas plus souvent dans les villages ?\n\n"
        "Un bus coûte environ 5 euros par kilomètre. Dans les communes de moins de 1 000 "
        "habitants, une ligne régulière transporterait souvent moins de trois personnes par "
        "course. Le transport à la demande (réservation la veille, jusqu'à 18 h) dessert "
        "toutes les communes pour le prix d'un ticket de bus.\n\n"
        "Les bus sont-ils à l'heure ? Nos mesures disent 91 % de courses à l'heure, mais "
        "les retards se concentrent aux heures de pointe, au moment où vous prenez le bus : "
        "c'est ce que montre l'écart entre nos chiffres et votre ressenti. Des voies "
        "réservées sont en travaux sur l'avenue de la Gare."
    ),
    question="Qu'est-ce qui compte le plus pour vous dans les transports publics ?",
    overall=5.8,
    age_shift={"15-29": 0.1, "30-44": -0.15, "45-59": -0.1, "60-74": 0.1, "75+": 0.2},
    profile_shift={"urban": 0.35, "periurban": 0.0, "rural": -0.8},
    non_users=0.2,
    last_wave_published=False,
    criteria=(
        CriterionSpec(
            "ponctualite",
            "Ponctualité des bus",
            "Fiabilité",
            5.6,
            (0.0, 0.3),
            0.1,
            (
                "Des bus à l'heure le matin",
                "Ne pas rater mon train à cause du bus en retard",
                "Que le bus passe à l'heure affichée",
            ),
            IndicatorSpec(
                "Ponctualité",
                "Courses parties à l'heure (retard de moins de 5 minutes)",
                "%",
                HIGHER,
                80,
                95,
                (90.1, 90.5, 90.8, 91.2, 91.0, 91.4),
            ),
            blank=0.04,
            named=2.4,
        ),
        CriterionSpec(
            "frequence",
            "Fréquence des passages",
            "Offre",
            5.0,
            (0.1, 0.8),
            0.14,
            (
                "Un bus toutes les dix minutes, pas toutes les demi-heures",
                "Plus de bus aux heures de pointe",
                "La fréquence des bus",
            ),
            IndicatorSpec(
                "Offre de service",
                "Kilomètres commerciaux par habitant et par an",
                "km/hab./an",
                HIGHER,
                15,
                25,
                (17.2, 17.4, 17.6, 17.8, 19.9, 20.3),
            ),
            blank=0.04,
            named=2.6,
        ),
        CriterionSpec(
            "soirees",
            "Horaires en soirée et le week-end",
            "Offre",
            4.2,
            (0.0, 0.2),
            0.06,
            (
                "Pouvoir rentrer en bus après 20 h",
                "Des bus le dimanche",
                "Rentrer du cinéma sans voiture",
            ),
            IndicatorSpec(
                "Courses en soirée",
                "Courses après 20 h par jour ouvré",
                "courses",
                HIGHER,
                5,
                20,
                (8, 8, 9, 9, 10, 10),
            ),
            blank=0.08,
            named=1.6,
        ),
        CriterionSpec(
            "villages",
            "Desserte des villages (transport à la demande)",
            "Offre",
            4.6,
            (0.4, 0.3),
            0.08,
            (
                "Un bus pour les villages, pas seulement Montlise",
                "Pouvoir aller au marché sans voiture quand on est âgé",
                "Le transport à la demande, réservable plus tard",
            ),
            IndicatorSpec(
                "Couverture du territoire",
                "Communes desservies par une ligne régulière ou le transport à la demande",
                "%",
                HIGHER,
                70,
                100,
                (87, 94, 100, 100, 100, 100),
            ),
            blank=0.05,
            named=1.8,
        ),
        CriterionSpec(
            "confort",
            "Confort et propreté des bus",
            "Confort",
            6.9,
            (0.1, 0.2),
            0.04,
            ("Des bus propres et climatisés", "Des places assises aux heures de pointe"),
            IndicatorSpec(
                "Âge du parc",
                "Âge moyen des bus",
                "années",
                LOWER,
                12,
                6,
                (9.8, 9.4, 8.9, 8.1, 7.6, 7.2),
            ),
            blank=0.04,
        ),
        CriterionSpec(
            "info-temps-reel",
            "Information voyageurs en temps réel",
            "Information",
            4.9,
            (1.1, 0.2),
            0.06,
            (
                "Savoir quand le prochain bus arrive vraiment",
                "Une appli avec les horaires en direct",
                "Être prévenu des perturbations",
            ),
            IndicatorSpec(
                "Information dynamique aux arrêts",
                "Arrêts équipés d'un affichage en temps réel",
                "%",
                HIGHER,
                10,
                60,
                (14, 18, 31, 36, 42, 47),
            ),
            blank=0.05,
            named=1.5,
        ),
        CriterionSpec(
            "tarifs",
            "Prix des tickets et abonnements",
            "Prix",
            5.7,
            (0.0, 0.1),
            0.09,
            (
                "Des abonnements moins chers pour les jeunes",
                "Un ticket valable aussi dans le train",
                "Le prix du ticket",
            ),
            blank=0.03,
            named=1.6,
        ),
        CriterionSpec(
            "securite",
            "Sécurité à bord et aux arrêts",
            "Confort",
            6.8,
            (0.0, 0.0),
            0.04,
            ("Se sentir en sécurité à l'arrêt le soir", "Des arrêts éclairés"),
            IndicatorSpec(
                "Incidents déclarés",
                "Incidents déclarés pour 100 000 voyages",
                "incidents",
                LOWER,
                10,
                2,
                (4.1, 3.8, 3.9, 3.5, 3.6, 3.4),
            ),
            blank=0.04,
            named=0.8,
        ),
        CriterionSpec(
            "accessibilite",
            "Accessibilité aux personnes à mobilité réduite",
            "Accessibilité",
            5.9,
            (0.2, 0.3),
            0.03,
            ("Monter dans le bus avec une poussette ou un fauteuil", "Des arrêts accessibles"),
            IndicatorSpec(
                "Arrêts accessibles",
                "Arrêts mis en accessibilité (PMR)",
                "%",
                HIGHER,
                30,
                80,
                (38, 44, 51, 57, 62, 66),
            ),
            blank=0.12,
            named=0.8,
        ),
        CriterionSpec(
            "conducteurs",
            "Amabilité des conducteurs",
            "Relation aux usagers",
            7.3,
            (0.0, 0.0),
            0.04,
            ("Des chauffeurs aimables qui attendent qu'on soit assis",),
            blank=0.04,
            named=0.7,
        ),
    ),
    unused_technical=(
        IndicatorSpec(
            "Fréquentation",
            "Voyages par habitant et par an",
            "voyages/hab./an",
            HIGHER,
            20,
            45,
            (27, 29, 31, 32, 35, 36),
        ),
        IndicatorSpec(
            "Coût par voyage",
            "Coût net pour la collectivité par voyage",
            "€",
            LOWER,
            5,
            2.5,
            (3.9, 3.8, 3.7, 3.7, 3.6, 3.5),
        ),
    ),
    other_phrases=(
        "Des pistes cyclables pour aller au collège",
        "Un parking relais à la gare",
        "Le covoiturage vers Grenoble",
    ),
    actions=(
        ActionSpec(
            "info-temps-reel",
            "Application Lisébus avec les passages en temps réel",
            "Horaires en direct, alertes de perturbation, achat du ticket sur le téléphone ; "
            "écrans aux arrêts les plus fréquentés.",
            "Service transports – information voyageurs",
            dt.date(2023, 9, 1),
            ActionStatus.DONE,
            "2022",
        ),
        ActionSpec(
            "villages",
            "Transport à la demande dans toutes les communes",
            "Extension du transport à la demande aux neuf communes rurales qui n'en avaient "
            "pas ; réservation jusqu'à 18 h la veille.",
            "Service transports – offre",
            dt.date(2023, 9, 1),
            ActionStatus.DONE,
            "2022",
        ),
        ActionSpec(
            "frequence",
            "Ligne 1 toutes les 10 minutes aux heures de pointe",
            "Renfort de la ligne 1 (gare – zone d'activités de Vorlanges) et de la ligne 3.",
            "Service transports – offre",
            dt.date(2025, 9, 1),
            ActionStatus.DONE,
            "2024",
        ),
        ActionSpec(
            "ponctualite",
            "Voie réservée aux bus avenue de la Gare",
            "600 mètres de voie réservée et priorité aux feux sur l'axe le plus encombré.",
            "Direction des mobilités – voirie",
            dt.date(2026, 12, 31),
            ActionStatus.IN_PROGRESS,
            "2024",
        ),
        ActionSpec(
            "soirees",
            "Service de soirée le vendredi et le samedi",
            "Trois courses supplémentaires après 21 h sur les lignes 1 et 2 : à l'étude pour "
            "la rentrée 2027.",
            "Service transports – offre",
            dt.date(2027, 9, 1),
            ActionStatus.PLANNED,
            "2026",
            is_public=False,
        ),
    ),
)

BAROMETERS: tuple[BarometerSpec, ...] = (WATER, WASTE, TRANSPORT)

# --- Who answers: the sample is tilted away from the margins ----------------------------

#: Response propensity by age band, sex and commune profile (relative): older people,
#: women and the villages answer more, so the raw sample is not the population.
AGE_TILT = {"15-29": 0.5, "30-44": 0.8, "45-59": 1.0, "60-74": 1.55, "75+": 1.4}
FEMALE_TILT = 1.3
PROFILE_TILT = {"urban": 0.75, "periurban": 1.0, "rural": 1.7}

OCCUPATIONS_BY_AGE: dict[str, dict[str, float]] = {
    "15-29": {"etudiant": 35, "employe": 24, "ouvrier": 14, "intermediaire": 15, "cadre": 6,
              "artisan": 1, "autre": 5},
    "30-44": {"cadre": 20, "intermediaire": 27, "employe": 26, "ouvrier": 15, "artisan": 6,
              "agriculteur": 1, "autre": 5},
    "45-59": {"cadre": 19, "intermediaire": 25, "employe": 26, "ouvrier": 16, "artisan": 7,
              "agriculteur": 2, "autre": 5},
    "60-74": {"retraite": 72, "cadre": 5, "intermediaire": 6, "employe": 7, "ouvrier": 3,
              "artisan": 3, "agriculteur": 1, "autre": 3},
    "75+": {"retraite": 96, "autre": 4},
}  # fmt: skip
assert all(set(o) <= set(Occupation.values) for o in OCCUPATIONS_BY_AGE.values())


@dataclass
class _Sample:
    commune: np.ndarray  # index into the communes list
    age: np.ndarray  # index into SURVEY_AGE_BANDS
    female: np.ndarray  # bool
    occupation: list[str]
    latent: np.ndarray


def load_barometers(
    territory: Territory,
    *,
    respondents: int = RESPONDENT_COUNT,
    now: dt.datetime | None = None,
) -> int:
    """Create the three demo barometers with `respondents` per wave (at least four per
    commune of the agglomeration); returns the number of responses written. 0 creates
    nothing."""
    if respondents <= 0:
        return 0
    now = now or timezone.now()
    agglo = territory.organizations.get(slug=data.AGGLO)
    communes = list(agglo.communes.order_by("insee_code"))
    # Four per commune at least: smaller samples often cannot be raked (see `_rakes`).
    respondents = max(respondents, MIN_PER_COMMUNE * len(communes))
    adults = _adult_margins(communes)
    services = {s.slug: s for s in Service.objects.filter(organization=agglo)}
    total = 0
    for index, spec in enumerate(BAROMETERS):
        np_rng = np.random.default_rng([SEED, index])
        total += _load_one(spec, services[spec.service], communes, adults, np_rng, respondents, now)
    return total


def _adult_margins(communes: list[Commune]) -> np.ndarray:
    """Population of each (commune, survey age band, sex) cell, shape (communes, bands, 2)."""
    out = np.zeros((len(communes), len(SURVEY_AGE_BANDS), 2))
    position = {c.pk: i for i, c in enumerate(communes)}
    rows = PopulationMargin.objects.filter(commune__in=communes, age_band__in=SURVEY_AGE_BANDS)
    for commune_id, band, sex, population in rows.values_list(
        "commune_id", "age_band", "sex", "population"
    ):
        out[position[commune_id], SURVEY_AGE_BANDS.index(band), 0 if sex == "F" else 1] = population
    return out


def _staff(service: Service):
    """(manager, expert agent) of the service: who imports, who lists technical criteria."""
    agents = list(
        AgentProfile.objects.filter(service=service).select_related("user").order_by("pk")
    )
    manager = next(
        (a.user for a in agents if a.user.roles.filter(kind="manager", services=service).exists()),
        agents[0].user if agents else None,
    )
    expert = next((a.user for a in agents if a.user != manager and a.category != "C"), manager)
    return manager, expert


def _load_one(spec, service, communes, adults, rng, respondents, now) -> int:
    manager, expert = _staff(service)
    barometer = Barometer.objects.create(
        service=service,
        title=spec.title,
        slug=spec.slug,
        intro=spec.intro,
        explanation=spec.explanation,
        first_round_open=False,
        first_round_question=spec.question,
        trim=spec.trim,
        is_published=True,
        created_at=_aware(dt.date(2021, 11, 15)),
    )
    mentions = _load_first_round(barometer, spec, communes, rng)
    criteria = _load_criteria(barometer, spec, mentions, expert)
    _load_indicator_values(spec, criteria, expert)
    waves = _load_waves(barometer, spec, criteria, now)
    written = 0
    for k, (wave_spec, wave) in enumerate(zip(WAVES, waves, strict=True)):
        written += _load_responses(
            wave, wave_spec, k, spec, communes, adults, rng, respondents, manager
        )
    Action.objects.bulk_create(
        Action(
            barometer=barometer,
            criterion=criteria[a.criterion],
            title=a.title,
            description=a.description,
            owner=a.owner,
            due_on=a.due_on,
            status=a.status,
            from_wave=waves[[w.code for w in WAVES].index(a.from_wave)],
            is_public=a.is_public,
            created_at=_aware(_wave_spec(a.from_wave).published_on + dt.timedelta(days=30)),
        )
        for a in spec.actions
    )
    return written


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def _wave_spec(code: str) -> WaveSpec:
    return next(w for w in WAVES if w.code == code)


def _load_first_round(barometer, spec, communes, rng) -> Counter:
    """Open answers of early 2022: what matters, in people's words, most important first.
    Returns how many answers named each criterion."""
    pool = [(c.code, p) for c in spec.criteria for p in c.phrases]
    weights = np.array([c.named / len(c.phrases) for c in spec.criteria for _ in c.phrases])
    weights /= weights.sum()
    mentions: Counter = Counter()
    answers = []
    start = dt.date(2022, 1, 24)
    for _ in range(FIRST_ROUND_COUNT):
        size = int(rng.choice([1, 2, 3], p=[0.3, 0.45, 0.25]))
        picks = rng.choice(len(pool), size=size, replace=False, p=weights)
        items = []
        for i in picks:
            code, phrase = pool[int(i)]
            if code not in {pool[int(j)][0] for j in picks[: list(picks).index(i)]}:
                mentions[code] += 1
            items.append(phrase)
        if spec.other_phrases and rng.random() < 0.08:
            items.append(spec.other_phrases[int(rng.integers(len(spec.other_phrases)))])
        commune = communes[int(rng.integers(len(communes)))] if rng.random() < 0.9 else None
        answers.append(
            FirstRoundAnswer(
                barometer=barometer,
                items=items,
                commune=commune,
                submitted_on=start + dt.timedelta(days=int(rng.integers(0, 45))),
            )
        )
    FirstRoundAnswer.objects.bulk_create(answers)
    return mentions


def _technical(barometer, ind: IndicatorSpec, expert) -> TechnicalCriterion:
    return TechnicalCriterion(
        barometer=barometer,
        name=ind.name,
        description=ind.description,
        indicator_name=ind.indicator,
        indicator_unit=ind.unit,
        direction=ind.direction,
        floor=ind.floor,
        target=ind.target,
        proposed_by=expert,
        created_at=_aware(dt.date(2022, 3, 14)),
    )


def _load_criteria(barometer, spec, mentions: Counter, expert) -> dict[str, Criterion]:
    specs = [c.indicator for c in spec.criteria if c.indicator] + list(spec.unused_technical)
    TechnicalCriterion.objects.bulk_create(_technical(barometer, ind, expert) for ind in specs)
    technical = {t.name: t for t in barometer.technical_criteria.all()}
    rows = []
    for position, c in enumerate(spec.criteria, start=1):
        ind = c.indicator
        named = mentions[c.code]
        if ind is None:
            provenance = Provenance.USERS
        elif named >= 5:
            provenance = Provenance.BOTH
        else:
            provenance = Provenance.TECHNICAL
        rows.append(
            Criterion(
                barometer=barometer,
                code=c.code,
                position=position,
                wording=c.wording,
                theme=c.theme,
                indicator_name=ind.indicator if ind else "",
                indicator_unit=ind.unit if ind else "",
                direction=ind.direction if ind else HIGHER,
                floor=ind.floor if ind else None,
                target=ind.target if ind else None,
                provenance=provenance,
                provenance_note=_provenance_note(c, named, provenance),
                technical_source=technical[ind.name] if ind else None,
                user_mentions=named,
            )
        )
    Criterion.objects.bulk_create(rows)
    return {c.code: c for c in barometer.criteria.all()}


def _provenance_note(c: CriterionSpec, named: int, provenance: str) -> str:
    parts = []
    if named:
        quotes = " ; ".join(f"« {p} »" for p in c.phrases[:2])
        parts.append(f"Cité dans {named} réponses du premier tour (2022), par exemple {quotes}.")
    if c.indicator is not None:
        parts.append(f"Mesuré par le service : « {c.indicator.name} » ({c.indicator.indicator}).")
    if provenance == Provenance.TECHNICAL:
        parts.append("Retenu à la demande du service, peu cité par les habitants.")
    return " ".join(parts)


def _load_indicator_values(spec, criteria, expert) -> None:
    rows = []
    for c in spec.criteria:
        if c.indicator is None:
            continue
        for year, value in zip(INDICATOR_YEARS, c.indicator.values, strict=True):
            rows.append(
                IndicatorValue(
                    criterion=criteria[c.code],
                    period=str(year),
                    period_start=dt.date(year, 1, 1),
                    value=value,
                    source=IndicatorSource.IMPORTED if year < 2024 else IndicatorSource.ENTERED,
                    comment="Provisoire (janvier à septembre)" if year == 2026 else "",
                    entered_by=expert,
                    created_at=_aware(dt.date(min(year + 1, 2026), 2 if year < 2026 else 10, 1)),
                )
            )
    IndicatorValue.objects.bulk_create(rows)


def _load_waves(barometer, spec, criteria, now) -> list[Wave]:
    waves = []
    for k, w in enumerate(WAVES):
        published = k < len(WAVES) - 1 or spec.last_wave_published
        waves.append(
            Wave(
                barometer=barometer,
                label=w.label,
                code=w.code,
                opens_on=w.opens_on,
                closes_on=w.closes_on,
                status=WaveStatus.PUBLISHED if published else WaveStatus.CLOSED,
                link_token=secrets.token_urlsafe(18)[:24],
                published_at=_aware(w.published_on) if published else None,
                created_at=_aware(w.opens_on - dt.timedelta(days=45)),
            )
        )
    Wave.objects.bulk_create(waves)
    waves = list(barometer.waves.order_by("opens_on"))
    through = Wave.criteria.through
    through.objects.bulk_create(
        through(wave_id=wave.pk, criterion_id=c.pk) for wave in waves for c in criteria.values()
    )
    return waves


def _draw_sample(rng, communes, adults, n) -> _Sample:
    """Who answers: at least two respondents per commune, the rest drawn with the tilted
    propensities; ages and sexes drawn within each commune."""
    profiles = [data.COMMUNES_BY_NAME[c.name].profile for c in communes]
    age_tilt = np.array([AGE_TILT[b] for b in SURVEY_AGE_BANDS])
    sex_tilt = np.array([FEMALE_TILT, 1.0])
    cell = adults * age_tilt[None, :, None] * sex_tilt[None, None, :]
    p_commune = cell.sum(axis=(1, 2)) * np.array([PROFILE_TILT[p] for p in profiles])
    p_commune /= p_commune.sum()
    per_commune = 2 + rng.multinomial(n - 2 * len(communes), p_commune)
    commune_idx, age_idx, female = [], [], []
    for i, m in enumerate(per_commune):
        p = cell[i].ravel() / cell[i].sum()  # (band, sex) cells
        drawn = rng.choice(p.size, size=int(m), p=p)
        commune_idx.append(np.full(m, i))
        age_idx.append(drawn // 2)
        female.append(drawn % 2 == 0)
    commune = np.concatenate(commune_idx)
    age = np.concatenate(age_idx)
    is_female = np.concatenate(female)
    # Raking needs every category: with very small samples, lend a missing age band or sex
    # to a respondent of a commune that has more than one.
    spare = iter(np.flatnonzero(per_commune[commune] > 1)[::-1])
    for b in range(len(SURVEY_AGE_BANDS)):
        if not (age == b).any():
            age[next(spare)] = b
    for value in (True, False):
        if not (is_female == value).any():
            is_female[next(spare)] = value
    occupation = [""] * n
    for b, band in enumerate(SURVEY_AGE_BANDS):
        idx = np.flatnonzero(age == b)
        choices = OCCUPATIONS_BY_AGE[band]
        p = np.array(list(choices.values()), dtype=float)
        picks = rng.choice(len(choices), size=idx.size, p=p / p.sum())
        keys = list(choices)
        for i, pick in zip(idx, picks, strict=True):
            occupation[i] = keys[pick]
    for i in np.flatnonzero(rng.random(n) < 0.02):  # "prefers not to say"
        occupation[i] = ""
    latent = rng.standard_normal(n)
    return _Sample(commune, age, is_female, occupation, latent)


def _rakes(sample: _Sample, adults: np.ndarray, trim: float | None) -> bool:
    """Whether the sample can be raked to the margins (with the barometer's trimming).

    Every category having respondents is not enough: in a small sample, the few young
    respondents may all live in small communes whose totals cannot carry the weight of
    the whole age band. The loader then draws the wave again."""
    margins = {
        "age_band": {str(b): float(adults[:, b, :].sum()) for b in range(adults.shape[1])},
        "sex": {"F": float(adults[:, :, 0].sum()), "M": float(adults[:, :, 1].sum())},
        "commune": {str(c): float(adults[c].sum()) for c in range(adults.shape[0])},
    }
    n = len(sample.age)
    responses = survey.Responses(
        wave=np.zeros(n, dtype=int),
        margins={
            "age_band": sample.age.astype(str),
            "sex": np.where(sample.female, "F", "M"),
            "commune": sample.commune.astype(str),
        },
        overall=np.zeros(n),
        criteria={},
    )
    try:
        survey.wave_weights(responses, margins, trim)
    except survey.SurveyError:
        return False
    return True


def _load_responses(wave, wave_spec, k, spec, communes, adults, rng, n, manager) -> int:
    for _attempt in range(MAX_DRAWS):
        sample = _draw_sample(rng, communes, adults, n)
        if _rakes(sample, adults, spec.trim):
            break
    else:  # pragma: no cover - only with absurdly small samples
        raise RuntimeError(f"No rakeable sample of {n} respondents in {MAX_DRAWS} draws.")
    profiles = [data.COMMUNES_BY_NAME[c.name].profile for c in communes]
    shift = np.array([spec.age_shift.get(b, 0.0) for b in SURVEY_AGE_BANDS])[sample.age]
    shift += np.array([spec.profile_shift.get(p, 0.0) for p in profiles])[sample.commune]
    z = sample.latent + shift
    overall = np.full(n, spec.overall)
    non_user = rng.random(n) < spec.non_users
    scores: dict[str, np.ndarray] = {}
    for c in spec.criteria:
        mean = c.base + sum(c.trend[:k])
        cont = mean + c.loading * LATENT_SD * z + rng.normal(0.0, NOISE_SD, n)
        overall += c.weight * (cont - c.base)
        score = np.clip(np.rint(cont), 0, 10).astype(int)
        blank = non_user | (rng.random(n) < c.blank)
        scores[c.code] = np.where(blank, -1, score)
    overall += 0.5 * z + rng.normal(0.0, 1.0, n)
    overall_score = np.clip(np.rint(overall), 0, 10).astype(int)
    no_overall = rng.random(n) < 0.01

    online = rng.random(n) < wave_spec.online_share
    batch = None
    if not online.all():
        batch = ResponseImport.objects.create(
            wave=wave,
            filename=f"institut-opinion-lise-{spec.slug}-{wave.code}.csv",
            rows_imported=int((~online).sum()),
            imported_by=manager,
            created_at=_aware(wave_spec.closes_on + dt.timedelta(days=4)),
        )
    days = (wave_spec.closes_on - wave_spec.opens_on).days
    offsets = rng.integers(0, days + 1, n)
    codes = [c.code for c in spec.criteria]
    rows = []
    for i in range(n):
        rows.append(
            Response(
                wave=wave,
                source=ResponseSource.INVITATION if online[i] else ResponseSource.IMPORT,
                submitted_on=wave_spec.opens_on + dt.timedelta(days=int(offsets[i])),
                age_band=SURVEY_AGE_BANDS[sample.age[i]],
                sex="F" if sample.female[i] else "M",
                commune=communes[sample.commune[i]],
                occupation=sample.occupation[i],
                overall=None if no_overall[i] else int(overall_score[i]),
                scores={c: int(scores[c][i]) for c in codes if scores[c][i] >= 0},
                batch=None if online[i] else batch,
            )
        )
    Response.objects.bulk_create(rows, batch_size=1000)
    _load_invitations(wave, wave_spec, int(online.sum()), rng)
    return n


def _load_invitations(wave, wave_spec, used: int, rng) -> None:
    """The codes mailed to the drawn sample: those used (the day only) and the others.
    The codes themselves are thrown away, as after a real wave."""
    if not used:
        return
    sent = used * 3
    days = (wave_spec.closes_on - wave_spec.opens_on).days
    offsets = rng.integers(0, days + 1, used)
    Invitation.objects.bulk_create(
        (
            Invitation(
                wave=wave,
                code_hash=hash_code(secrets.token_hex(8)),
                batch=f"Courrier {wave.code}",
                used_on=wave_spec.opens_on + dt.timedelta(days=int(offsets[i]))
                if i < used
                else None,
                created_at=_aware(wave_spec.opens_on - dt.timedelta(days=10)),
            )
            for i in range(sent)
        ),
        batch_size=1000,
    )
