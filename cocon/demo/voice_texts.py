"""The voices ("Paroles") of the demo territory as plain data: themes, routing, generator.

What the usagers of the Pays du Val de Lise say to their public services, and what the
front-line agents relay for them or observe themselves: :data:`THEMES` (with the keywords
that suggest them from a text), :data:`ROUTING` (which service of an organization a voice
goes to) and :func:`generate_voices`, which draws realistic French voices with their life
cycle (status, delays, answer). Everything is invented. Nothing imports Django, so that the
data can be checked alone; ``cocon.demo.loader`` turns the :class:`VoiceSpec` into rows.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import accumulate
from zoneinfo import ZoneInfo

from cocon.demo import data
from cocon.demo.data import (
    AGGLO,
    CAF,
    CCAS,
    CPAM,
    DEPARTEMENT,
    FRANCE_TRAVAIL,
    HABITAT,
    LA_POSTE,
    MAIRIE_2,
    MAIRIE_10,
    PREFECTURE,
    VILLE,
)
from cocon.lib import keywords
from cocon.lib.workdays import add_working_hours

PARIS = ZoneInfo("Europe/Paris")

# --- Vocabulary (the values of cocon.voices.models) ----------------------------------------
KINDS: tuple[str, ...] = (
    "testimony",
    "suggestion",
    "alert",  # worry or alert
    "complaint",
    "thanks",
    "question",
    "observation",  # an agent's own field observation
)
CHANNELS: tuple[str, ...] = (
    "web",
    "counter",
    "phone",
    "mail",
    "field_walk",
    "maraude",
    "bus",  # the itinerant public-service bus
    "workshop",
    "other",
)
CAPTURE_MODES: tuple[str, ...] = ("self", "relayed", "observation")
STATUSES: tuple[str, ...] = (
    "received",
    "acknowledged",
    "in_progress",
    "answered",
    "closed",
    "merged",
    "not_for_us",
)
OPEN_STATUSES: tuple[str, ...] = ("received", "acknowledged", "in_progress")
SELF_CHANNELS: tuple[str, ...] = ("web", "mail", "phone")
RELAY_CHANNELS: tuple[str, ...] = (
    "counter",
    "phone",
    "mail",
    "maraude",
    "bus",
    "field_walk",
    "workshop",
)
OBSERVATION_CHANNELS: tuple[str, ...] = ("field_walk", "maraude", "bus", "other")

# Optional profile of the person who speaks (never of an agent observing).
PROFILE_AGE_BANDS: tuple[str, ...] = ("15-29", "30-44", "45-59", "60-74", "75+")
PROFILE_SEXES: tuple[str, ...] = ("F", "M")
# INSEE-like socio-professional groups: the codes of cocon.voices.models.Occupation.
OCCUPATIONS: tuple[str, ...] = (
    "farmer",
    "self_employed",
    "executive",
    "intermediate",
    "employee",
    "worker",
    "retired",
    "student",
    "jobseeker",
    "other",
)
OCCUPATION_LABELS: dict[str, str] = {
    "farmer": "Agriculteur exploitant",
    "self_employed": "Artisan, commerçant ou chef d'entreprise",
    "executive": "Cadre ou profession intellectuelle supérieure",
    "intermediate": "Profession intermédiaire",
    "employee": "Employé",
    "worker": "Ouvrier",
    "retired": "Retraité",
    "student": "Élève ou étudiant",
    "jobseeker": "Demandeur d'emploi",
    "other": "Autre personne sans activité professionnelle",
}


@dataclass(frozen=True)
class ThemeSpec:
    slug: str
    name: str
    keywords: tuple[str, ...]  # for cocon.lib.keywords: no commas, plurals are stemmed


@dataclass(frozen=True)
class RouteSpec:
    """A voice of this kind (None: any) about this theme (None: any) goes to this service
    of the organization. The most specific rule wins: theme + kind, then theme, then kind,
    then the catch-all (see :func:`route_service`)."""

    kind: str | None
    theme: str | None
    service: str

    @property
    def specificity(self) -> int:
        return (2 if self.theme else 0) + (1 if self.kind else 0)


@dataclass(frozen=True)
class VoiceSpec:
    organization: str  # organization slug
    service: str  # service slug within the organization
    theme: str  # theme slug
    kind: str
    channel: str
    capture_mode: str
    text: str
    commune: str | None  # commune name
    event_date: date
    created_at: datetime  # aware, Europe/Paris
    relay_agent_index: int | None  # for relayed voices and observations; taken modulo
    status: str
    acknowledged_after_hours: float | None  # calendar hours after created_at
    answered_after_hours: float | None
    closed_after_hours: float | None  # for merged voices: when it was merged
    answer: str  # "" unless answered, closed or not_for_us
    contact_email: bool  # the person left an email for the answer
    profile: dict[str, str] | None  # age_band, sex, occupation (a code of OCCUPATIONS)
    rerouted_from: str | None  # service slug the voice was wrongly routed to first


def _keywords(text: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in text.split(","))


# --- Themes --------------------------------------------------------------------------------
THEMES: tuple[ThemeSpec, ...] = (
    ThemeSpec(
        "eau-assainissement",
        "Eau et assainissement",
        _keywords(
            "eau, eau potable, robinet, fuite, compteur, facture d'eau, assainissement, "
            "égout, tout-à-l'égout, canalisation, coupure d'eau, calcaire, chlore, eaux "
            "usées, regard, poteau incendie, raccordement"
        ),
    ),
    ThemeSpec(
        "dechets",
        "Déchets et collecte",
        _keywords(
            "déchets, poubelle, bac, bac jaune, bac gris, collecte, tri, déchèterie, "
            "encombrants, composteur, compostage, biodéchets, conteneur, verre, ordures, "
            "camion poubelle, ressourcerie, dépôt sauvage"
        ),
    ),
    ThemeSpec(
        "voirie",
        "Voirie et routes",
        _keywords(
            "voirie, route, chaussée, nid-de-poule, trou, trottoir, ralentisseur, "
            "déneigement, verglas, neige, travaux, panneau, carrefour, plaque d'égout, "
            "piste cyclable, passage piéton, zone 30, talus"
        ),
    ),
    ThemeSpec(
        "eclairage",
        "Éclairage public",
        _keywords(
            "éclairage, éclairage public, lampadaire, lumière, candélabre, LED, extinction, "
            "noir, feu tricolore, éclairé, ampoule, illuminations"
        ),
    ),
    ThemeSpec(
        "proprete",
        "Propreté",
        _keywords(
            "propreté, sale, tag, graffiti, crottes de chien, déjections, mégots, "
            "balayeuse, nettoyage, corbeille, seringues, feuilles mortes, toilettes "
            "publiques, sacs d'ordures, nettoyé, huile"
        ),
    ),
    ThemeSpec(
        "espaces-verts",
        "Espaces verts et nature",
        _keywords(
            "espaces verts, parc, square, arbre, branche, élagage, haie, tonte, herbe, aire "
            "de jeux, jardin partagé, jardins partagés, massifs, fleuri, pesticides, "
            "tourbière, sentier, espace naturel, étang, nature, chenilles processionnaires, "
            "prairies"
        ),
    ),
    ThemeSpec(
        "mobilite",
        "Transports et mobilité",
        _keywords(
            "bus, ligne de bus, arrêt, abribus, Lisébus, abonnement, transport, transport à "
            "la demande, transport scolaire, chauffeur, vélo, vélo électrique, arceaux, "
            "stationnement, covoiturage, gare, trottinettes, agence de mobilité, horaires "
            "des bus"
        ),
    ),
    ThemeSpec(
        "enfance-ecoles",
        "Petite enfance et écoles",
        _keywords(
            "école, cantine, périscolaire, centre de loisirs, crèche, bébé, enfant, "
            "enfants, PMI, puéricultrice, assistante maternelle, inscription scolaire, "
            "classe, petite section, rue scolaire, kermesse, relais petite enfance, "
            "vacciner"
        ),
    ),
    ThemeSpec(
        "action-sociale",
        "Action sociale et solidarités",
        _keywords(
            "aide sociale, assistante sociale, travailleuse sociale, CCAS, aide, aides, "
            "domiciliation, épicerie solidaire, aide alimentaire, RSA, APA, personne âgée, "
            "isolée, maraude, à la rue, hébergement d'urgence, chèque énergie, minimum "
            "vieillesse, portage de repas, aidant, précarité, factures d'énergie, facture "
            "impayée, voisine, personnes âgées, dort dans, manger, électricité"
        ),
    ),
    ThemeSpec(
        "logement",
        "Logement et hébergement",
        _keywords(
            "logement, logement social, bailleur, propriétaire, loyer, expulsion, DALO, garage, "
            "APL, aide au logement, moisissure, insalubrité, humide, squat, caution, dépôt "
            "de garantie, impayés de loyer, immeuble, chauffage collectif, logement "
            "passerelle, plan d'apurement, locataires"
        ),
    ),
    ThemeSpec(
        "demarches",
        "Accueil et démarches administratives",
        _keywords(
            "démarche, démarches, carte d'identité, passeport, titre de séjour, récépissé, "
            "naturalisation, carte grise, permis, état civil, acte de naissance, acte de "
            "mariage, listes électorales, procuration, procuration de vote, rendez-vous, "
            "France services, FranceConnect, temps d'attente, papiers, copie intégrale, "
            "accueil, guichet, horaires d'ouverture, créneau"
        ),
    ),
    ThemeSpec(
        "sante",
        "Santé et assurance maladie",
        _keywords(
            "santé, assurance maladie, CPAM, carte Vitale, médecin, médecin traitant, "
            "remboursement, indemnités journalières, arrêt maladie, complémentaire santé "
            "solidaire, complémentaire santé, mutuelle, pharmacie, soins, dentaire, "
            "dépistage, attestation de droits, urgences"
        ),
    ),
    ThemeSpec(
        "emploi",
        "Emploi et insertion",
        _keywords(
            "emploi, chômage, demandeur d'emploi, France Travail, conseiller, allocation "
            "chômage, formation, entretien d'embauche, embauche, licencié, radié, "
            "reconversion, insertion, contrat d'engagement, recruter, entreprise, cariste, "
            "CDI, forum de l'emploi"
        ),
    ),
    ThemeSpec(
        "prestations-familiales",
        "Prestations CAF",
        _keywords(
            "CAF, allocations, allocations familiales, allocataire, prime d'activité, "
            "trop-perçu, prestations, déclaration trimestrielle, pension alimentaire, "
            "séparation, naissance, attestation de paiement, simulateur, versement, "
            "justificatifs"
        ),
    ),
    ThemeSpec(
        "vie-locale",
        "Vie locale, culture et sport",
        _keywords(
            "salle des fêtes, salle communale, médiathèque, gymnase, stade, terrain de "
            "foot, city-stade, association, associations, conseil de quartier, budget "
            "participatif, fête, fête de quartier, vide-grenier, balade urbaine, concert, "
            "sport, licence sportive, marché de producteurs, boîte à livres, lieu de "
            "rencontre, subvention"
        ),
    ),
    ThemeSpec(
        "courrier-numerique",
        "Courrier et numérique",
        _keywords(
            "courrier, colis, facteur, bureau de poste, La Poste, recommandé, avis de "
            "passage, boîte aux lettres, réexpédition, compte bancaire, numérique, ateliers "
            "numériques, conseiller numérique, ordinateur, tablette, smartphone, "
            "imprimante, scanner, en ligne, adresse mail, arnaque, SMS frauduleux, internet"
        ),
    ),
)
THEMES_BY_SLUG: dict[str, ThemeSpec] = {t.slug: t for t in THEMES}

# --- Competence and routing ----------------------------------------------------------------
# Which organizations usually receive the voices of a theme, with the demo's relative
# weights. A few voices are addressed elsewhere and referred ("not_for_us").
THEME_ORGANIZATIONS: dict[str, tuple[tuple[str, int], ...]] = {
    "eau-assainissement": ((AGGLO, 100),),
    "dechets": ((AGGLO, 85), (VILLE, 15)),
    "voirie": ((VILLE, 35), (AGGLO, 25), (DEPARTEMENT, 25), (MAIRIE_2, 8), (MAIRIE_10, 7)),
    "eclairage": ((VILLE, 70), (AGGLO, 10), (MAIRIE_2, 12), (MAIRIE_10, 8)),
    "proprete": ((VILLE, 75), (AGGLO, 10), (MAIRIE_2, 8), (MAIRIE_10, 7)),
    "espaces-verts": ((VILLE, 60), (AGGLO, 25), (MAIRIE_2, 8), (MAIRIE_10, 7)),
    "mobilite": ((AGGLO, 88), (VILLE, 12)),
    "enfance-ecoles": ((VILLE, 45), (DEPARTEMENT, 30), (MAIRIE_2, 15), (MAIRIE_10, 10)),
    "action-sociale": ((CCAS, 45), (DEPARTEMENT, 30), (AGGLO, 15), (CAF, 10)),
    "logement": ((HABITAT, 35), (CCAS, 25), (CAF, 20), (AGGLO, 20)),
    "demarches": (
        (VILLE, 30),
        (AGGLO, 30),
        (PREFECTURE, 20),
        (MAIRIE_2, 10),
        (MAIRIE_10, 5),
        (LA_POSTE, 5),
    ),
    "sante": ((CPAM, 85), (AGGLO, 15)),
    "emploi": ((FRANCE_TRAVAIL, 75), (DEPARTEMENT, 15), (AGGLO, 10)),
    "prestations-familiales": ((CAF, 85), (AGGLO, 15)),
    "vie-locale": ((VILLE, 65), (MAIRIE_2, 15), (MAIRIE_10, 10), (AGGLO, 10)),
    "courrier-numerique": ((LA_POSTE, 70), (AGGLO, 30)),
}

ROUTING: dict[str, tuple[RouteSpec, ...]] = {
    AGGLO: (
        RouteSpec(None, "eau-assainissement", "eau-assainissement"),
        RouteSpec(None, "dechets", "dechets-collecte"),
        RouteSpec(None, "proprete", "dechets-collecte"),  # dépôts sauvages
        RouteSpec(None, "espaces-verts", "espaces-naturels"),
        RouteSpec(None, "mobilite", "transports-mobilite"),
        RouteSpec(None, "voirie", "voirie-communautaire"),
        RouteSpec(None, "eclairage", "voirie-communautaire"),  # zones d'activités
        RouteSpec(None, "demarches", "france-services"),
        RouteSpec(None, "sante", "france-services"),
        RouteSpec(None, "emploi", "france-services"),
        RouteSpec(None, "prestations-familiales", "france-services"),
        RouteSpec(None, "courrier-numerique", "france-services"),
        RouteSpec(None, "action-sociale", "france-services"),
        RouteSpec(None, "logement", "politique-de-la-ville"),
        RouteSpec("question", "logement", "france-services"),
        RouteSpec(None, "vie-locale", "politique-de-la-ville"),
        RouteSpec(None, None, "accueil"),
    ),
    VILLE: (
        RouteSpec(None, "espaces-verts", "espaces-verts"),
        RouteSpec(None, "proprete", "proprete-urbaine"),
        RouteSpec(None, "dechets", "proprete-urbaine"),
        RouteSpec(None, "voirie", "voirie-eclairage"),
        RouteSpec(None, "eclairage", "voirie-eclairage"),
        RouteSpec(None, "mobilite", "voirie-eclairage"),
        RouteSpec("suggestion", "mobilite", "vie-des-quartiers"),
        RouteSpec(None, "vie-locale", "vie-des-quartiers"),
        RouteSpec(None, "demarches", "accueil-etat-civil"),
        RouteSpec(None, "enfance-ecoles", "accueil-etat-civil"),
        RouteSpec("suggestion", None, "vie-des-quartiers"),
        RouteSpec(None, None, "accueil-etat-civil"),
    ),
    CCAS: (
        RouteSpec(None, "action-sociale", "action-sociale"),
        RouteSpec("alert", "action-sociale", "equipe-mobile-acces-aux-droits"),
        RouteSpec("observation", "action-sociale", "equipe-mobile-acces-aux-droits"),
        RouteSpec(None, "logement", "equipe-mobile-acces-aux-droits"),
        RouteSpec(None, None, "action-sociale"),
    ),
    MAIRIE_2: (RouteSpec(None, None, "secretariat-de-mairie"),),
    MAIRIE_10: (RouteSpec(None, None, "secretariat-de-mairie"),),
    DEPARTEMENT: (
        RouteSpec(None, "voirie", "routes-departementales"),
        RouteSpec(None, "action-sociale", "maison-departement-montlise"),
        RouteSpec(None, "enfance-ecoles", "maison-departement-montlise"),
        RouteSpec(None, "emploi", "maison-departement-montlise"),
        RouteSpec(None, None, "maison-departement-montlise"),
    ),
    CAF: (
        RouteSpec(None, "prestations-familiales", "accueil-allocataires"),
        RouteSpec("testimony", "prestations-familiales", "accompagnement-familles"),
        RouteSpec(None, "action-sociale", "accompagnement-familles"),
        RouteSpec(None, "logement", "accompagnement-familles"),
        RouteSpec("question", "logement", "accueil-allocataires"),
        RouteSpec(None, None, "accueil-allocataires"),
    ),
    CPAM: (RouteSpec(None, None, "accueil-assures"),),
    FRANCE_TRAVAIL: (
        RouteSpec(None, "emploi", "accueil-demandeurs"),
        RouteSpec(None, None, "accueil-demandeurs"),
    ),
    LA_POSTE: (RouteSpec(None, None, "guichet"),),
    PREFECTURE: (RouteSpec(None, None, "accueil-titres-etrangers"),),
    HABITAT: (RouteSpec(None, None, "accompagnement-logement"),),
}


def route_service(organization: str, kind: str | None, theme: str | None) -> str:
    """The service slug of ``organization`` that a voice of ``kind`` about ``theme`` goes
    to: the most specific matching rule of :data:`ROUTING`."""
    best: RouteSpec | None = None
    for rule in ROUTING[organization]:
        if rule.kind not in (None, kind) or rule.theme not in (None, theme):
            continue
        if best is None or rule.specificity > best.specificity:
            best = rule
    if best is None:  # pragma: no cover - every organization has a catch-all
        raise LookupError(f"no route for {organization}/{kind}/{theme}")
    return best.service


# --- Texts --------------------------------------------------------------------------------
# One block per theme. "# kind" opens a section; "- " opens an entry, indented lines continue
# it; "[alias ...]" at the start of an entry restricts it to some organizations (see
# _ALIASES). Slots in braces are filled by _Slots; "{commune}" is the voice's commune.
_TEXTS: dict[str, str] = {
    "eau-assainissement": """
# alert
- Plus d'eau au robinet depuis {heure_matin} ce matin au {numero} {rue} à {commune}, et aucun avis
  de coupure n'avait été distribué.
- Une fuite importante sort de la chaussée {rue} à {commune}, l'eau coule sur le trottoir depuis
  {jour}.
- L'eau du robinet a un goût de chlore très fort et une couleur marron depuis {jour}. Est-ce qu'on
  peut la boire ? J'ai un bébé à la maison.
- Odeur d'égout très forte devant le {numero} {rue} à {commune}, surtout le soir. Le regard semble
  bouché.
- La bouche d'égout déborde à chaque orage {rue} à {commune}, l'eau arrive jusqu'aux garages.
# complaint
- Ma facture d'eau a doublé alors que nous ne sommes que deux à la maison. J'ai appelé {nb} fois
  sans avoir de réponse claire.
- On m'a coupé l'eau pour un impayé alors que j'avais un échéancier en cours. Je trouve ça
  inadmissible.
- Les travaux sur la conduite d'eau {rue} à {commune} durent depuis {semaines} semaines, la tranchée
  est toujours ouverte et personne ne nous tient au courant.
- Le compteur d'eau a été changé en mon absence et on me facture maintenant une consommation estimée
  qui ne correspond à rien.
- Trois coupures d'eau en un mois à {commune}, toujours sans prévenir. Quand on travaille de nuit,
  c'est vraiment pénible.
# question
- Comment faire pour mensualiser ma facture d'eau ? Je viens d'emménager à {commune}.
- Je dois faire raccorder ma maison au tout-à-l'égout : combien ça coûte et quels sont les délais ?
- Est-ce que l'eau de {commune} est calcaire ? Faut-il installer un adoucisseur ?
- Qui doit payer la réparation d'une fuite avant le compteur d'eau, moi ou l'agglo ?
- Où peut-on consulter les résultats des analyses de l'eau potable pour {commune} ?
# suggestion
- Ce serait bien d'être prévenu par SMS des coupures d'eau programmées, plutôt que par un papier
  dans la boîte aux lettres.
- Pourquoi ne pas installer une fontaine d'eau potable sur la place de {commune} ? L'été, il n'y a
  aucun point d'eau.
- Vous pourriez proposer la relève du compteur d'eau en ligne avec une photo, comme pour
  l'électricité.
- Il faudrait expliquer la facture d'eau avec un schéma simple : la part assainissement n'est claire
  pour personne.
# testimony
- Depuis qu'on a le nouveau compteur d'eau, je suis ma consommation sur internet et j'ai découvert
  une fuite dans les toilettes. On a beaucoup économisé.
- J'habite {commune} depuis {n10} ans et l'eau a toujours été bonne, mais depuis l'an dernier je lui
  trouve un goût plus prononcé.
- Pendant la sécheresse, on a respecté les restrictions d'eau, mais les voisins arrosaient quand
  même la nuit. On se sent un peu bêtes.
# thanks
- Merci à {agent} pour la réparation de la fuite d'eau devant chez nous, un samedi en plus. Travail
  propre et très aimable.
- Un grand merci à l'équipe de l'eau pour sa réactivité lors de la rupture de canalisation à
  {commune}.
- Merci pour les explications au téléphone sur ma facture d'eau, j'ai enfin compris la part
  assainissement.
# observation
- Lors de la relève à {commune}, constaté un regard de compteur d'eau cassé au {numero} {rue},
  risque de chute pour les piétons.
- Tournée réseau : poteau incendie qui fuit {rue} à {commune}, débit faible mais continu.
  Intervention à programmer.
- Plusieurs usagers de {commune} nous ont parlé cette semaine d'un goût de terre dans l'eau du
  robinet, à croiser avec les analyses.
- Odeur persistante au poste de relevage des eaux usées de {commune}, la grille d'accès a aussi été
  forcée.
""",
    "dechets": """
# alert
- Un dépôt sauvage de gravats et de pneus bloque le passage {rue} à {commune} depuis {jour}.
- Le conteneur à verre de la place de {commune} déborde, il y a des bouteilles cassées partout et
  des enfants passent par là.
- [agglo] Une benne de la déchèterie de {commune} a pris feu hier soir, il y a encore de la fumée ce
  matin.
- Des poubelles ont été renversées par le vent {rue}, les déchets s'envolent jusque dans le
  ruisseau.
# complaint
- [agglo] Notre bac gris n'a pas été vidé {jour}, c'est la {nb}e fois ce mois-ci {rue} à {commune}.
- [agglo] Le camion poubelle passe à {heure_matin} du matin et fait un bruit terrible, en plus il
  bloque toute la rue pendant la collecte.
- [agglo] On nous a supprimé une collecte des ordures par semaine et maintenant les poubelles
  débordent, surtout l'été avec l'odeur.
- [agglo] J'ai attendu {minutes} minutes à l'entrée de la déchèterie samedi, il faudrait ouvrir plus
  de quais.
- [agglo] J'ai demandé un bac plus grand il y a {semaines} semaines et je n'ai toujours rien reçu.
- [ville] Les corbeilles de la place du Marché sont pleines tous les lundis matin, les déchets du
  marché restent là tout le week-end.
# question
- Où est-ce que je peux déposer un vieux frigo ? Je n'ai pas de voiture pour aller à la déchèterie.
- Est-ce que les pots de yaourt vont dans le bac jaune maintenant ? Le tri a changé et je m'y perds.
- Comment obtenir un composteur ? J'ai vu qu'il y en avait des gratuits.
- [agglo] Quels sont les jours de collecte des poubelles {rue} à {commune} ? Nous venons d'arriver.
- [agglo] Mon badge d'accès à la déchèterie ne fonctionne plus, comment en avoir un nouveau ?
# suggestion
- Il faudrait un point de collecte des biodéchets dans le quartier, beaucoup de gens en appartement
  n'ont pas de jardin pour composter.
- [agglo] Pourquoi ne pas organiser une collecte des encombrants une fois par trimestre dans les
  villages ? Pour les personnes âgées, aller à la déchèterie est compliqué.
- [agglo] Une ressourcerie à côté de la déchèterie permettrait de donner une seconde vie aux meubles
  jetés en bon état.
- Une application qui rappelle le jour de collecte des poubelles la veille au soir, ce serait
  pratique.
# testimony
- Depuis qu'on composte, notre poubelle grise est à moitié vide. Les ateliers de compostage nous ont
  bien aidés.
- Je suis en fauteuil et le conteneur à verre est trop haut pour moi, je dois demander à mon voisin
  à chaque fois.
- Dans notre immeuble, personne ne trie : les bacs jaunes sont pleins de sacs d'ordures. On a
  l'impression que le tri ne sert à rien.
# thanks
- Merci à {agent} et à son collègue qui ont ramassé tout ce qui était tombé du bac de collecte,
  c'est rare de voir ça.
- Bravo aux équipes de collecte des déchets qui passent même sous la neige, merci à elles.
- [agglo] Merci à l'agent de la déchèterie de {commune} qui m'a aidé à décharger ma remorque, très
  gentil.
# observation
- [agglo] Tournée de collecte : {nb} bacs jaunes refusés {rue} à {commune} pour erreurs de tri (sacs
  fermés, cartons mouillés). Prévoir une visite d'information.
- [agglo] Point d'apport volontaire de {commune} saturé tous les lundis, le conteneur à cartons est
  plein dès le dimanche midi.
- [agglo] Camion de collecte bloqué {rue} à {commune} par des voitures garées des deux côtés, {n10}
  foyers non collectés.
- Dépôt récurrent de sacs poubelles au pied des conteneurs du parking de {commune}, toujours au même
  endroit.
- [ville] Corbeilles du {parc} débordantes le dimanche soir, un passage supplémentaire serait utile
  l'été.
""",
    "voirie": """
# alert
- Un énorme nid-de-poule s'est formé {rue} à {commune}, au niveau du {numero}. Un cycliste est tombé
  {jour}.
- Une plaque d'égout est soulevée au milieu de la chaussée {rue} à {commune}, les voitures font un
  bruit de tonnerre en passant.
- Un arbre est tombé en travers de la route entre {commune} et {commune2}, les voitures passent sur
  le bas-côté.
- Le panneau stop au carrefour près du {numero} {rue} a été arraché, les voitures ne s'arrêtent
  plus.
- [dept agglo] Plaques de verglas sur la {rd} en descendant vers {commune}, deux voitures dans le
  fossé ce matin.
- [dept] Le talus s'est effondré le long de la {rd} après les pluies, la chaussée est fissurée sur
  plusieurs mètres.
# complaint
- Le trottoir {rue} à {commune} est tellement abîmé qu'on ne peut pas passer avec une poussette, il
  faut marcher sur la route.
- Les travaux de voirie à {commune} étaient annoncés pour deux semaines et ça fait {semaines}
  semaines que la route est barrée.
- Le déneigement de notre rue n'a été fait qu'à {heure} alors que tout le monde part travailler à 7
  h.
- Les voitures roulent beaucoup trop vite {rue} à {commune}, on demande un ralentisseur depuis des
  années sans réponse.
- [dept] La {rd} est pleine de trous depuis l'hiver, on a crevé deux pneus en un mois.
# question
- Qui est responsable de l'entretien de la route qui passe devant chez moi à {commune} : la commune,
  l'agglo ou le département ?
- Je dois poser un échafaudage sur le trottoir pour refaire ma façade, quelle démarche faut-il faire
  ?
- Quand est-ce que les travaux de voirie {rue} à {commune} vont se terminer ?
- Est-ce qu'on peut obtenir un passage piéton devant l'arrêt de car à {commune} ?
# suggestion
- Il faudrait une piste cyclable sécurisée entre {commune} et {commune2}, beaucoup d'élèves font la
  route à vélo.
- Un miroir au carrefour près du {numero} {rue} éviterait beaucoup de frayeurs, la visibilité est
  nulle en sortant.
- Pourquoi ne pas mettre la rue de l'école en zone 30 aux heures d'entrée et de sortie ?
- Il faudrait des bancs {rue}, pour les personnes âgées qui vont au marché à pied.
# testimony
- Avec mon déambulateur, aller de chez moi à la pharmacie de {commune} est devenu un parcours du
  combattant à cause des trottoirs.
- Depuis la pose des ralentisseurs {rue}, c'est beaucoup plus calme, les enfants peuvent enfin jouer
  devant la maison.
- On habite au bout de la route au-dessus de {commune} et l'hiver dernier on est restés deux jours
  sans pouvoir descendre en voiture à cause de la neige.
# thanks
- Merci aux agents qui ont dégagé l'arbre tombé sur la route en moins d'une heure, un dimanche en
  plus !
- Merci à {agent} pour le rebouchage rapide du trou dans la chaussée devant l'école, les parents ont
  apprécié.
- Bravo pour le déneigement cette nuit, la route de {commune} était praticable dès 6 h.
# observation
- Patrouille : affaissement de chaussée {rue} à {commune}, balisé provisoirement, réparation à
  prévoir sous {jours} jours.
- [dept agglo] Lors du passage ce matin, constaté {nb} nids-de-poule successifs sur la {rd} avant
  l'entrée de {commune}.
- Signalisation de chantier laissée en place {rue} à {commune} alors que les travaux de voirie sont
  finis depuis une semaine.
- Voitures garées sur le trottoir {rue} à {commune} : les piétons marchent sur la chaussée à la
  sortie de l'école.
""",
    "eclairage": """
# alert
- Tout l'éclairage public est éteint {rue} à {commune} depuis {jour}, c'est complètement noir le
  soir.
- Un lampadaire penche dangereusement au {numero} {rue}, il a sûrement été percuté par une voiture.
- Des fils électriques dépassent du pied d'un lampadaire près de l'école, les enfants passent à côté
  tous les jours.
- Le feu tricolore du carrefour principal de {commune} reste bloqué au rouge dans un sens depuis ce
  matin.
# complaint
- Le lampadaire devant chez moi clignote toute la nuit depuis {semaines} semaines, impossible de
  dormir côté rue.
- L'éclairage public reste allumé en plein jour dans notre rue, quel gaspillage alors qu'on nous
  demande de faire des économies.
- Depuis qu'on coupe l'éclairage à {heure_soir}, je n'ose plus rentrer à pied du travail, je ne me
  sens pas en sécurité.
- J'ai signalé la panne du lampadaire {rue} il y a un mois et rien n'a bougé.
# question
- À quelle heure l'éclairage public est-il éteint la nuit à {commune} ?
- Qui faut-il prévenir quand un lampadaire est en panne, la mairie ou Enedis ?
- Est-il prévu de passer les lampadaires de la commune en LED ?
# suggestion
- On pourrait installer des lampadaires à détection de présence sur le chemin piéton qui mène à la
  gare.
- Il faudrait laisser l'éclairage public allumé plus tard le vendredi et le samedi soir dans le
  centre de {commune}.
- Un éclairage du passage piéton devant la salle des fêtes rendrait la sortie des spectacles plus
  sûre.
# testimony
- Depuis l'extinction de l'éclairage la nuit, on voit de nouveau les étoiles depuis le jardin, c'est
  un vrai plaisir.
- Ma fille rentre du lycée à pied l'hiver et la moitié du trajet n'est pas éclairée, je m'inquiète
  chaque soir.
- Les nouveaux lampadaires LED éclairent bien le trottoir et plus les chambres, c'est mieux
  qu'avant.
# thanks
- Merci pour la réparation très rapide du lampadaire {rue} : signalé lundi, réparé mardi.
- Merci à {agent} qui a pris le temps de nous expliquer les nouveaux horaires de l'éclairage public.
- Merci à l'équipe de l'éclairage pour les illuminations de fin d'année, elles étaient superbes.
# observation
- Tournée de nuit : {nb} lampadaires hors service {rue} à {commune}, dont un près du passage piéton.
- Armoire électrique de l'éclairage public ouverte et taguée au {numero} {rue}, porte à remplacer.
- Lampadaire masqué par les branches d'un arbre au {numero} {rue}, le trottoir reste dans le noir.
  Voir avec les espaces verts.
""",
    "proprete": """
# alert
- Des seringues ont été abandonnées près du bac à sable dans le {parc}, il faut intervenir vite.
- Un tag injurieux a été peint cette nuit sur le mur de {ecole}, les enfants vont le voir en
  arrivant.
- Des sacs d'ordures éventrés traînent sur tout le trottoir {rue}, les rats commencent à arriver.
- Une grosse flaque d'huile de vidange s'étale sur le parking de {commune}, ça glisse.
# complaint
- Les crottes de chien sur les trottoirs {rue} sont une honte, on ne peut pas marcher sans regarder
  ses pieds.
- Les feuilles mortes n'ont pas été ramassées {rue} depuis des semaines, c'est glissant et ça bouche
  les caniveaux.
- Le marché laisse la place sale tout l'après-midi, il y a des cagettes et des papiers partout
  jusqu'au soir.
- Les toilettes publiques de {commune} sont fermées ou dans un état lamentable la plupart du temps.
# question
- Comment faire enlever un tag sur le mur de ma maison ? Est-ce que c'est gratuit ?
- Est-ce que la balayeuse passe dans notre rue à {commune}, et à quelle fréquence ?
- Peut-on avoir des sacs pour ramasser les crottes de chien ? Il n'y a aucun distributeur dans le
  quartier.
# suggestion
- Il faudrait plus de corbeilles le long du chemin de promenade, les gens jettent leurs déchets dans
  l'herbe faute de mieux.
- Pourquoi ne pas organiser une journée de nettoyage citoyen avec les écoles au printemps ? On
  serait nombreux à venir.
- Des cendriers de rue devant les bars de la place éviteraient tous ces mégots par terre.
# testimony
- Je fais partie des bénévoles qui ramassent les déchets le long de la Lise chaque mois, on remplit
  toujours une dizaine de sacs.
- Mon quartier a beaucoup changé depuis que l'équipe de propreté passe le matin, c'est agréable de
  sortir.
- Les mégots et les canettes devant le lycée, c'est tous les jours pareil, les élèves ne savent pas
  où les jeter.
# thanks
- Merci à {agent} qui a nettoyé le tag sur notre façade le jour même, très professionnel.
- Merci aux agents de la propreté, la place était impeccable le lendemain de la fête de la musique.
- Bravo à l'équipe de nettoyage qui passe tôt le matin, le centre de {commune} n'a jamais été aussi
  propre.
# observation
- Tournée du matin : dépôt sauvage de cartons et d'un matelas au {numero} {rue}, enlevé, photos
  transmises à la police municipale.
- Corbeilles du {parc} pleines dès {heure} le week-end, un passage de nettoyage supplémentaire
  serait utile l'été.
- Tags récurrents sur l'abribus {rue} à {commune}, {nb}e nettoyage en deux mois.
- Beaucoup de crottes de chien autour du {parc}, les distributeurs de sacs sont vides.
""",
    "espaces-verts": """
# alert
- [mairies] Une grosse branche menace de tomber sur l'aire de jeux du {parc} depuis la tempête.
- Un arbre penche dangereusement au-dessus de la chaussée {rue} à {commune}, les racines sont
  sorties de terre.
- [mairies] Le portillon de l'aire de jeux du {parc} ne ferme plus, les petits peuvent sortir sur la
  rue.
- [agglo] Des motos roulent dans la tourbière près de {commune}, elles abîment tout l'espace naturel
  protégé.
- [agglo] Des dizaines de poissons morts flottent dans l'étang près de {commune} depuis {jour}.
# complaint
- [mairies] La haie communale {rue} déborde sur le trottoir, on doit marcher sur la route.
- [mairies] On a abattu les beaux tilleuls du {parc} sans aucune explication, les habitants sont
  choqués.
- L'herbe n'est plus tondue le long du chemin piéton, les enfants reviennent de l'école couverts de
  tiques.
- [mairies] Le souffleur de feuilles passe à {heure_matin} du matin sous nos fenêtres, c'est
  insupportable.
- [agglo] Le sentier de la Lise est impraticable depuis les crues, des arbres barrent le passage
  depuis {semaines} semaines.
# question
- [mairies] Comment avoir une parcelle dans les jardins partagés ? Je vis en appartement à
  {commune}.
- [mairies] Est-ce que la commune donne des plants ou des graines pour fleurir les pieds d'arbres
  devant chez soi ?
- [mairies] Qui dois-je contacter pour faire élaguer un arbre communal dont les branches touchent ma
  toiture ?
- [agglo] Les sorties nature avec le garde-animateur sont-elles ouvertes aux enfants de moins de six
  ans ?
- [agglo] Peut-on promener son chien en laisse sur les sentiers de l'espace naturel de la tourbière
  ?
# suggestion
- [mairies] Il manque de l'ombre sur l'aire de jeux du {parc}, quelques arbres ou une toile seraient
  bienvenus l'été.
- Pourquoi ne pas transformer les pelouses {rue} en prairies fleuries ? Moins de tonte, plus
  d'insectes.
- [mairies] Un point d'eau et des toilettes dans le {parc} rendraient service à toutes les familles.
- Il faudrait des panneaux pour expliquer pourquoi on laisse pousser l'herbe, beaucoup de gens
  croient que les espaces verts sont abandonnés.
# testimony
- [mairies] Le jardin partagé a changé ma vie de retraitée, je connais maintenant tous mes voisins.
- [mairies] Depuis qu'il n'y a plus de pesticides, on voit des hérissons dans le {parc}, mes
  petits-enfants sont ravis.
- [mairies] On vient au {parc} tous les mercredis avec les enfants, mais les jeux vieillissent et le
  sol souple est déchiré.
- [agglo] La sortie de découverte de la tourbière avec l'école a passionné ma fille, elle veut
  devenir garde nature.
# thanks
- [mairies] Merci à {agent} et à l'équipe des espaces verts pour les massifs fleuris de la place,
  c'est magnifique cette année.
- [agglo] Merci au garde-animateur pour la sortie nature à la tourbière, mes enfants en parlent
  encore.
- Merci pour l'élagage rapide de l'arbre qui touchait notre toit, travail soigné et chantier propre.
# observation
- [mairies] Lors de l'entretien du {parc}, constaté {nb} planches cassées sur le toboggan : aire de
  jeux à fermer en attendant la réparation.
- Chenilles processionnaires dans les pins {rue} à {commune}, nids visibles depuis le chemin.
  Prévoir un traitement et un affichage.
- [mairies] Arrosage automatique du rond-point de {commune} en panne, l'eau coule sur la chaussée
  depuis ce matin.
- [agglo] Tournée sur le sentier de la Lise : passerelle glissante et rambarde descellée à l'entrée
  de {commune}.
""",
    "mobilite": """
# alert
- [agglo] L'abribus de l'arrêt {arret} a la vitre brisée, il y a du verre partout et les enfants
  attendent le car là.
- [agglo] Le bus de la ligne {ligne} a grillé le feu rouge à {commune} ce matin et a failli
  renverser un piéton.
- Le passage piéton devant l'arrêt de bus {arret} n'est plus visible du tout, la peinture est
  effacée.
- [ville] Des trottinettes en libre-service sont abandonnées en travers du trottoir devant la gare,
  un monsieur aveugle a trébuché.
# complaint
- [agglo] Le bus de {heure_matin} de la ligne {ligne} n'est pas passé {nb} fois cette semaine, mon
  fils arrive en retard au lycée.
- [agglo] Le transport à la demande doit être réservé la veille avant midi, c'est impossible pour un
  rendez-vous médical imprévu.
- [agglo] Le chauffeur a refusé de déployer la rampe pour mon fauteuil à l'arrêt {arret}, j'ai dû
  attendre le bus suivant.
- [agglo] Il n'y a plus aucun bus après {heure_soir} pour rentrer à {commune}, quand on travaille en
  horaires décalés on est coincés.
- [agglo] Le prix de l'abonnement Lisébus a encore augmenté alors que les bus sont toujours en
  retard.
- [ville] Il n'y a plus aucune place de stationnement près du marché le samedi, les voitures
  ventouses restent garées des semaines.
# question
- [agglo] Est-ce que l'abonnement de bus Lisébus est gratuit pour les demandeurs d'emploi ?
- [agglo] Comment louer un vélo à assistance électrique pour plusieurs mois ?
- [agglo] Le transport à la demande passe-t-il par {commune} le samedi ?
- [agglo] Mon fils entre au collège, comment l'inscrire au transport scolaire et combien ça coûte ?
- Où peut-on garer son vélo en sécurité près de la gare de Montlise ?
# suggestion
- [agglo] Il faudrait un bus direct entre {commune} et la zone d'activités, la moitié des salariés y
  vont en voiture faute de mieux.
- [agglo] Ce serait bien d'afficher les horaires des bus en temps réel à l'arrêt {arret}, on ne sait
  jamais si le bus est passé.
- Un garage à vélos sécurisé près de la gare encouragerait beaucoup de gens à laisser la voiture.
- Pourquoi ne pas créer une ligne de covoiturage entre les villages et Montlise avec des arrêts
  identifiés ?
# testimony
- [agglo] Sans le transport à la demande, je ne pourrais plus aller faire mes courses depuis que
  j'ai arrêté de conduire.
- [agglo] J'ai loué un vélo électrique à l'agglo pendant trois mois et je l'ai finalement acheté, je
  ne prends plus la voiture.
- Je mets une heure et demie pour aller travailler à Montlise en transports en commun depuis
  {commune}, contre vingt minutes en voiture.
# thanks
- [agglo] Merci au chauffeur de la ligne {ligne} qui m'a attendue ce matin alors que je courais avec
  ma poussette.
- [agglo] Merci à {agent} de l'agence de mobilité pour son aide pour l'abonnement de bus de ma
  fille, d'une grande patience.
- Merci pour les nouveaux arceaux à vélos devant la médiathèque, ils sont déjà tous utilisés.
# observation
- [agglo] Arrêt {arret} : poteau d'information tombé, horaires de bus illisibles. Plusieurs usagers
  ne savaient pas où attendre.
- [agglo] Au guichet de l'agence de mobilité, beaucoup de questions cette semaine sur les nouveaux
  horaires de la ligne {ligne}, la fiche horaire papier manque.
- Stationnement gênant chaque matin devant {ecole}, les cars scolaires ne peuvent pas manœuvrer.
- [ville] Bandes cyclables effacées {rue}, les voitures se garent dessus et les vélos roulent au
  milieu de la circulation.
""",
    "enfance-ecoles": """
# alert
- [mairies] Le portail de {ecole} reste ouvert pendant la classe, n'importe qui peut entrer dans la
  cour.
- [mairies] Il fait plus de 30 degrés dans la classe de ma fille à {ecole}, les enfants ont mal à la
  tête tous les après-midi.
- [mairies] Des voitures se garent sur le passage piéton devant {ecole} à l'heure de la sortie, un
  enfant a failli être renversé.
- [dept] Une voisine laisse souvent ses deux jeunes enfants seuls le soir, je suis inquiète et je ne
  sais pas à qui en parler.
- [dept] Mon bébé de {age_enfant} ne prend presque plus de poids et je n'arrive pas à avoir de
  rendez-vous chez le pédiatre avant trois mois.
# complaint
- [mairies] Le menu de la cantine a changé sans prévenir et mon fils, qui est allergique, a failli
  manger des arachides.
- [mairies] Les inscriptions au périscolaire se font uniquement en ligne et le site plantait le
  premier jour, toutes les places sont parties.
- [mairies] La facture de cantine du mois de {mois} compte des repas alors que mon fils était malade
  et que j'avais prévenu l'école.
- [dept] La consultation de PMI de {commune} a été supprimée, il faut maintenant aller à Montlise et
  je n'ai pas de voiture.
- Trouver une place en crèche relève du miracle, ça fait {mois_n} mois qu'on est sur liste d'attente
  pour notre bébé.
# question
- [mairies] Comment inscrire mon fils à l'école en petite section pour la rentrée ? Quels papiers
  faut-il apporter ?
- [mairies] Est-ce que le centre de loisirs est ouvert pendant les petites vacances scolaires ?
- [mairies] Peut-on payer la cantine en plusieurs fois ? Le mois de septembre est très lourd pour
  nous.
- [dept] Où peut-on faire vacciner son bébé gratuitement ? On m'a parlé de la PMI.
- [dept] Comment obtenir l'agrément pour devenir assistante maternelle ?
- Existe-t-il un relais petite enfance pour trouver une assistante maternelle à {commune} ?
# suggestion
- [mairies] Il faudrait une rue scolaire fermée aux voitures devant {ecole} aux heures d'entrée et
  de sortie des enfants.
- [mairies] Pourquoi ne pas proposer un repas végétarien au choix tous les jours à la cantine de
  l'école ?
- [dept] Des consultations de PMI le samedi matin aideraient beaucoup les parents qui travaillent.
- Un lieu d'accueil parents-enfants à {commune} permettrait aux jeunes mamans isolées de se
  rencontrer.
# testimony
- [mairies] Mon fils a adoré le séjour organisé par le centre de loisirs, il est revenu plein
  d'histoires et de copains.
- [dept] La puéricultrice de la PMI est venue à la maison après la naissance de mon bébé, ça m'a
  beaucoup rassurée.
- [mairies] Je suis maman seule avec trois enfants, sans le périscolaire je ne pourrais pas garder
  mon travail.
- Avec les horaires de la crèche, je quitte le travail en courant tous les soirs pour récupérer mon
  enfant, on n'a aucune marge.
# thanks
- [mairies] Merci à toute l'équipe de {ecole} pour la kermesse, une très belle journée pour les
  enfants.
- [mairies] Merci à {agent} pour l'inscription scolaire de ma fille, tout a été réglé en dix
  minutes.
- [dept] Merci au médecin et à la puéricultrice de la PMI pour leur écoute, je me suis sentie moins
  seule avec mon bébé.
# observation
- [mairies] Sortie de {ecole} : stationnement en double file tous les soirs, les enfants traversent
  entre les voitures.
- [mairies] Plusieurs parents venus à l'accueil ce mois-ci ne savaient pas que l'inscription au
  périscolaire se fait avant la fin juin.
- [dept] Consultation de PMI de ce jeudi : salle d'attente pleine dès 8 h 30, {nb} familles avec
  enfants renvoyées faute de créneau.
- [dept] Plusieurs familles rencontrées ne connaissent pas les consultations gratuites de la PMI
  pour les enfants, il faudrait mieux les faire connaître.
""",
    "action-sociale": """
# alert
- Un monsieur âgé dort dans sa voiture sur le parking de {commune} depuis une semaine, il a l'air
  malade.
- Ma voisine de {age_senior} ans ne sort plus de chez elle, ses volets restent fermés et elle ne
  répond plus au téléphone.
- Une famille avec deux enfants dort dans le hall de la gare depuis {jour}, il fait très froid la
  nuit.
- Je n'ai plus rien à manger pour mes enfants jusqu'à la fin du mois, je ne sais pas vers qui me
  tourner pour une aide alimentaire.
- [ccas dept] Mon électricité va être coupée dans {jours} jours pour une facture impayée de
  {montant}, j'ai deux enfants en bas âge.
# complaint
- J'ai déposé mon dossier d'aide sociale il y a {semaines} semaines et personne ne me rappelle, on
  me dit juste d'attendre.
- On m'a demandé {nb} fois les mêmes papiers pour mon dossier d'aide, à chaque fois on me dit qu'il
  manque quelque chose.
- [dept] Le renouvellement de l'APA de ma mère est bloqué depuis {mois_n} mois, nous avançons les
  frais d'aide à domicile.
- Il faut prendre rendez-vous avec l'assistante sociale par téléphone, mais on n'arrive jamais à
  joindre quelqu'un le matin.
- [ccas] L'accueil du CCAS est fermé le mercredi après-midi, c'est le seul moment où je peux venir
  avec mes enfants.
# question
- [ccas] Comment obtenir une domiciliation ? Je n'ai plus d'adresse depuis que j'ai quitté mon
  logement.
- À quelles aides ai-je droit pour payer ma facture de chauffage ? Je vis seule avec une petite
  retraite.
- [dept] Comment faire une demande d'APA pour mon père qui ne peut plus se laver seul ?
- [dept] Mon RSA a été suspendu, qu'est-ce que je dois faire pour le récupérer ?
- [ccas] L'épicerie solidaire est-elle accessible aux étudiants ?
- Existe-t-il un service de portage de repas à domicile pour les personnes âgées à {commune} ?
# suggestion
- Il faudrait une permanence sociale dans les villages, au moins une fois par mois : tout le monde
  n'a pas de voiture pour aller à Montlise.
- Un seul dossier pour toutes les aides, ce serait tellement plus simple que de raconter sa vie à
  chaque guichet.
- [ccas] Pourquoi ne pas ouvrir une bagagerie pour les personnes à la rue ? Elles doivent porter
  toutes leurs affaires toute la journée.
- Des ateliers pour apprendre à faire un budget seraient utiles, beaucoup de jeunes ne savent pas
  gérer un loyer.
# testimony
- Après mon divorce je me suis retrouvée sans rien, c'est l'assistante sociale qui m'a aidée à
  remonter la pente.
- [ccas] Je ne demandais rien parce que j'avais honte, c'est l'équipe de la maraude qui est venue
  vers moi.
- Je touche le minimum vieillesse et après le loyer il me reste {montant} pour le mois, je fais
  attention à tout.
- Je suis l'aidant de ma femme depuis {nb} ans, je ne dors plus, personne ne m'avait parlé du droit
  au répit.
# thanks
- Merci à {agent} pour son écoute et sa patience, je suis sortie du rendez-vous avec des solutions
  pour mes aides.
- [ccas] Merci à l'équipe mobile qui ne m'a pas lâché pendant toute la procédure, j'ai enfin
  retrouvé mes droits.
- Je voulais remercier l'assistante sociale qui a trouvé une aide en urgence pour mon loyer.
# observation
- [ccas] Maraude du mardi : {nb} personnes rencontrées sous le pont de la Lise, dont une femme seule
  qui refuse l'hébergement d'urgence.
- De plus en plus de retraités viennent demander une aide pour leurs factures d'énergie depuis cet
  hiver.
- Plusieurs personnes reçues cette semaine ne savaient pas qu'elles avaient droit à la
  complémentaire santé solidaire ou à une aide sociale.
- [dept] Visite à domicile à {commune} : personne âgée isolée, logement non chauffé, pas de famille
  proche. Évaluation APA à déclencher.
""",
    "logement": """
# alert
- J'ai reçu le commandement de quitter mon logement, l'expulsion est prévue dans {jours} jours et je
  ne sais pas où aller avec mes enfants.
- Il y a de la moisissure partout dans l'appartement, mon fils de {age_enfant} fait des crises
  d'asthme et le propriétaire ne fait rien.
- Le chauffage collectif de notre immeuble est en panne depuis {jour}, il fait 14 degrés dans le
  logement.
- Une famille avec des enfants vit dans un garage sans fenêtre {rue} à {commune}.
# complaint
- Ça fait {nb} ans que j'attends un logement social, on me dit toujours que mon dossier est en
  cours.
- Le bailleur ne répond jamais pour les réparations, l'ascenseur de l'immeuble est en panne depuis
  {semaines} semaines et j'habite au cinquième étage.
- [caf] Mon aide au logement a été suspendue sans explication et mon propriétaire menace de me
  mettre dehors.
- On m'a refusé un logement social parce que mes revenus étaient trop faibles, alors que c'est
  justement pour ça que j'en ai besoin.
# question
- Comment faire un recours DALO ? Ma demande de logement social n'a reçu aucune proposition depuis
  trois ans.
- [caf] Ai-je droit à l'APL si je loue une chambre chez un particulier ?
- Qui peut m'aider à remplir la demande de logement social ? Le formulaire en ligne est trop
  compliqué pour moi.
- Mon propriétaire refuse de me rendre ma caution, est-ce que quelqu'un peut m'accompagner pour
  récupérer ce dépôt de garantie ?
# suggestion
- Il faudrait une bourse d'échange de logements sociaux : nous sommes deux dans un T4 alors qu'une
  famille voisine s'entasse dans un T2.
- Des permanences logement le soir permettraient aux gens qui travaillent de se faire aider.
- [agglo] Les habitants des Tisserands aimeraient être associés au projet de rénovation de leurs
  immeubles, pas seulement informés.
# testimony
- J'ai dormi {mois_n} mois dans ma voiture avant d'obtenir un logement passerelle, aujourd'hui j'ai
  enfin mes clés.
- Avec l'association, on a négocié un plan d'apurement avec le bailleur et on a pu rester dans notre
  logement.
- On vit à cinq dans un deux-pièces, les enfants font leurs devoirs dans la cuisine.
# thanks
- Merci à {agent} pour l'accompagnement pendant toute la procédure, sans cette aide nous serions à
  la rue.
- Merci à l'équipe pour l'aide au recours DALO, nous avons reçu une proposition de logement.
- Merci pour la médiation avec notre propriétaire, les travaux ont enfin été faits dans le logement.
# observation
- Visite à domicile à {commune} : logement très humide, fenêtres qui ne ferment plus, signalement
  d'insalubrité à faire.
- Permanence logement de ce mois : {nb} ménages reçus pour des impayés de loyer après une baisse de
  leur aide au logement.
- Squat occupé par {nb} personnes dans l'ancienne usine de {commune}, dont des mineurs. À signaler
  au 115 et à l'équipe mobile.
- [agglo] Réunion de locataires aux Tisserands : forte colère sur les charges de chauffage,
  plusieurs parlent de ne plus payer le loyer.
""",
    "demarches": """
# alert
- [pref agglo] Mon récépissé de titre de séjour expire dans {jours} jours et je n'ai toujours pas de
  rendez-vous, je risque de perdre mon travail.
- Le site de prise de rendez-vous affiche un message d'erreur depuis {jour}, impossible de réserver
  un créneau pour ma démarche.
- [mairies agglo] J'ai un examen dans {jours} jours et ma carte d'identité a été volée, je ne trouve
  aucun rendez-vous pour la refaire.
- [mairies] Il y a une erreur dans l'orthographe de mon nom sur l'acte de naissance de mon fils, ça
  bloque toutes les démarches.
# complaint
- J'ai attendu {minutes} minutes debout à l'accueil, il n'y avait qu'un seul guichet ouvert.
- [mairies agglo] Le délai pour une carte d'identité est de {semaines} semaines, c'est beaucoup
  trop, on ne peut pas partir en vacances.
- [pref agglo] Tout se fait sur internet pour la carte grise, mais quand ça bloque il n'y a personne
  pour vous répondre.
- [pref] On m'a demandé un document que je n'ai jamais reçu, mon dossier de naturalisation est
  bloqué depuis {mois_n} mois.
- Les horaires d'ouverture de l'accueil ne sont pas adaptés aux gens qui travaillent, il faudrait
  ouvrir le samedi matin.
- [poste mairies] Pour faire ma procuration de vote, on m'a renvoyé de la gendarmerie au bureau de
  poste puis à la mairie, personne ne savait.
# question
- [mairies agglo] Quels documents faut-il apporter pour renouveler le passeport d'un enfant mineur ?
- [mairies] Comment obtenir une copie intégrale de mon acte de mariage ? Je me suis marié à
  {commune} en {annee}.
- [pref agglo] Où en est ma demande de titre de séjour ? J'ai déposé le dossier il y a {mois_n}
  mois.
- [pref agglo] Comment faire la carte grise d'une voiture achetée à un particulier ? Je n'ai pas
  d'ordinateur.
- [mairies] Comment s'inscrire sur les listes électorales quand on vient d'emménager ?
- [poste mairies] Peut-on faire une procuration de vote en ligne ou faut-il se déplacer ?
- Faut-il prendre rendez-vous ou peut-on venir directement à l'accueil ? Je ne trouve pas
  l'information sur le site.
# suggestion
- Il faudrait un écran qui indique le temps d'attente à l'accueil, on ne sait jamais si on a le
  temps d'aller se garer.
- [mairies agglo] Pourquoi ne pas réserver des créneaux de carte d'identité et de passeport pour les
  urgences (examens, voyages pour un décès) ?
- Un SMS de rappel la veille du rendez-vous éviterait beaucoup de rendez-vous perdus.
- [agglo] Des permanences du bus France services le samedi matin aideraient ceux qui travaillent en
  semaine à faire leurs démarches.
# testimony
- Je ne sais pas bien lire et toutes les démarches sont sur internet maintenant, sans l'aide de
  l'agent d'accueil je n'y arriverais pas.
- [pref] Ça fait {nb} ans que je vis ici et chaque renouvellement de titre de séjour est une
  angoisse, on a peur de perdre son travail.
- Je suis venue trois fois à l'accueil pour le même dossier parce qu'à chaque fois il manquait un
  papier qu'on ne m'avait pas demandé.
# thanks
- Merci à {agent} qui m'a aidé à faire ma démarche en ligne, je n'aurais jamais réussi seul.
- [mairies] Merci à l'équipe de l'état civil pour l'organisation de notre mariage, tout était
  parfait.
- [agglo] Merci au bus France services qui passe à {commune}, ça m'a évité un déplacement à Montlise
  pour mes papiers.
# observation
- Ce mois-ci, {n10} personnes venues à l'accueil pour une carte grise sans savoir que la démarche se
  fait en ligne, beaucoup sans ordinateur.
- [mairies] Rendez-vous de cartes d'identité complets jusqu'à la fin du mois, {nb} demandes urgentes
  refusées cette semaine.
- [agglo] Tournée du bus à {commune} : file d'attente dès l'ouverture, {nb} personnes reparties sans
  avoir été reçues pour leurs démarches.
- Beaucoup d'usagers âgés ne savent pas utiliser FranceConnect, on passe beaucoup de temps à
  l'accueil à créer des comptes.
- [poste] Afflux de demandes de procuration de vote à l'approche des élections, le guichet est
  débordé en fin de journée.
""",
    "sante": """
# alert
- Mes droits à la complémentaire santé ont été coupés alors que je suis en plein traitement contre
  le cancer, je dois avancer tous les frais.
- Ma carte Vitale a été désactivée sans explication et la pharmacie refuse de me donner mes
  médicaments sans payer.
- Je n'ai plus de médecin traitant depuis son départ à la retraite, et aucun médecin de {commune} ne
  prend de nouveaux patients. Mon diabète n'est plus suivi.
- Mes indemnités journalières d'arrêt maladie ne sont pas versées depuis {semaines} semaines, je
  n'ai plus de quoi payer mon loyer.
# complaint
- Ça fait {semaines} semaines que j'attends le remboursement de mes soins dentaires, personne ne
  répond au téléphone.
- Pour avoir un rendez-vous à l'accueil de l'assurance maladie il faut passer par internet, mais je
  n'ai pas internet.
- On m'a envoyé trois courriers contradictoires sur mes indemnités journalières, je ne comprends
  plus rien.
- L'accueil de la CPAM n'est ouvert que l'après-midi sur rendez-vous : pour une simple question, il
  faut revenir deux fois.
# question
- Comment demander une nouvelle carte Vitale ? J'ai perdu la mienne.
- Ai-je droit à la complémentaire santé solidaire avec une pension d'invalidité ?
- Comment déclarer un médecin traitant quand aucun ne veut m'accepter ?
- Mon enfant a {age_jeune} ans, faut-il lui faire une carte Vitale à son nom ?
- Comment me faire rembourser des soins médicaux faits à l'étranger pendant les vacances ?
# suggestion
- Il faudrait un bus de prévention santé qui passe dans les villages pour les dépistages, tout le
  monde ne peut pas aller à Montlise.
- [cpam] Une permanence de l'assurance maladie à la Maison France services le samedi rendrait
  service aux actifs.
- Des courriers de remboursement plus simples, avec le montant et la date de paiement en haut de la
  page, éviteraient beaucoup d'appels.
# testimony
- Depuis que j'ai la complémentaire santé solidaire, je peux enfin me faire soigner les dents.
- J'ai mis six mois à trouver un médecin traitant en arrivant à {commune}, en attendant j'allais aux
  urgences.
- Entre mon arrêt maladie et la reprise à mi-temps thérapeutique, j'ai passé des heures au téléphone
  pour comprendre mes droits.
# thanks
- Merci à {agent} qui a débloqué mon dossier d'indemnités journalières en une matinée, j'étais
  désespérée.
- Merci à la conseillère de l'assurance maladie pour son aide pour ma complémentaire santé
  solidaire.
- Merci pour l'accueil très humain lors de mon rendez-vous sur mes droits santé après le décès de
  mon mari.
# observation
- Beaucoup de personnes âgées ne savent pas que leur attestation de droits à l'assurance maladie est
  disponible sur le compte en ligne.
- Cette semaine, {nb} assurés reçus pour des indemnités journalières en retard, tous après un
  changement d'employeur.
- Beaucoup d'usagers de {commune} viennent parce qu'ils n'ont plus de médecin traitant, il faudrait
  une réponse collective.
- Lors de la permanence du bus à {commune}, plusieurs personnes sans droits à l'assurance maladie
  depuis des mois, sans le savoir.
""",
    "emploi": """
# alert
- Mon allocation chômage n'a pas été versée ce mois-ci et je ne sais pas pourquoi, je n'ai plus rien
  pour payer le loyer.
- J'ai été radié de France Travail parce que je n'ai pas reçu la convocation, elle a été envoyée à
  mon ancienne adresse.
- On me demande de rembourser un trop-perçu d'allocation chômage de {montant} que je n'ai pas les
  moyens de payer d'un coup.
- [dept] Mon RSA est suspendu parce que j'ai manqué un rendez-vous d'insertion, j'étais à l'hôpital
  ce jour-là.
# complaint
- Je n'ai vu mon conseiller emploi qu'une seule fois en {mois_n} mois, on me propose des offres qui
  n'ont rien à voir avec mon métier.
- Le numéro de téléphone de France Travail est toujours saturé, j'ai appelé {nb} fois ce matin sans
  réussir à parler à quelqu'un.
- On m'oblige à suivre un atelier CV alors que j'ai déjà un CV et que je cherche surtout une
  formation.
- Il faut une voiture pour tous les emplois proposés, mais sans travail je ne peux pas payer le
  permis.
# question
- Comment financer le permis de conduire quand on est demandeur d'emploi ?
- Est-ce que je garde mes allocations chômage si je fais une formation de {mois_n} mois ?
- Je viens d'être licencié, dans quel délai dois-je m'inscrire comme demandeur d'emploi ?
- [dept] Mon conseiller RSA a changé, qui dois-je contacter maintenant pour mon contrat d'engagement
  ?
- Existe-t-il des aides pour créer son entreprise quand on est au chômage ?
# suggestion
- Il faudrait des permanences emploi dans le bus itinérant, pour ceux qui vivent loin de Montlise.
- Des ateliers pour se préparer aux entretiens d'embauche en visio seraient utiles, c'est devenu la
  norme.
- Pourquoi ne pas organiser un forum de l'emploi à {commune} avec les entreprises du coin ?
# testimony
- Après {nb} ans de chômage, la formation de cariste m'a permis de retrouver un emploi en CDI.
- À 58 ans, on me fait comprendre que je suis trop vieux pour retrouver un emploi, malgré trente ans
  d'expérience.
- Je suis mère seule : sans solution de garde, je ne peux pas accepter les horaires des emplois de
  la grande distribution.
# thanks
- Merci à {agent}, qui a cru en mon projet de reconversion et m'a aidé à monter le dossier de
  formation.
- Merci à l'équipe pour l'atelier sur les entretiens d'embauche, j'ai été embauché la semaine
  suivante.
- Merci au conseiller emploi qui m'a rappelé le soir même pour régler mon problème d'indemnisation.
# observation
- Atelier emploi de ce matin : {nb} participants sur {n10} inscrits, beaucoup n'ont pas de moyen de
  transport pour venir à Montlise.
- Plusieurs demandeurs d'emploi de {commune} reçus cette semaine n'arrivent plus à se connecter à
  leur espace personnel.
- Les entreprises de la zone artisanale peinent à recruter des caristes alors que des candidats
  formés sont inscrits : à rapprocher.
- [dept] Entretiens d'insertion RSA de la semaine : {nb} allocataires sans mutuelle ni médecin
  traitant, orientation santé à prévoir.
""",
    "prestations-familiales": """
# alert
- La CAF me réclame {montant} de trop-perçu et a suspendu toutes mes allocations, je suis seule avec
  trois enfants.
- Mes allocations familiales n'ont pas été versées ce mois-ci et personne ne sait me dire pourquoi.
- Depuis la séparation, mon ex-conjoint ne verse plus la pension alimentaire, je n'ai plus de quoi
  nourrir les enfants.
- Mon compte CAF est bloqué après un contrôle et je ne touche plus aucune prestation depuis
  {semaines} semaines.
# complaint
- J'ai envoyé {nb} fois les mêmes justificatifs à la CAF, à chaque fois on me dit qu'ils n'ont pas
  été reçus.
- Le délai de traitement de ma demande de prime d'activité est de {semaines} semaines, c'est trop
  long.
- Au téléphone la CAF me dit d'aller à l'accueil, à l'accueil on me dit de tout faire sur internet.
- Le simulateur des allocations m'annonçait une aide et au final je n'ai rien eu, sans explication.
# question
- Ai-je droit à la prime d'activité en travaillant à mi-temps ?
- Comment déclarer la naissance de mon bébé à la CAF ?
- Mon fils a {age_jeune} ans et a trouvé un job d'été, est-ce que ça change nos allocations
  familiales ?
- Que faut-il faire auprès de la CAF quand on se sépare ?
- Comment obtenir une attestation de paiement de la CAF pour mon dossier de logement ?
# suggestion
- Il faudrait pouvoir prendre rendez-vous avec la CAF au bus itinérant, plutôt que d'aller à
  Montlise.
- Un courrier qui explique le calcul des allocations, avec les revenus retenus, éviterait beaucoup
  d'incompréhensions.
- Des ateliers pour apprendre à faire sa déclaration trimestrielle en ligne aideraient beaucoup
  d'allocataires.
# testimony
- Avant de venir ici, je ne savais pas que j'avais droit à la prime d'activité depuis deux ans.
- Avec les allocations familiales je m'en sors juste, mais au moindre retard de versement c'est le
  découvert.
- [caf] La travailleuse sociale de la CAF m'a accompagnée après le décès de mon mari, je ne savais
  pas que ça existait.
# thanks
- Merci à {agent} pour son aide sur ma déclaration trimestrielle, mon dossier d'allocations est
  enfin en ordre.
- Merci à la CAF pour le traitement rapide de mon dossier après la naissance de mon fils.
- [agglo] Merci à la conseillère du bus France services qui m'a aidée à faire ma demande de prime
  d'activité.
# observation
- Beaucoup d'allocataires reçus ce mois-ci ne comprennent pas le nouveau calcul des aides au
  logement, le courrier de la CAF est trop technique.
- Cette semaine, {nb} familles reçues pour une demande de remboursement de trop-perçu d'allocations,
  souvent après un changement de situation déclaré tard.
- À la permanence du bus à {commune}, la moitié des questions concernent la CAF, souvent des
  identifiants perdus.
- Les allocataires arrivent au guichet avec des courriers de relance de la CAF qu'ils n'ont pas
  compris, il faudrait les simplifier.
""",
    "vie-locale": """
# alert
- Des jeunes font des rodéos à moto sur le parking du gymnase tous les soirs vers {heure_soir},
  c'est dangereux.
- Le toit de la salle des fêtes fuit, il pleut sur la scène juste avant le spectacle de l'école de
  musique.
- Le terrain de foot de {commune} est inondé et les vestiaires du stade ont été vandalisés ce
  week-end.
# complaint
- La médiathèque est fermée le samedi après-midi, le seul moment où les familles peuvent y aller.
- Le tarif de location de la salle communale a augmenté de {montant}, les associations ne peuvent
  plus suivre.
- Le bruit des concerts de l'été sur la place a duré jusqu'à 2 h du matin, sans aucune information
  préalable aux riverains.
- Les créneaux du gymnase sont toujours donnés aux mêmes clubs de sport, notre association n'a
  jamais de place.
# question
- Comment réserver la salle des fêtes pour un anniversaire ? Quels sont les tarifs pour les
  habitants ?
- [ville] Comment participer au conseil de quartier ? Je viens d'arriver et j'aimerais m'impliquer.
- [ville] Quand ouvriront les votes du budget participatif cette année ?
- Est-ce que la commune aide à payer les licences sportives des enfants des familles modestes ?
# suggestion
- [ville] Un terrain de basket dans le quartier {quartier} donnerait un endroit aux ados, ils n'ont
  rien pour se retrouver.
- Un city-stade à {commune} donnerait aux ados un endroit pour faire du sport et se retrouver.
- Pourquoi ne pas organiser une fête des voisins dans chaque quartier avec le soutien de la mairie ?
- La médiathèque pourrait prêter des jeux de société et des outils de bricolage, comme une
  grainothèque.
- Il faudrait un marché de producteurs le vendredi soir à {commune}, pour ceux qui travaillent.
- [ville] Je propose pour le budget participatif des jardinières partagées {rue}, les habitants sont
  prêts à s'en occuper.
# testimony
- [ville agglo] Le conseil de quartier m'a permis de rencontrer des voisins que je croisais depuis
  dix ans sans leur parler.
- Depuis la fermeture du café, il n'y a plus aucun lieu de rencontre à {commune}, les anciens sont
  très seuls.
- [ville] Notre projet de boîte à livres a été retenu au budget participatif, les enfants du
  quartier l'ont peinte eux-mêmes.
# thanks
- Merci à {agent} et à toute l'équipe pour l'organisation de la fête de quartier, une réussite.
- Merci à la mairie pour le prêt du matériel pour notre vide-grenier associatif, tout s'est très
  bien passé.
- [ville agglo] Merci pour la balade urbaine de samedi, c'était passionnant de découvrir l'histoire
  du quartier.
# observation
- [ville] Balade urbaine dans le quartier {quartier} : les habitants demandent surtout des bancs et
  de l'ombre sur le chemin du marché.
- Atelier du conseil de quartier : {n10} participants, beaucoup de retraités, presque pas de jeunes
  ni de familles.
- Salle des fêtes de {commune} : issue de secours encombrée par du matériel d'association, à dégager
  avant la prochaine location.
- Plusieurs associations demandent à l'accueil comment obtenir une subvention, l'information n'est
  pas en ligne.
""",
    "courrier-numerique": """
# alert
- [poste] Mon courrier n'est plus distribué depuis {jours} jours {rue} à {commune}, j'attends un
  document important du tribunal.
- [poste] Un colis a été déposé devant ma porte sans signature et il a été volé, c'était un
  traitement médical.
- Ma boîte aux lettres a été forcée et j'ai reçu un SMS suspect qui me demande de payer des frais de
  livraison d'un colis, est-ce une arnaque ?
- [agglo] L'ordinateur en libre-service de la Maison France services est en panne depuis {jour}, je
  devais déclarer mes revenus en ligne avant ce soir.
# complaint
- [poste] Le bureau de poste ferme à midi le samedi, avec mes horaires de travail je ne peux jamais
  retirer mes colis.
- [poste] J'ai attendu {minutes} minutes au bureau de poste pour un recommandé, un seul guichet
  ouvert et l'automate en panne.
- [poste] On m'a laissé un avis de passage pour mon colis alors que j'étais chez moi toute la
  journée.
- Tout se fait en ligne maintenant et je n'ai ni ordinateur ni smartphone, on me laisse sur le bord
  de la route.
# question
- [poste] Comment faire suivre mon courrier pendant mon déménagement à {commune} ?
- [poste] Peut-on ouvrir un compte bancaire à la Poste quand on est hébergé chez un tiers ?
- Où puis-je me faire aider pour créer une adresse mail et un compte sur les sites administratifs en
  ligne ?
- Existe-t-il des ateliers numériques pour apprendre à se servir d'une tablette ?
# suggestion
- [poste] Un point relais colis dans le village éviterait d'aller à Montlise pour chaque colis.
- Il faudrait un ordinateur en libre-service avec une imprimante et un scanner pour les démarches en
  ligne.
- Des ateliers numériques pour les seniors le matin, en petits groupes, seraient les bienvenus.
# testimony
- [poste] Le facteur est le seul à qui je parle certains jours, depuis que je vis seule à {commune}.
- Mon fils habite loin et c'est lui qui faisait toutes mes démarches en ligne, maintenant j'apprends
  grâce aux ateliers numériques.
- J'ai perdu mes droits pendant trois mois parce que je n'arrivais pas à me connecter en ligne,
  personne ne m'avait dit où trouver de l'aide.
# thanks
- [poste] Merci à {agent} du guichet pour sa gentillesse et sa patience avec les personnes âgées.
- Merci au conseiller numérique qui m'a appris à scanner mes documents avec mon téléphone.
- [poste] Merci au facteur de {commune} qui a prévenu les secours quand ma mère a fait un malaise.
# observation
- Beaucoup d'usagers viennent pour imprimer des documents administratifs, nous n'avons pas
  d'imprimante en libre accès.
- Atelier numérique de ce mois : {nb} personnes sur liste d'attente, la demande dépasse l'offre.
- [poste] Plusieurs personnes âgées de {commune} ont reçu le même SMS frauduleux sur un faux colis
  cette semaine, à relayer en prévention.
""",
}

# Thanks that fit any theme.
_GENERIC_THANKS_TEXT = """
# thanks
- Merci à {agent} pour son accueil et ses explications claires, tout est devenu plus simple.
- Je tenais à remercier {agent}, qui a pris le temps de m'écouter alors que j'arrivais très en
  colère.
- Merci à toute l'équipe pour la réponse rapide et claire à ma demande.
- Un grand merci à {agent}, toujours disponible et de bonne humeur, c'est précieux.
- Merci d'avoir pris ma remarque au sérieux, ça fait plaisir de voir que ça sert à quelque chose.
- Merci pour votre rappel si rapide, je ne m'attendais pas à une réponse le jour même.
- Bravo à {agent} et à ses collègues pour leur professionnalisme et leur gentillesse.
"""

# Answers of the services: "fix" for alerts and complaints, "info" for questions, "idea" for
# suggestions. A theme answer is used when it shares words with the voice (see
# _matching_answers), a generic one below otherwise.
_ANSWERS_TEXT: dict[str, str] = {
    "eau-assainissement": """
# fix
- Bonjour, un technicien du service de l'eau s'est rendu sur place {delai} : la réparation a été
  faite et le réseau remis en service. Si vous constatez encore une anomalie, appelez le {phone}.
- Bonjour, nous avons vérifié votre dossier et votre compteur. Une erreur de relevé explique le
  montant de votre facture : une facture rectificative vous sera adressée dans les {delai_jours}
  jours.
- Bonjour, des prélèvements ont été faits sur le réseau de votre secteur : les résultats sont
  conformes et l'eau est parfaitement potable. Le goût de chlore vient d'un renforcement temporaire
  de la désinfection après des travaux.
# info
- Bonjour, vous pouvez opter pour la mensualisation depuis votre espace abonné ou en renvoyant le
  formulaire joint à votre facture avec un RIB. Elle démarrera à la facture suivante.
- Bonjour, les résultats des analyses de l'eau sont affichés en mairie et publiés chaque mois sur le
  site de l'agglomération. L'eau du territoire est moyennement calcaire : un adoucisseur n'est pas
  nécessaire.
- Bonjour, la partie du branchement située avant le compteur est à la charge du service de l'eau :
  la réparation ne vous sera pas facturée. Au-delà du compteur, elle relève du propriétaire.
# idea
- Bonjour, merci pour votre idée. L'alerte par SMS des coupures programmées sera proposée à tous les
  abonnés d'ici la fin de l'année ; vous pourrez vous inscrire depuis votre espace abonné.
""",
    "dechets": """
# fix
- Bonjour, après vérification auprès de l'équipe de collecte, votre rue a été oubliée lors de la
  tournée. Un passage de rattrapage a été effectué {delai} et le chef d'équipe a été informé.
- Bonjour, un vidage supplémentaire des corbeilles et des conteneurs a été ajouté le dimanche soir
  jusqu'à la fin de l'été.
- Bonjour, le dépôt sauvage a été enlevé {delai} par nos équipes. Une enquête est en cours pour en
  identifier l'auteur, qui s'expose à une amende.
# info
- Bonjour, les composteurs sont distribués gratuitement lors d'un atelier d'une heure, organisé
  chaque mois. Vous pouvez vous inscrire auprès du service au {phone}.
- Bonjour, depuis l'extension des consignes de tri, tous les emballages vont dans le bac jaune, y
  compris les pots de yaourt et les films plastiques. Pour les encombrants, un enlèvement à domicile
  est possible sur rendez-vous pour les personnes sans véhicule.
# idea
- Bonjour, merci pour votre proposition. Une collecte des biodéchets en points d'apport sera
  expérimentée dans plusieurs quartiers {periode} ; nous en ferons le bilan avec les habitants.
""",
    "voirie": """
# fix
- Bonjour, la chaussée a été reprise {delai} par l'équipe d'entretien. Une réfection plus complète
  de ce tronçon est inscrite au programme de travaux de l'an prochain.
- Bonjour, un agent est passé sur place et a mis le secteur en sécurité. La réparation définitive
  est programmée dans les {delai_jours} jours, selon la météo.
# info
- Bonjour, pour occuper temporairement le trottoir, il faut demander une permission de voirie au
  moins trois semaines avant les travaux. Le formulaire est disponible à l'accueil et en ligne.
- Bonjour, les travaux doivent se terminer d'ici {delai_semaines} semaines, sauf intempéries. Le
  panneau d'information du chantier sera mis à jour.
# idea
- Bonjour, votre demande a été étudiée avec le service. Des comptages de vitesse vont être réalisés
  dans la rue ; selon les résultats, un aménagement sera proposé aux riverains lors d'une réunion
  publique.
""",
    "eclairage": """
# fix
- Bonjour, la panne venait d'un câble endommagé. Nos électriciens sont intervenus {delai} et
  l'éclairage fonctionne de nouveau.
- Bonjour, le lampadaire a été mis en sécurité le jour même et sera remplacé dans les {delai_jours}
  jours.
# info
- Bonjour, l'éclairage public est éteint entre 23 h et 5 h dans la plupart des rues, sauf sur les
  grands axes et près de la gare. Cette mesure réduit la consommation d'énergie d'environ 40 %.
- Bonjour, les pannes d'éclairage public sont à signaler à la commune, et non à Enedis, par
  téléphone au {phone} ou en ligne. Le passage aux LED se poursuit chaque année, rue par rue.
# idea
- Bonjour, merci pour votre suggestion. L'éclairage à détection de présence sera testé sur deux
  cheminements piétons cette année ; le vôtre a été ajouté à la liste des sites étudiés.
""",
    "proprete": """
# fix
- Bonjour, l'équipe de propreté est intervenue {delai} pour nettoyer le secteur. Un passage
  supplémentaire a été ajouté à la tournée le temps que la situation s'améliore.
- Bonjour, le tag a été effacé par notre équipe d'intervention rapide. Ce service est gratuit pour
  les façades visibles depuis la rue.
# info
- Bonjour, la balayeuse passe dans votre rue toutes les deux semaines, le mardi matin. L'enlèvement
  des tags sur les façades privées est gratuit sur simple demande au {phone}.
- Bonjour, des distributeurs de sacs pour déjections canines sont installés dans chaque parc ; nous
  en ajoutons trois dans votre quartier ce trimestre.
# idea
- Bonjour, merci pour cette belle idée. Une journée de nettoyage citoyen sera organisée avec les
  écoles au printemps ; le service vous contactera pour vous associer à sa préparation.
""",
    "espaces-verts": """
# fix
- Bonjour, l'équipe des espaces verts est intervenue {delai} : la zone a été sécurisée et la branche
  retirée. L'arbre sera examiné par notre élagueur dans les prochains jours.
- Bonjour, l'aire de jeux a été fermée par précaution le temps de remplacer les pièces abîmées. Elle
  rouvrira à la fin des réparations, prévue sous {delai_jours} jours.
- Bonjour, les arbres abattus étaient malades et risquaient de tomber, selon le diagnostic d'un
  expert. Ils seront remplacés par de nouvelles plantations cet automne. Nous aurions dû mieux
  informer les riverains et nous vous prions de nous en excuser.
# info
- Bonjour, les parcelles des jardins partagés sont attribuées chaque année en février. Vous pouvez
  vous inscrire sur la liste d'attente auprès du service au {phone}.
- Bonjour, l'élagage des arbres communaux est fait par nos équipes : une visite sur place est
  programmée pour évaluer la situation et fixer une date d'intervention.
# idea
- Bonjour, merci pour votre proposition. Des plantations d'arbres pour créer de l'ombre sont prévues
  au plan de végétalisation ; le site dont vous parlez a été ajouté aux lieux prioritaires.
""",
    "mobilite": """
# fix
- Bonjour, nous avons transmis votre réclamation à notre exploitant, qui a rappelé les consignes au
  conducteur concerné. Veuillez nous excuser pour ce désagrément.
- Bonjour, après vérification, plusieurs services de la ligne ont été supprimés faute de
  conducteurs. La situation est rétablie depuis lundi ; un geste commercial vous sera proposé à
  l'agence de mobilité.
# info
- Bonjour, les demandeurs d'emploi bénéficient d'un tarif solidaire, réduit de 75 %. Présentez-vous
  à l'agence de mobilité avec votre attestation France Travail.
- Bonjour, le transport à la demande se réserve la veille avant midi au {phone} ou en ligne, du
  lundi au samedi, dans toutes les communes du territoire. Pour un rendez-vous médical imprévu, une
  réservation le jour même est possible selon les places disponibles.
- Bonjour, la location de vélos à assistance électrique se fait à l'agence de mobilité, pour trois,
  six ou douze mois. Une caution est demandée.
# idea
- Bonjour, votre suggestion sera étudiée lors de la révision du réseau de bus prévue l'an prochain.
  Une enquête auprès des usagers sera lancée : n'hésitez pas à y répondre.
""",
    "enfance-ecoles": """
# fix
- Bonjour, nous avons fait le point avec la direction de l'école et le service scolaire. Les mesures
  nécessaires ont été prises et les familles seront informées par un mot dans les cahiers.
- Bonjour, vous avez raison : les repas d'une absence pour maladie signalée à temps ne doivent pas
  être facturés. Votre facture a été corrigée.
# info
- Bonjour, l'inscription scolaire se fait en deux temps : à la mairie, avec le livret de famille, un
  justificatif de domicile et le carnet de santé, puis auprès de la direction de l'école. Vous
  pouvez venir sans rendez-vous aux horaires d'ouverture.
- Bonjour, les consultations de PMI sont gratuites et ouvertes à tous les enfants de moins de six
  ans, avec ou sans rendez-vous le jeudi matin. Les vaccins obligatoires y sont faits.
# idea
- Bonjour, merci pour votre proposition. Une rue scolaire sera expérimentée devant une école à la
  rentrée, en concertation avec les parents et les riverains.
""",
    "action-sociale": """
# fix
- Bonjour, merci de nous avoir alertés. Une travailleuse sociale est allée à la rencontre de la
  personne {delai} et une solution adaptée lui a été proposée.
- Bonjour, nous avons repris votre dossier : il était complet et aurait dû être traité plus tôt.
  L'aide a été accordée et le versement aura lieu dans les {delai_jours} jours. Veuillez nous
  excuser pour ce délai.
# info
- Bonjour, la domiciliation permet de recevoir votre courrier et de faire valoir vos droits.
  Présentez-vous à l'accueil avec une pièce d'identité si vous en avez une : un rendez-vous vous
  sera proposé dans la semaine.
- Bonjour, selon vos ressources, vous pouvez bénéficier du chèque énergie et d'une aide facultative
  pour vos factures de chauffage. Un travailleur social peut étudier votre situation lors d'un
  rendez-vous, à prendre au {phone}.
# idea
- Bonjour, merci pour cette proposition. Une permanence sociale itinérante, en lien avec le bus
  France services, est à l'étude pour les communes rurales.
""",
    "logement": """
# fix
- Bonjour, nous avons pris contact avec votre bailleur, qui s'est engagé à faire intervenir une
  entreprise sous {delai_jours} jours. Nous restons à vos côtés si ce n'est pas le cas.
- Bonjour, votre situation a été examinée en urgence. Une conseillère vous recevra pour préparer un
  plan d'apurement et saisir la commission de prévention des expulsions.
# info
- Bonjour, nos conseillères peuvent vous aider à remplir le formulaire de demande de logement social
  lors de la permanence du jeudi, sans rendez-vous : apportez une pièce d'identité, votre dernier
  avis d'imposition et vos justificatifs de ressources.
- Bonjour, le recours DALO est possible lorsque votre demande de logement social n'a reçu aucune
  proposition dans un délai anormalement long. Nos juristes peuvent vous aider à constituer le
  dossier lors de la permanence du mardi.
- Bonjour, une aide au logement peut être versée pour une chambre louée chez un particulier, à
  condition d'avoir un bail et un logement décent. Vous pouvez faire une simulation en ligne ou
  venir à notre permanence.
# idea
- Bonjour, merci pour cette suggestion. Nous l'avons portée auprès des bailleurs et de
  l'agglomération, qui réfléchissent à une bourse d'échange de logements ; nous vous tiendrons
  informés.
""",
    "demarches": """
# fix
- Bonjour, nous sommes désolés pour cette attente. Un second guichet est désormais ouvert aux heures
  de forte affluence, et un créneau vous a été proposé par téléphone.
- Bonjour, votre dossier a été examiné en priorité. Un rendez-vous vous a été attribué ; vous
  recevrez la confirmation par SMS.
# info
- Bonjour, pour un passeport de mineur, il faut la présence de l'enfant et d'un parent, une photo
  d'identité récente, un justificatif de domicile et la pièce d'identité du parent. La pré-demande
  peut être faite en ligne.
- Bonjour, la carte grise se demande uniquement en ligne, mais nos conseillers peuvent vous
  accompagner sur place, sur rendez-vous, avec le certificat de cession et le code remis par le
  vendeur.
- Bonjour, vous pouvez demander une copie intégrale de votre acte en ligne ou à la mairie du lieu de
  l'événement ; elle vous sera envoyée gratuitement par courrier sous quelques jours.
# idea
- Bonjour, merci pour votre proposition. Des créneaux réservés aux demandes urgentes sont désormais
  ouverts chaque semaine, sur présentation d'un justificatif.
""",
    "sante": """
# fix
- Bonjour, votre dossier a été régularisé : le paiement de vos indemnités journalières a été
  déclenché et apparaîtra sur votre compte sous {delai_jours} jours.
- Bonjour, après vérification, vos droits ont été rétablis et une nouvelle attestation vous a été
  envoyée. Vous pouvez la présenter à votre pharmacie.
# info
- Bonjour, vous pouvez commander une nouvelle carte Vitale depuis votre compte en ligne ou à
  l'accueil, avec une photo et une pièce d'identité. En attendant, votre attestation de droits
  suffit.
- Bonjour, si aucun médecin n'accepte de devenir votre médecin traitant, le conciliateur de la
  caisse peut vous aider à en trouver un. Votre situation est aussi prise en compte pour vos
  remboursements.
# idea
- Bonjour, merci pour votre suggestion. Une permanence de l'assurance maladie se tient désormais un
  mardi sur deux à la Maison France services et lors de certaines tournées du bus itinérant.
""",
    "emploi": """
# fix
- Bonjour, votre dossier a été vérifié : le versement de votre allocation a été débloqué et
  interviendra sous {delai_jours} jours. Veuillez nous excuser pour ce retard.
- Bonjour, votre radiation a été annulée, puisque la convocation avait été envoyée à une ancienne
  adresse. Votre conseiller vous recontactera cette semaine.
# info
- Bonjour, une aide au permis de conduire peut être accordée aux demandeurs d'emploi selon leur
  projet professionnel. Parlez-en à votre conseiller, qui montera le dossier avec vous.
- Bonjour, pendant une formation validée par votre conseiller, vous continuez à percevoir vos
  allocations, ou une rémunération de formation si vos droits se terminent avant la fin.
# idea
- Bonjour, merci pour votre idée. Un forum de l'emploi itinérant est prévu {periode}, avec une étape
  dans plusieurs communes du territoire.
""",
    "prestations-familiales": """
# fix
- Bonjour, votre dossier a été réexaminé : vos prestations sont rétablies et le rappel sera versé
  sous {delai_jours} jours.
- Bonjour, un échéancier de remboursement adapté à vos ressources a été mis en place pour le
  trop-perçu ; vos prestations courantes continueront d'être versées.
# info
- Bonjour, la prime d'activité est ouverte aux personnes qui travaillent, même à temps partiel, sous
  conditions de ressources. Vous pouvez faire une simulation en ligne ou prendre rendez-vous avec un
  conseiller au {phone}.
- Bonjour, en cas de séparation, déclarez votre changement de situation dans votre espace en ligne :
  vos droits seront recalculés. Une travailleuse sociale peut aussi vous accompagner.
# idea
- Bonjour, merci pour votre suggestion. Des rendez-vous en visio avec un conseiller CAF sont
  désormais possibles depuis la Maison France services et le bus itinérant.
""",
    "vie-locale": """
# fix
- Bonjour, nous avons bien pris en compte votre message. Une rencontre avec les associations et les
  riverains concernés sera organisée dans les prochaines semaines pour trouver ensemble une
  solution.
- Bonjour, la réparation a été faite {delai} et l'équipement est de nouveau accessible. Merci de
  nous avoir prévenus.
# info
- Bonjour, la salle des fêtes peut être réservée par les habitants à l'accueil de la mairie, au
  moins un mois à l'avance. Les tarifs sont disponibles sur le site et à l'accueil.
- Bonjour, les conseils de quartier sont ouverts à tous les habitants : il suffit de venir à la
  prochaine réunion ou de s'inscrire auprès du service au {phone}.
# idea
- Bonjour, merci pour votre proposition : vous pouvez la déposer au prochain budget participatif,
  dont l'appel à projets ouvre {periode}. Notre équipe peut vous aider à la présenter.
""",
    "courrier-numerique": """
# fix
- Bonjour, nous avons vérifié avec le centre de distribution : la tournée a été réorganisée et votre
  courrier est de nouveau distribué. Veuillez nous excuser pour ce désagrément.
- Bonjour, une réclamation a été ouverte et une enquête est en cours. Vous serez contacté sous
  {delai_jours} jours pour la suite à donner.
# info
- Bonjour, des ateliers numériques gratuits ont lieu chaque semaine à la Maison France services, sur
  inscription. Un conseiller numérique peut aussi vous recevoir individuellement.
- Bonjour, le contrat de réexpédition du courrier se souscrit en ligne ou au guichet, avec une pièce
  d'identité ; il prend effet sous cinq jours ouvrés.
# idea
- Bonjour, merci pour votre suggestion. Un poste informatique en libre-service avec imprimante sera
  installé {periode}.
""",
}

_GENERIC_ANSWERS_TEXT = """
# alert
- Bonjour, merci pour votre signalement. Il a été transmis à l'équipe concernée, qui est intervenue
  {delai}. N'hésitez pas à nous recontacter si le problème persiste.
- Bonjour, votre message a bien été étudié. Une intervention est programmée dans les {delai_jours}
  prochains jours ; nous vous tiendrons informé de son avancement.
- Bonjour, merci de nous avoir alertés. Un agent est passé sur place {delai} : la situation a été
  mise en sécurité et reste sous surveillance.
# complaint
- Bonjour, nous vous remercions d'avoir pris le temps de nous écrire. Après vérification, la
  situation a été corrigée et les consignes ont été rappelées à l'équipe. Veuillez nous excuser pour
  la gêne occasionnée.
- Bonjour, nous comprenons votre mécontentement et vous présentons nos excuses. Votre dossier a été
  repris par le responsable du service, qui vous rappellera cette semaine au sujet de la solution
  retenue.
- Bonjour, vous avez raison de nous le signaler et nous vous prions de nous excuser. Nous avons revu
  notre organisation pour que cela ne se reproduise pas, et nous ferons le point dans trois mois.
# info
- Bonjour, pour cette démarche, le plus simple est de venir à l'accueil avec une pièce d'identité et
  un justificatif de domicile : un agent vous accompagnera pas à pas. Vous pouvez aussi nous appeler
  au {phone}.
- Bonjour, merci pour votre question. Un agent du service vous rappellera pour faire le point sur
  votre situation ; vous pouvez aussi nous écrire à {email}.
- Bonjour, vous trouverez toutes les informations utiles sur notre site, et nos agents vous
  répondent au {phone} aux horaires d'ouverture.
# idea
- Bonjour, merci pour cette proposition. Elle a été transmise au service et aux élus concernés et
  sera étudiée lors de la préparation du budget de l'an prochain. Nous reviendrons vers vous avec la
  décision.
- Bonjour, votre idée rejoint d'autres demandes d'habitants. Une expérimentation est prévue
  {periode} ; nous vous en communiquerons le bilan.
- Bonjour, merci pour votre suggestion, que nous avons étudiée avec attention. Elle ne peut pas être
  retenue pour le moment, pour des raisons de coût, mais elle reste inscrite dans nos réflexions
  pour les prochaines années.
# testimony
- Bonjour, merci d'avoir partagé votre expérience. Votre témoignage a été lu par l'équipe et
  transmis à la direction ; il nourrira le bilan annuel du service.
- Bonjour, merci pour ce témoignage, qui nous aide à comprendre ce que vivent les habitants. Si vous
  le souhaitez, un agent peut vous recevoir pour en parler : appelez-nous au {phone}.
- Bonjour, votre témoignage a été partagé avec l'équipe et sera présenté, de façon anonyme, lors du
  prochain atelier avec les habitants.
# thanks
- Bonjour, merci beaucoup pour votre message ! Nous l'avons transmis à {destinataire}, qui y a été
  très sensible.
- Merci pour ces mots chaleureux, ils font du bien à toute l'équipe. Bonne continuation !
- Bonjour, votre message a été lu en réunion d'équipe et transmis à {destinataire} : merci d'avoir
  pris le temps de l'écrire.
# observation
- Merci pour cette remontée. L'intervention a été planifiée {delai} et l'équipe concernée a été
  prévenue.
- Bien noté, merci. Le point sera abordé à la prochaine réunion de service et une réponse collective
  est en préparation.
- Merci pour l'observation. Nous avons pris contact avec le partenaire concerné et vous tiendrons au
  courant de la suite.
- Merci, c'est exactement le genre de remontée qui nous aide. L'équipe est passée sur place {delai}
  et le nécessaire a été fait.
- Merci pour ce retour de terrain. Il rejoint d'autres signalements : le sujet est inscrit à l'ordre
  du jour du prochain comité de direction, nous vous dirons ce qui a été décidé.
- Bien reçu, merci. Une fiche d'information pour les usagers est en préparation ; nous vous la
  ferons relire avant sa diffusion.
- Merci pour votre vigilance. Le problème a été corrigé {delai} ; n'hésitez pas à nous dire s'il se
  reproduit.
# not_for_us
- Bonjour, merci pour votre message. Votre demande ne relève pas de nos services mais {other_of} :
  nous lui avons transmis votre message, et vous pouvez aussi joindre ses services au {other_phone}
  ou à {other_email}.
- Bonjour, après étude, votre demande relève {other_of}. Nous vous invitons à vous adresser
  directement à ses services ({other_phone}) ; notre accueil peut vous aider à prendre contact si
  besoin.
- Bonjour, nous ne sommes malheureusement pas compétents pour traiter cette demande, qui relève
  {other_of}. Nous lui avons transmis votre message ; son accueil est joignable au {other_phone}.
"""

# What people add around their message when they write it themselves, by kind.
_CLOSINGS: dict[str, tuple[str, ...]] = {
    "question": (
        "Merci d'avance.",
        "Merci pour votre réponse.",
        "Je n'ai trouvé l'information nulle part.",
    ),
    "complaint": (
        "J'attends une réponse.",
        "Merci de faire le nécessaire.",
        "Ce n'est pas normal.",
        "Je ne suis pas le seul dans ce cas.",
    ),
    "alert": ("Merci d'intervenir rapidement.", "C'est urgent.", "Quelqu'un va se blesser."),
    "suggestion": ("Merci de transmettre.", "Je suis prêt à en parler.", "Ce serait un vrai plus."),
}
_GREETINGS = ("Bonjour, ", "Bonjour, ", "Bonjour madame, bonjour monsieur, ")
# Words that keep their capital after a greeting.
_PROPER_START = ("Montlise", "Lisébus", "France", "Enedis", "Madame", "Monsieur")

# Prefixes an agent puts before the words of the person they relay.
_RELAY_PREFIXES: dict[str, tuple[str, ...]] = {
    "counter": (
        "Usager reçu à l'accueil ce jour : ",
        "Une habitante venue au guichet nous dit : ",
        "Propos recueillis à l'accueil : ",
        "Monsieur reçu sans rendez-vous, il explique : ",
    ),
    "phone": (
        "Appel reçu au standard : ",
        "Une personne a appelé ce matin : ",
        "Appel d'une habitante : ",
    ),
    "mail": ("Courrier reçu à l'accueil, en résumé : ", "Lettre d'un habitant, je recopie : "),
    "bus": (
        "Recueilli lors de la tournée du bus France services : ",
        "Au bus itinérant, une personne nous dit : ",
    ),
    "maraude": ("Propos recueillis en maraude : ", "Rencontré lors de la maraude du mardi soir : "),
    "field_walk": (
        "Lors de la balade urbaine, un riverain nous a dit : ",
        "Recueilli pendant la visite de terrain : ",
    ),
    "workshop": (
        "Exprimé pendant l'atelier : ",
        "Parole recueillie lors de l'atelier avec les habitants : ",
    ),
}


# --- Template parsing ----------------------------------------------------------------------
_COMMUNE_ORGS = (VILLE, MAIRIE_2, MAIRIE_10)
_ALIASES: dict[str, tuple[str, ...]] = {
    "agglo": (AGGLO,),
    "ville": (VILLE,),
    "mairies": _COMMUNE_ORGS,
    "ccas": (CCAS,),
    "dept": (DEPARTEMENT,),
    "caf": (CAF,),
    "cpam": (CPAM,),
    "ft": (FRANCE_TRAVAIL,),
    "poste": (LA_POSTE,),
    "pref": (PREFECTURE,),
    "habitat": (HABITAT,),
}

_Entry = tuple[str, frozenset[str] | None]  # text, organizations it is restricted to


def _parse(block: str) -> dict[str, tuple[_Entry, ...]]:
    sections: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for line in block.splitlines():
        if not line.strip():
            continue
        if line.startswith("# "):
            current = sections.setdefault(line[2:].strip(), [])
        elif line.startswith("- ") and current is not None:
            current.append([line[2:].strip()])
        elif line.startswith("  ") and current:
            current[-1].append(line.strip())
        else:
            raise ValueError(f"unexpected line in a text block: {line!r}")
    parsed: dict[str, tuple[_Entry, ...]] = {}
    for section, entries in sections.items():
        items: list[_Entry] = []
        for parts in entries:
            text = " ".join(parts)
            orgs = None
            if text.startswith("["):
                aliases, _, text = text[1:].partition("] ")
                orgs = frozenset(slug for alias in aliases.split() for slug in _ALIASES[alias])
            items.append((text, orgs))
        parsed[section] = tuple(items)
    return parsed


TEMPLATES: dict[str, dict[str, tuple[_Entry, ...]]] = {
    theme: _parse(block) for theme, block in _TEXTS.items()
}
GENERIC_THANKS: tuple[str, ...] = tuple(text for text, _ in _parse(_GENERIC_THANKS_TEXT)["thanks"])
ANSWERS: dict[str, dict[str, tuple[_Entry, ...]]] = {
    theme: _parse(block) for theme, block in _ANSWERS_TEXT.items()
}
GENERIC_ANSWERS: dict[str, tuple[_Entry, ...]] = _parse(_GENERIC_ANSWERS_TEXT)


def templates_for(theme: str, organization: str, kind: str) -> tuple[str, ...]:
    """The texts a voice of ``kind`` about ``theme`` addressed to ``organization`` is
    drawn from (generic thanks apart)."""
    return tuple(
        text
        for text, orgs in TEMPLATES[theme].get(kind, ())
        if orgs is None or organization in orgs
    )


_INDEX: dict[tuple[str, str, str], tuple[str, ...]] = {
    (theme, org, kind): templates_for(theme, org, kind)
    for theme, orgs in THEME_ORGANIZATIONS.items()
    for org, _ in orgs
    for kind in KINDS
}
_INDEX_NO_COMMUNE = {
    key: tuple(t for t in texts if "{commune}" not in t) for key, texts in _INDEX.items()
}

# --- Territory lookups ---------------------------------------------------------------------
_ORGS = {org.slug: org for org in data.ORGANIZATIONS}
_SERVICES = {
    (org.slug, service.slug): service
    for org in data.ORGANIZATIONS
    for service in org.all_services
    if service.is_public
}
_PUBLIC_SERVICES = {
    org.slug: tuple(s.slug for s in org.all_services if s.is_public) for org in data.ORGANIZATIONS
}
_COMMUNES = data.COMMUNES_BY_NAME
_ALL_COMMUNES = tuple(c.name for c in data.COMMUNES)
_ALL_COMMUNE_WEIGHTS = tuple(c.population for c in data.COMMUNES)
# The bus itinérant's tour (see the France services internal notes): commune -> weekday.
_BUS_TOUR = {
    "Chiranne": 1,
    "Les Essarts-de-Lise": 1,
    "Vaulnières": 3,
    "Saint-Géraud-des-Noyers": 3,
    "La Morinière": 4,
}


def _agent_first_names() -> dict[tuple[str, str], tuple[str, ...]]:
    """First names of the agents of each service: its front-line agents, or all of its
    agents when none is front-line (thanks are addressed to them)."""
    names: dict[tuple[str, str], list[tuple[bool, str]]] = {}
    for person in data.all_people():
        agent = person.agent
        if agent is None or agent.service is None:
            continue
        names.setdefault((agent.organization, agent.service), []).append(
            (not agent.front_line, person.first_name)
        )
    result = {}
    for key, people in names.items():
        front = tuple(name for back, name in people if not back)
        result[key] = front or tuple(name for _, name in people)
    return result


_AGENT_NAMES = _agent_first_names()

# "relève de ..." in a referral.
_OF_ORGANIZATION: dict[str, str] = {
    AGGLO: "de l'agglomération (Val de Lise Agglomération)",
    VILLE: "de la Ville de Montlise",
    CCAS: "du CCAS de Montlise",
    MAIRIE_2: "de la mairie de Vorlanges",
    MAIRIE_10: "de la mairie de Saint-Jean-de-Morelle",
    DEPARTEMENT: "du Département de Haute-Lise",
    CAF: "de la CAF de Haute-Lise",
    CPAM: "de la CPAM de Haute-Lise",
    FRANCE_TRAVAIL: "de France Travail (agence de Montlise)",
    LA_POSTE: "de La Poste (bureau de Montlise)",
    PREFECTURE: "de la préfecture de Haute-Lise",
    HABITAT: "de l'association Habitat Solidaire Lise",
}

# --- Slots ---------------------------------------------------------------------------------
_TOWN_STREETS = (
    "rue de la République", "avenue Jean-Jaurès", "rue Victor-Hugo", "rue Pasteur",
    "boulevard de la Lise", "rue des Tisserands", "avenue de la Gare", "rue Jean-Moulin",
    "rue des Jardins", "rue Voltaire", "quai de la Lise", "rue du 8-Mai-1945",
    "allée des Tilleuls", "rue des Écoles", "impasse des Lilas", "rue de la Paix",
    "avenue des Alpes", "rue du Stade", "rue des Artisans", "chemin du Pontet",
    "rue Émile-Zola", "rue de la Résistance", "allée des Cerisiers", "rue Aristide-Briand",
)  # fmt: skip
_VILLAGE_STREETS = (
    "route de Montlise", "chemin des Vignes", "place de l'Église", "rue de la Fontaine",
    "chemin du Moulin", "montée du Château", "route des Crêts", "chemin des Écureuils",
    "rue du Lavoir", "impasse du Verger", "chemin de la Croix", "rue du Four",
    "route de la Lise", "chemin des Prés", "allée des Noyers", "rue de la Mairie",
)  # fmt: skip
_PARKS = (
    "parc de la Lise", "square Jean-Moulin", "jardin des Tisserands", "parc du Pontet",
    "square de la Gare", "parc des Marronniers", "jardin public", "square des Écoles",
)  # fmt: skip
_SCHOOLS = (
    "l'école Jules-Ferry", "l'école des Tilleuls", "l'école Marie-Curie",
    "l'école maternelle des Coquelicots", "l'école du Centre", "l'école Louis-Pergaud",
)  # fmt: skip
_QUARTERS = ("des Tisserands", "du Centre", "de la Gare", "du Pontet", "de Bel-Air",
             "des Coteaux", "des Îles")  # fmt: skip
_STOPS = (
    "Gare routière", "Hôtel de ville", "Collège Stendhal", "Les Tisserands", "Clos-Fleuri",
    "Zone artisanale", "Hôpital", "Place du Marché", "Lycée des Gorges", "Mairie",
)  # fmt: skip
_LINES = ("1", "2", "3", "4", "5", "7", "12", "21")
_ROADS = ("RD 520", "RD 1075", "RD 45", "RD 128", "RD 82", "RD 1532")
_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_CHILD_AGES = ("18 mois", "2 ans", "3 ans", "4 ans", "6 ans", "8 ans")
_DELAYS = ("le jour même", "dès le lendemain", "sous 48 heures", "dans la semaine")
_PERIODS = ("au printemps", "à la rentrée", "cet automne", "d'ici l'été", "en début d'année")
_AGENT_FALLBACK = "l'agent"


def _day_month(day: date) -> str:
    return f"{'1er' if day.day == 1 else day.day} {_MONTHS[day.month - 1]}"


def _relative_day(ctx: dict) -> str:
    """When the event happened, as the person would say it on the day they speak."""
    created: datetime = ctx["created"]
    days = (created.date() - ctx["event"]).days
    if days <= 0:
        return "ce matin" if created.hour < 12 else "aujourd'hui"
    if days == 1:
        return "hier"
    if days < 7:
        return _WEEKDAYS[ctx["event"].weekday()]
    return f"le {_day_month(ctx['event'])}"


def _hour(rng: random.Random, first: int, last: int) -> str:
    hour = rng.randint(first, last)
    minutes = rng.choice((0, 0, 15, 30, 45))
    return f"{hour} h {minutes:02d}" if minutes else f"{hour} h"


def _euros(rng: random.Random) -> str:
    amount = rng.randrange(40, 1500, 5)
    return f"{amount:,}".replace(",", "\u202f") + "\u00a0€"


def _other_commune(rng: random.Random, ctx: dict) -> str:
    while True:
        name = rng.choices(_ALL_COMMUNES, _ALL_COMMUNE_WEIGHTS)[0]
        if name != ctx["commune"]:
            return name


def _street(rng: random.Random, ctx: dict) -> str:
    commune = ctx["commune"]
    rural = commune is not None and _COMMUNES[commune].profile == "rural"
    return rng.choice(_VILLAGE_STREETS if rural else _TOWN_STREETS)


_SLOT_MAKERS = {
    "commune": lambda rng, ctx: ctx["commune"],
    "commune2": _other_commune,
    "rue": _street,
    "numero": lambda rng, ctx: str(rng.randint(1, 120)),
    "jour": lambda rng, ctx: _relative_day(ctx),
    "heure": lambda rng, ctx: _hour(rng, 8, 18),
    "heure_matin": lambda rng, ctx: _hour(rng, 5, 7),
    "heure_soir": lambda rng, ctx: _hour(rng, 20, 22),
    "nb": lambda rng, ctx: str(rng.randint(2, 6)),
    "n10": lambda rng, ctx: str(rng.randint(10, 40)),
    "jours": lambda rng, ctx: str(rng.randint(3, 15)),
    "semaines": lambda rng, ctx: str(rng.randint(3, 9)),
    "mois_n": lambda rng, ctx: str(rng.randint(2, 9)),
    "minutes": lambda rng, ctx: str(rng.choice((25, 30, 40, 45, 50, 60, 75, 90))),
    "montant": lambda rng, ctx: _euros(rng),
    "mois": lambda rng, ctx: _MONTHS[(ctx["event"].month - 2) % 12],  # last month's bill
    "annee": lambda rng, ctx: str(rng.randint(1978, 2016)),
    "age_enfant": lambda rng, ctx: rng.choice(_CHILD_AGES),
    "age_jeune": lambda rng, ctx: str(rng.randint(12, 17)),
    "age_senior": lambda rng, ctx: str(rng.randint(78, 94)),
    "parc": lambda rng, ctx: rng.choice(_PARKS),
    "ecole": lambda rng, ctx: rng.choice(_SCHOOLS),
    "quartier": lambda rng, ctx: rng.choice(_QUARTERS),
    "arret": lambda rng, ctx: rng.choice(_STOPS),
    "ligne": lambda rng, ctx: rng.choice(_LINES),
    "rd": lambda rng, ctx: rng.choice(_ROADS),
    "agent": lambda rng, ctx: rng.choice(ctx["agents"]) if ctx["agents"] else _AGENT_FALLBACK,
    # Answers
    "destinataire": lambda rng, ctx: ctx.get("thanked") or "toute l'équipe",
    "delai": lambda rng, ctx: rng.choice(_DELAYS),
    "delai_jours": lambda rng, ctx: str(rng.choice((2, 3, 5, 8, 10, 15))),
    "delai_semaines": lambda rng, ctx: str(rng.randint(2, 6)),
    "periode": lambda rng, ctx: rng.choice(_PERIODS),
    "phone": lambda rng, ctx: ctx["service"].phone,
    "email": lambda rng, ctx: ctx["service"].email,
    "other_of": lambda rng, ctx: _OF_ORGANIZATION[ctx["other"]],
    "other_phone": lambda rng, ctx: _ORGS[ctx["other"]].phone,
    "other_email": lambda rng, ctx: _ORGS[ctx["other"]].email,
}
SLOTS: frozenset[str] = frozenset(_SLOT_MAKERS)


class _Slots(dict):
    """Fills the slots of a template on demand; a slot used twice keeps its value."""

    def __init__(self, rng: random.Random, ctx: dict) -> None:
        super().__init__()
        self.rng = rng
        self.ctx = ctx

    def __missing__(self, key: str) -> str:
        try:
            maker = _SLOT_MAKERS[key]
        except KeyError:
            raise KeyError(f"unknown slot {{{key}}}") from None
        value = self[key] = maker(self.rng, self.ctx)
        return value


# --- Draw tables ---------------------------------------------------------------------------
_FAMILY = {
    "eau-assainissement": "technical",
    "dechets": "technical",
    "voirie": "technical",
    "eclairage": "technical",
    "proprete": "technical",
    "espaces-verts": "technical",
    "mobilite": "technical",
    "enfance-ecoles": "local",
    "action-sociale": "social",
    "logement": "social",
    "demarches": "admin",
    "sante": "admin",
    "emploi": "admin",
    "prestations-familiales": "admin",
    "vie-locale": "local",
    "courrier-numerique": "admin",
}
_THEME_WEIGHTS = {
    "eau-assainissement": 9,
    "dechets": 9,
    "voirie": 9,
    "eclairage": 4,
    "proprete": 6,
    "espaces-verts": 6,
    "mobilite": 9,
    "enfance-ecoles": 5,
    "action-sociale": 7,
    "logement": 5,
    "demarches": 10,
    "sante": 5,
    "emploi": 5,
    "prestations-familiales": 7,
    "vie-locale": 4,
    "courrier-numerique": 3,
}
# Month (1-12) -> multiplier of a theme's weight: dark winters, summer parks, September.
_SEASONS = {
    "eclairage": {11: 1.6, 12: 1.7, 1: 1.6, 2: 1.3, 5: 0.6, 6: 0.5, 7: 0.5, 8: 0.6},
    "espaces-verts": {4: 1.4, 5: 1.6, 6: 1.6, 7: 1.4, 8: 1.2, 12: 0.6, 1: 0.6, 2: 0.7},
    "voirie": {12: 1.3, 1: 1.4, 2: 1.3},
    "eau-assainissement": {7: 1.3, 8: 1.4},
    "enfance-ecoles": {6: 1.3, 8: 0.5, 9: 1.6},
    "vie-locale": {6: 1.4, 7: 1.3},
    "demarches": {4: 1.2, 5: 1.3, 6: 1.3},
}
_THEME_SLUGS = tuple(t.slug for t in THEMES)
_THEME_WEIGHTS_BY_MONTH = {
    month: tuple(
        _THEME_WEIGHTS[slug] * _SEASONS.get(slug, {}).get(month, 1.0) for slug in _THEME_SLUGS
    )
    for month in range(1, 13)
}
_KIND_WEIGHTS = {
    "technical": {
        "question": 14,
        "complaint": 26,
        "alert": 22,
        "suggestion": 16,
        "testimony": 8,
        "thanks": 9,
    },
    "social": {
        "question": 22,
        "complaint": 14,
        "alert": 16,
        "suggestion": 8,
        "testimony": 24,
        "thanks": 10,
    },
    "admin": {
        "question": 34,
        "complaint": 24,
        "alert": 6,
        "suggestion": 10,
        "testimony": 10,
        "thanks": 10,
    },
    "local": {
        "question": 22,
        "complaint": 16,
        "alert": 8,
        "suggestion": 28,
        "testimony": 14,
        "thanks": 9,
    },
}
_SELF_CHANNEL_WEIGHTS = {"web": 78, "mail": 12, "phone": 10}
_RELAY_CHANNEL_WEIGHTS = {
    "technical": {
        "counter": 34,
        "phone": 30,
        "mail": 8,
        "bus": 8,
        "field_walk": 12,
        "workshop": 8,
    },
    "social": {
        "counter": 34,
        "phone": 16,
        "mail": 6,
        "bus": 10,
        "field_walk": 4,
        "workshop": 8,
        "maraude": 22,
    },
    "admin": {"counter": 46, "phone": 22, "mail": 10, "bus": 16, "workshop": 4, "maraude": 2},
    "local": {
        "counter": 28,
        "phone": 14,
        "mail": 8,
        "bus": 6,
        "field_walk": 20,
        "workshop": 24,
    },
}
_OBSERVATION_CHANNEL_WEIGHTS = {
    "technical": {"field_walk": 70, "bus": 5, "other": 25},
    "social": {"field_walk": 15, "maraude": 40, "bus": 10, "other": 35},
    "admin": {"field_walk": 5, "bus": 25, "other": 70},
    "local": {"field_walk": 50, "bus": 10, "other": 40},
}
# An observation's text often says where it was made.
_OBSERVATION_HINTS = (
    ("maraude", ("maraude",)),
    ("bus", ("du bus", "bus à")),
    (
        "other",
        (
            "guichet", "accueil", "reçu", "permanence", "atelier", "entretiens",
            "consultation", "ce mois-ci", "cette semaine", "beaucoup d'usagers",
            "beaucoup de personnes", "réunion",
        ),
    ),
    (
        "field_walk",
        ("tournée", "patrouille", "balade", "visite à domicile", "lors de", "constaté"),
    ),
)  # fmt: skip
# Channel -> (weekdays, first minute, last minute) of the day it is captured on.
_CHANNEL_TIMES = {
    "counter": ((0, 1, 2, 3, 4), 8 * 60 + 30, 17 * 60),
    "phone": ((0, 1, 2, 3, 4), 8 * 60 + 30, 17 * 60),
    "mail": ((0, 1, 2, 3, 4), 9 * 60, 16 * 60 + 30),
    "bus": ((1, 3, 4), 9 * 60 + 30, 16 * 60 + 30),
    "maraude": ((1,), 19 * 60, 23 * 60 + 30),
    "field_walk": ((0, 1, 2, 3, 4), 7 * 60 + 30, 16 * 60 + 30),
    "workshop": ((0, 1, 2, 3, 4, 5), 18 * 60, 21 * 60),
    "other": ((0, 1, 2, 3, 4), 8 * 60, 17 * 60 + 30),
}
# When people write on the web (or send an email), hour by hour.
_WEB_HOURS = (1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2.5, 4, 5, 5, 5,
              5.5, 5, 4.5, 4.5, 4.5, 5, 5.5, 6, 6.5, 6, 4.5, 2.5)  # fmt: skip
_AGE_WEIGHTS = {
    "enfance-ecoles": (10, 60, 22, 6, 2),
    "action-sociale": (18, 24, 24, 18, 16),
    "sante": (8, 20, 25, 27, 20),
    "emploi": (32, 36, 30, 2, 0),
    "prestations-familiales": (22, 46, 26, 5, 1),
    "courrier-numerique": (6, 12, 18, 32, 32),
}
_DEFAULT_AGE_WEIGHTS = (16, 26, 26, 21, 11)
_OCCUPATION_WEIGHTS = {
    "15-29": (0.5, 2, 5, 12, 22, 12, 0, 30, 12, 4.5),
    "30-44": (1, 6, 16, 22, 24, 14, 0, 1, 9, 7),
    "45-59": (1.5, 7, 16, 20, 24, 15, 2, 0, 8, 6.5),
    "60-74": (1, 3, 4, 5, 6, 4, 70, 0, 2, 5),
    "75+": (0, 0, 0, 0, 0, 0, 97, 0, 0, 3),
}
# Median calendar days to an answer, by kind.
_ANSWER_MEDIAN_DAYS = {
    "question": 4,
    "thanks": 2,
    "testimony": 7,
    "suggestion": 12,
    "complaint": 8,
    "alert": 3,
    "observation": 6,
}
_OPENING = {
    key: {
        day: [(time.fromisoformat(o), time.fromisoformat(c)) for d, o, c in slots if d == day]
        for day in {d for d, _, _ in slots}
    }
    for key, slots in data.HOURS.items()
}

# Where people write when they do not know who is competent: the town hall first.
_MISADDRESSED_TO: tuple[tuple[str, int], ...] = (
    (VILLE, 30),
    (AGGLO, 25),
    (DEPARTEMENT, 12),
    (MAIRIE_2, 10),
    (MAIRIE_10, 8),
    (CCAS, 5),
    (CAF, 4),
    (CPAM, 3),
    (PREFECTURE, 3),
)

SHARE_OBSERVATION = 0.10
SHARE_RELAYED = 0.33
SHARE_NO_COMMUNE = 0.11
SHARE_NOT_FOR_US = 0.03  # of questions, complaints, alerts and suggestions
SHARE_MERGED = 0.025
SHARE_REROUTED = 0.06  # of voices to an organization with several services
SHARE_NEVER_ANSWERED = 0.03
SHARE_OVERDUE = 0.08


@cache
def _cumulated(pairs: tuple[tuple[str, float], ...]) -> tuple[tuple[str, ...], list[float]]:
    return tuple(p[0] for p in pairs), list(accumulate(p[1] for p in pairs))


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    items, cum = _cumulated(tuple(weights.items()))
    return rng.choices(items, cum_weights=cum)[0]


def _pick_pair(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    items, cum = _cumulated(pairs)
    return rng.choices(items, cum_weights=cum)[0]


# --- Generation ----------------------------------------------------------------------------
def _instant(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A moment of [start, end], more often towards the end: the platform catches on."""
    a, b = 0.55, 0.9  # density a + b*u on [0, 1]
    r = rng.random()
    u = (-a + math.sqrt(a * a + 2 * b * r * (a + b / 2))) / b
    return start + (end - start) * min(u, 1.0)


def _pick_commune(rng: random.Random, organization: str, channel: str | None) -> str:
    names = _ORGS[organization].communes
    if names:
        return rng.choice(names)
    if channel == "bus" and rng.random() < 0.8:
        return rng.choice(tuple(_BUS_TOUR))
    if channel == "maraude" and rng.random() < 0.85:
        return data.CENTRAL_CITY
    return rng.choices(_ALL_COMMUNES, _ALL_COMMUNE_WEIGHTS)[0]


def _created_at(
    rng: random.Random,
    instant: datetime,
    mode: str,
    channel: str,
    commune: str | None,
    start: datetime,
    end: datetime,
) -> datetime:
    """The moment the voice was captured: on the instant's day (or the closest previous
    day the channel works), at an hour that fits the channel."""
    local = instant.astimezone(PARIS)
    if channel == "web" or (mode == "self" and channel == "mail"):
        day = local.date()
        hour = rng.choices(range(24), _WEB_HOURS)[0]
        minute = rng.randrange(60)
    else:
        weekdays, first, last = _CHANNEL_TIMES[channel]
        if channel == "bus" and commune in _BUS_TOUR:
            weekdays = (_BUS_TOUR[commune],)
        day = local.date()
        for _ in range(7):
            if day.weekday() in weekdays:
                break
            day -= timedelta(days=1)
        hour, minute = divmod(rng.randrange(first, last), 60)
    naive = datetime.combine(day, time(hour, minute, rng.randrange(60)))
    created = naive.replace(tzinfo=PARIS).astimezone(UTC).astimezone(PARIS)
    if not start <= created <= end:
        created = max(instant, start).astimezone(PARIS)
    return created


def _event_date(rng: random.Random, kind: str, created: datetime) -> date:
    r = rng.random()
    if kind in ("alert", "observation"):
        days = 0 if r < 0.55 else 1 if r < 0.8 else rng.randint(2, 6) if r < 0.95 else 7
    elif kind in ("complaint", "testimony"):
        days = 0 if r < 0.3 else rng.randint(1, 6) if r < 0.7 else rng.randint(7, 30)
    elif kind == "thanks":
        days = 0 if r < 0.4 else rng.randint(1, 6) if r < 0.9 else rng.randint(7, 14)
    else:
        days = 0 if r < 0.85 else rng.randint(1, 3)
    return created.date() - timedelta(days=days)


def _calendar_hours(created: datetime, working_hours: float, hours_key: str) -> float:
    until = add_working_hours(created, working_hours, _OPENING[hours_key])
    return (until.astimezone(UTC) - created.astimezone(UTC)).total_seconds() / 3600


def _floor(hours: float) -> float:
    return math.floor(hours * 100) / 100


def _lifecycle(
    rng: random.Random,
    kind: str,
    created: datetime,
    end: datetime,
    hours_key: str,
    *,
    outcome: str,
    rerouted: bool,
) -> tuple[str, float | None, float | None, float | None]:
    """(status, acknowledged, answered, closed) as seen at ``end``, in hours after
    ``created``. ``outcome`` is "normal", "merged", "not_for_us" or "stuck" (never
    answered)."""
    age = (end - created).total_seconds() / 3600
    working = min(60.0, max(2.0, rng.lognormvariate(math.log(10), 0.8)))
    if rerouted:
        working += rng.uniform(3, 24)
    ack = _floor(_calendar_hours(created, working, hours_key))
    if age < ack:
        return "received", None, None, None
    if outcome == "merged":
        merged = _floor(ack + rng.uniform(1, 96))
        return ("merged", ack, None, merged) if age >= merged else ("acknowledged", ack, None, None)
    if outcome == "not_for_us":
        referred = _floor(ack + rng.uniform(0.5, 48))
        if age >= referred:
            return "not_for_us", ack, referred, referred
        return "acknowledged", ack, None, None
    in_progress = ack + rng.uniform(1, 48)
    answered = None
    if outcome != "stuck":
        if rng.random() < SHARE_OVERDUE:
            days = rng.uniform(31, 120)
        else:
            median = _ANSWER_MEDIAN_DAYS[kind]
            days = min(30.0, max(1.0, rng.lognormvariate(math.log(median), 0.7)))
        answered = _floor(max(days * 24, ack + rng.uniform(1, 24)))
    if answered is None or age < answered:
        return ("in_progress" if age >= in_progress else "acknowledged"), ack, None, None
    closed = None
    if rng.random() < (0.95 if kind == "thanks" else 0.8):
        extra = rng.uniform(0.1, 24) if kind == "thanks" else rng.lognormvariate(math.log(96), 0.8)
        closed = _floor(answered + min(extra, 30 * 24))
    if closed is None or age < closed:
        return "answered", ack, answered, None
    return "closed", ack, answered, closed


def _answer(
    rng: random.Random, kind: str, theme: str, status: str, channel: str, template: str, ctx: dict
) -> str:
    """The service's answer to a voice that got one: a theme answer that shares words with
    the voice's template when there is one, else a generic answer fit for the kind (always
    for testimonies, thanks, observations and referrals)."""
    if status not in ("answered", "closed", "not_for_us"):
        return ""
    if status == "not_for_us":
        pool = GENERIC_ANSWERS["not_for_us"]
    else:
        group = "fix" if kind in ("alert", "complaint") else _GROUPS.get(kind, "")
        pool = _matching_answers(theme, group, template)
        if not pool or rng.random() < 0.15:
            pool = GENERIC_ANSWERS[_GROUPS.get(kind, kind)]
    answer = rng.choice(pool)[0].format_map(_Slots(rng, ctx))
    if kind == "observation":  # to a colleague
        return answer
    if channel == "mail" and answer.startswith("Bonjour, ") and rng.random() < 0.5:
        answer = "Madame, Monsieur, " + answer.removeprefix("Bonjour, ")
    if kind == "thanks":
        return answer
    return answer + rng.choice(("", "", " Cordialement.", " Bien cordialement.", " Bonne journée."))


_GROUPS = {"question": "info", "suggestion": "idea"}  # kind -> answer section
# Words too common in answers to tie one to a text.
_COMMON_WORDS = frozenset(
    keywords.tokens(
        "bonjour merci service services équipe équipes agent agents commune rue demande dossier "
        "jour jours semaine semaines mois place votre nous situation message prochain prochaine "
        "possible ligne mairie habitants personne sociale"
    )
)


def _answer_words(text: str) -> frozenset[str]:
    return frozenset(keywords.tokens(re.sub(r"\{[^}]*\}", " ", text))) - _COMMON_WORDS


_ANSWER_WORDS = {
    (theme, group, text): _answer_words(text)
    for theme, sections in ANSWERS.items()
    for group, entries in sections.items()
    for text, _ in entries
}


@cache
def _matching_answers(theme: str, group: str, template: str) -> tuple[_Entry, ...]:
    """The theme answers of ``group`` sharing the most words with ``template`` (none if no
    answer shares any)."""
    entries = ANSWERS[theme].get(group, ())
    words = _answer_words(template)
    scored = [(len(words & _ANSWER_WORDS[theme, group, entry[0]]), entry) for entry in entries]
    best = max((score for score, _ in scored), default=0)
    return tuple(entry for score, entry in scored if score == best) if best else ()


def _profile(rng: random.Random, theme: str) -> dict[str, str]:
    band = rng.choices(PROFILE_AGE_BANDS, _AGE_WEIGHTS.get(theme, _DEFAULT_AGE_WEIGHTS))[0]
    occupation = rng.choices(OCCUPATIONS, _OCCUPATION_WEIGHTS[band])[0]
    if theme == "emploi" and band in ("15-29", "30-44", "45-59") and rng.random() < 0.5:
        occupation = "jobseeker"
    return {"age_band": band, "sex": "F" if rng.random() < 0.56 else "M", "occupation": occupation}


def _observation_channel(rng: random.Random, text: str, family: str) -> str:
    low = text.lower()
    for channel, hints in _OBSERVATION_HINTS:
        if any(hint in low for hint in hints):
            return channel
    return _pick(rng, _OBSERVATION_CHANNEL_WEIGHTS[family])


# "à Les Essarts-de-Lise" -> "aux Essarts-de-Lise", "de Le Pré-Sablon" -> "du Pré-Sablon".
_CONTRACTIONS = (
    (re.compile(r"\bà Les (?=[A-ZÉ])"), "aux "),
    (re.compile(r"\bde Les (?=[A-ZÉ])"), "des "),
    (re.compile(r"\bà Le (?=[A-ZÉ])"), "au "),
    (re.compile(r"\bde Le (?=[A-ZÉ])"), "du "),
)
# Texts that place the itinerant bus in a commune: one of its stops.
_BUS_STOP = re.compile(r"bus à \{commune\}|bus France services qui passe à \{commune\}")


def _contract(text: str) -> str:
    """French contractions before the communes whose name starts with an article."""
    if " Le" in text:
        for pattern, replacement in _CONTRACTIONS:
            text = pattern.sub(replacement, text)
    return text


def _dress(
    rng: random.Random, text: str, kind: str, mode: str, channel: str, created: datetime
) -> str:
    """A greeting or a closing word, as people write them: some of the written messages
    get one."""
    if kind in _CLOSINGS and rng.random() < 0.2:
        text = f"{text} {rng.choice(_CLOSINGS[kind])}"
    if mode == "self" and channel in ("web", "mail") and rng.random() < 0.2:
        keep = text.startswith(_PROPER_START) or text[1:2].isupper()
        greeting = "Bonsoir, " if created.hour >= 19 else rng.choice(_GREETINGS)
        text = greeting + (text if keep else text[0].lower() + text[1:])
    return text


def _one_voice(rng: random.Random, start: datetime, end: datetime) -> VoiceSpec:
    instant = _instant(rng, start, end)
    r = rng.random()
    mode = (
        "observation"
        if r < SHARE_OBSERVATION
        else "relayed"
        if r < SHARE_OBSERVATION + SHARE_RELAYED
        else "self"
    )
    month = instant.astimezone(PARIS).month
    theme = rng.choices(_THEME_SLUGS, _THEME_WEIGHTS_BY_MONTH[month])[0]
    family = _FAMILY[theme]
    kind = "observation" if mode == "observation" else _pick(rng, _KIND_WEIGHTS[family])

    # Where it goes: usually a competent organization, sometimes the wrong one.
    competent = THEME_ORGANIZATIONS[theme]
    misaddressed = (
        mode != "observation"
        and kind in ("question", "complaint", "alert", "suggestion")
        and rng.random() < SHARE_NOT_FOR_US
    )
    if misaddressed:
        known = {org for org, _ in competent}
        organization = _pick_pair(
            rng, tuple((org, w) for org, w in _MISADDRESSED_TO if org not in known)
        )
    else:
        organization = _pick_pair(rng, competent)

    channel: str | None = None
    if mode == "self":
        channel = _pick(rng, _SELF_CHANNEL_WEIGHTS)
    elif mode == "relayed":
        channel = _pick(rng, _RELAY_CHANNEL_WEIGHTS[family])
    commune = None if rng.random() < SHARE_NO_COMMUNE else _pick_commune(rng, organization, channel)
    if misaddressed:
        fitting = tuple(
            (org, w)
            for org, w in competent
            if commune is None or not _ORGS[org].communes or commune in _ORGS[org].communes
        )
        text_org = _pick_pair(rng, fitting or competent)
    else:
        text_org = organization

    service = route_service(organization, kind, theme)
    rerouted_from = None
    others = tuple(s for s in _PUBLIC_SERVICES[organization] if s != service)
    if others and rng.random() < SHARE_REROUTED:
        rerouted_from = rng.choice(others)

    if kind == "thanks" and rng.random() < 0.4:
        candidates = GENERIC_THANKS
    elif commune is None and _INDEX_NO_COMMUNE[theme, text_org, kind]:
        candidates = _INDEX_NO_COMMUNE[theme, text_org, kind]
    else:
        candidates = _INDEX[theme, text_org, kind]
    template = rng.choice(candidates)
    if commune is None and "{commune}" in template:
        commune = _pick_commune(rng, organization, channel)
    if _BUS_STOP.search(template) and not _ORGS[organization].communes:
        commune = rng.choice(tuple(_BUS_TOUR))
    if channel is None:
        channel = _observation_channel(rng, template, family)

    created = _created_at(rng, instant, mode, channel, commune, start, end)
    event = _event_date(rng, kind, created)
    service_spec = _SERVICES[organization, service]
    ctx = {
        "commune": commune,
        "created": created,
        "event": event,
        "agents": _AGENT_NAMES.get((organization, service), ()),
        "service": service_spec,
        "other": text_org if misaddressed else None,
    }
    slots = _Slots(rng, ctx)
    text = _dress(rng, _contract(template.format_map(slots)), kind, mode, channel, created)
    if mode == "relayed" and rng.random() < 0.55:
        text = f"{rng.choice(_RELAY_PREFIXES[channel])}«\u00a0{text}\u00a0»"

    outcome = "normal"
    if misaddressed:
        outcome = "not_for_us"
    elif kind != "thanks" and rng.random() < SHARE_MERGED:
        outcome = "merged"
    elif rng.random() < SHARE_NEVER_ANSWERED:
        outcome = "stuck"
    status, ack, answered, closed = _lifecycle(
        rng,
        kind,
        created,
        end,
        service_spec.hours,
        outcome=outcome,
        rerouted=rerouted_from is not None,
    )
    thanked = slots.get("agent")
    ctx["thanked"] = thanked if thanked and thanked != _AGENT_FALLBACK else None
    answer = _answer(rng, kind, theme, status, channel, template, ctx)

    if mode == "observation":
        contact, profile = False, None
    else:
        odds = {"web": 0.75, "mail": 0.85, "phone": 0.3}.get(channel, 0.35)
        contact = rng.random() < odds
        profile = _profile(rng, theme) if rng.random() < (0.5 if mode == "self" else 0.35) else None
    return VoiceSpec(
        organization=organization,
        service=service,
        theme=theme,
        kind=kind,
        channel=channel,
        capture_mode=mode,
        text=text,
        commune=commune,
        event_date=event,
        created_at=created,
        relay_agent_index=None if mode == "self" else rng.randrange(1000),
        status=status,
        acknowledged_after_hours=ack,
        answered_after_hours=answered,
        closed_after_hours=closed,
        answer=answer,
        contact_email=contact,
        profile=profile,
        rerouted_from=rerouted_from,
    )


def generate_voices(
    rng: random.Random, count: int, *, start: datetime, end: datetime
) -> list[VoiceSpec]:
    """``count`` voices received between ``start`` and ``end``, oldest first, with their
    state as seen at ``end`` (the demo's "now"): recent ones are often still open, old
    ones mostly answered or closed. Deterministic for a given ``rng`` state. Naive
    datetimes are taken as Europe/Paris time."""
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    if start.tzinfo is None:
        start = start.replace(tzinfo=PARIS)
    if end.tzinfo is None:
        end = end.replace(tzinfo=PARIS)
    if end <= start:
        raise ValueError("end must be after start")
    voices = [_one_voice(rng, start, end) for _ in range(count)]
    voices.sort(key=lambda v: v.created_at)
    return voices
