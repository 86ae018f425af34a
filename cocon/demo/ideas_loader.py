"""Demo Idées: the agglomeration's permanent idea box, the public call "Comment réduire
les mégots dans la rue ?" (after La Transfo at Mulhouse), a closed agents' call on the
welcome at counters, and a few hundred ideas in every state, with démineurs' opinions,
decisions signed by function at the right level, supports, follows, threaded comments,
versions and a moderation queue.

Most rows are written with bulk inserts, as `voices_loader` and `reports_loader` do, so
`make demo` stays quick: they are the rows the services of `cocon.ideas.services` would
have written (history events, counters equal to the rows, signatures from the decider's
role, merged ideas carrying their authors and supporters over). A few actions are then
done through the services themselves, so that the demo accounts find notifications
waiting (an élu's decision, a démineur named, an answer to a comment) and the moderation
queue holds real reports.

Deterministic: the only randomness is the `random.Random` given by the loader; dates are
relative to `now`.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from cocon.accounts.models import AgentProfile, Role, User
from cocon.core import moderation
from cocon.core.models import OutboxEmail, StatusEvent
from cocon.demo import data
from cocon.ideas import services
from cocon.ideas.models import (
    AuthorCategory,
    Campaign,
    Comment,
    Follow,
    Idea,
    IdeaVersion,
    Review,
    Scope,
    State,
    Support,
    Visibility,
)
from cocon.territory.models import Organization, Service, Territory
from cocon.voices.models import Theme

IDEA_COUNT = 320
A, V = data.AGGLO, data.VILLE
MEGOTS_TITLE = "Comment réduire les mégots dans la rue ?"
GUICHETS_TITLE = "Mieux accueillir aux guichets"

# démineurs added to existing demo agents (the named "expert" account is one already):
# (email, organization, title, topics)
EXTRA_EXPERTS: tuple[tuple[str, str, str, str], ...] = (
    (
        data.person_email("Romain", "Chabert", A),
        A,
        "Référent réseaux d'eau potable",
        "réseaux d'eau, compteurs, fuites",
    ),
    (
        data.person_email("Mickaël", "Reynaud", A),
        A,
        "Démineur terrain, collecte des déchets",
        "collecte, tournées, propreté",
    ),
    (
        data.person_email("Dylan", "Marchand", V),
        V,
        "Référent terrain propreté urbaine",
        "propreté, mégots, nettoiement",
    ),
    (
        data.person_email("Lucas", "Berthet", A),
        A,
        "Référent nature et biodiversité",
        "espaces naturels, arbres, eau de pluie",
    ),
    (
        data.person_email("Yasmine", "Chérif", A),
        A,
        "Référente mobilités",
        "bus, vélo, covoiturage",
    ),
    (
        data.person_email("Martine", "Collomb", A),
        A,
        "Référente accueil des publics",
        "accueil, accessibilité, langage clair",
    ),
    (
        data.person_email("Sylvie", "Rey", A),
        A,
        "Référente ressources humaines",
        "organisation du travail, formation, statut",
    ),
)
EXPERT_EMAIL = f"expert@{data.EMAIL_DOMAIN}"
# which démineurs know which service (first: the most relevant)
EXPERTS_BY_SERVICE: dict[str, tuple[str, ...]] = {
    "eau-assainissement": (data.person_email("Romain", "Chabert", A), EXPERT_EMAIL),
    "dechets-collecte": (data.person_email("Mickaël", "Reynaud", A), EXPERT_EMAIL),
    "proprete-urbaine": (data.person_email("Dylan", "Marchand", V),),
    "espaces-verts": (data.person_email("Lucas", "Berthet", A),),
    "espaces-naturels": (data.person_email("Lucas", "Berthet", A),),
    "transports-mobilite": (data.person_email("Yasmine", "Chérif", A),),
    "voirie-communautaire": (data.person_email("Yasmine", "Chérif", A),),
    "france-services": (data.person_email("Martine", "Collomb", A),),
    "accueil": (data.person_email("Martine", "Collomb", A),),
    "accueil-etat-civil": (data.person_email("Martine", "Collomb", A),),
    "ressources-humaines": (data.person_email("Sylvie", "Rey", A),),
}


@dataclass(frozen=True)
class Base:
    """One idea as people keep proposing it (variants get a place or a site)."""

    title: str
    problem: str
    proposal: str
    benefit: str
    service: tuple[str, str]  # (organization slug, service slug)
    theme: str  # a Paroles theme slug
    level: str  # DecisionLevel value
    quick: bool = False


def _b(title, problem, proposal, benefit, service, theme, level, quick=False) -> Base:
    return Base(title, problem, proposal, benefit, service, theme, level, quick)


DEC = (A, "dechets-collecte")
PROP = (V, "proprete-urbaine")
EV = (V, "espaces-verts")

MEGOTS: tuple[Base, ...] = (
    _b(
        "Des cendriers « sondage » devant les arrêts de bus",
        "Les mégots s'accumulent au pied des abribus : les fumeurs finissent leur cigarette "
        "en attendant et la jettent par terre en montant.",
        "Installer des cendriers à deux compartiments qui posent une question ludique "
        "(« Plutôt mer ou montagne ? ») : on vote avec son mégot.",
        "Des arrêts plus propres et un geste qui devient un jeu plutôt qu'une corvée.",
        DEC,
        "proprete",
        "elus",
    ),
    _b(
        "Un stand « rue sans mégots » un samedi par mois au marché",
        "Le samedi, la place du marché est couverte de mégots après le passage des clients.",
        "Tenir un stand une fois par mois avec des cendriers de poche gratuits et un message "
        "sur la pollution de l'eau.",
        "Moins de mégots sur la place et des usagers sensibilisés sans être sanctionnés.",
        DEC,
        "proprete",
        "service",
        True,
    ),
    _b(
        "Peindre « Ici commence la rivière » près des grilles d'égout",
        "Beaucoup de gens ne savent pas qu'un mégot jeté dans une grille finit dans la Lise.",
        "Peindre au pochoir un message et un poisson à côté des avaloirs des rues les plus "
        "passantes.",
        "Une prise de conscience simple et durable, visible par les enfants comme par les adultes.",
        DEC,
        "dechets",
        "service",
        True,
    ),
    _b(
        "Des éteignoirs sur les poubelles du centre-ville",
        "Les poubelles de rue n'ont pas d'éteignoir : les fumeurs n'osent pas y jeter un mégot "
        "allumé et le jettent au sol.",
        "Équiper les corbeilles les plus fréquentées d'un éteignoir-cendrier.",
        "Un geste facile au bon endroit, et moins de risques de départ de feu dans les corbeilles.",
        PROP,
        "proprete",
        "service",
    ),
    _b(
        "Une collecte de mégots avec les écoles",
        "Les enfants remarquent les mégots dans la cour et autour de l'école et posent la "
        "question.",
        "Organiser une matinée de ramassage avec les classes volontaires, en comptant les "
        "mégots et en les pesant.",
        "Des enfants qui deviennent ambassadeurs auprès de leurs parents.",
        DEC,
        "proprete",
        "team",
        True,
    ),
    _b(
        "Recycler les mégots ramassés",
        "Les mégots collectés partent avec les ordures ménagères alors que des filières de "
        "recyclage existent.",
        "Passer une convention avec une filière de valorisation des mégots pour ceux des "
        "cendriers publics.",
        "Un déchet toxique traité correctement, et un argument de plus pour utiliser les "
        "cendriers.",
        DEC,
        "dechets",
        "elus",
    ),
    _b(
        "Verbaliser les jets de mégots aux abords de la gare",
        "Malgré les cendriers, le parvis de la gare reste jonché de mégots.",
        "Mener des opérations de verbalisation (amende forfaitaire) avec la police "
        "municipale, annoncées à l'avance.",
        "Un signal clair : jeter un mégot par terre n'est pas anodin.",
        PROP,
        "proprete",
        "elus",
    ),
    _b(
        "Une charte « terrasse sans mégot » avec les cafés",
        "Devant les bars, les mégots des clients qui fument dehors s'entassent dans le caniveau.",
        "Proposer aux cafés une charte : un cendrier à l'entrée contre un autocollant et une "
        "mention sur le site de la ville.",
        "Des trottoirs propres devant les commerces, sans coût pour la collectivité.",
        PROP,
        "proprete",
        "service",
        True,
    ),
    _b(
        "Afficher chaque mois le nombre de mégots ramassés",
        "On ne se rend pas compte de la quantité de mégots ramassés par les équipes de propreté.",
        "Publier le chiffre du mois sur les panneaux lumineux et sur le site, avec "
        "l'équivalent en litres d'eau polluée.",
        "Rendre visible le travail des agents de propreté et faire réfléchir.",
        DEC,
        "proprete",
        "team",
        True,
    ),
    _b(
        "Des espaces fumeurs équipés devant les bâtiments publics",
        "Devant les bâtiments publics, les agents et les visiteurs fument sur le trottoir et "
        "les mégots restent là.",
        "Aménager un coin fumeurs avec cendrier et abri, un peu à l'écart des entrées.",
        "Des entrées dégagées et propres, et un endroit clair pour fumer.",
        PROP,
        "proprete",
        "direction",
    ),
    _b(
        "Des espaces sans tabac autour des écoles et des aires de jeux",
        "Des parents fument devant le portail de l'école et les enfants ramassent les mégots "
        "dans le bac à sable.",
        "Créer par arrêté des espaces sans tabac autour des écoles et des aires de jeux, avec "
        "une signalétique dessinée par les enfants.",
        "Protéger les enfants du tabac et des mégots là où ils jouent.",
        PROP,
        "proprete",
        "elus",
    ),
    _b(
        "Nettoyer les pieds d'arbres où les mégots s'accumulent",
        "Les pieds d'arbres des avenues servent de cendrier et ne sont nettoyés que rarement.",
        "Ajouter les pieds d'arbres au circuit de nettoyage hebdomadaire et les végétaliser.",
        "Des arbres en meilleure santé et des trottoirs plus agréables.",
        EV,
        "espaces-verts",
        "team",
    ),
    _b(
        "Joindre un étui à mégots au calendrier de collecte",
        "Le calendrier de collecte arrive dans toutes les boîtes aux lettres chaque année.",
        "Y joindre un cendrier de poche aux couleurs de l'agglomération.",
        "Toucher tous les foyers en une seule distribution déjà prévue.",
        DEC,
        "dechets",
        "service",
    ),
    _b(
        "Un défi « zéro mégot » entre quartiers",
        "Les campagnes d'affichage sur les mégots ne marchent pas vraiment.",
        "Lancer un défi de trois mois entre quartiers : chaque mois on compte les mégots "
        "ramassés sur un parcours témoin et le quartier qui progresse le plus gagne un "
        "projet.",
        "Une mobilisation des habitants par l'envie plutôt que par la sanction.",
        DEC,
        "proprete",
        "elus",
    ),
    _b(
        "Équiper les agents de propreté d'aspirateurs à mégots",
        "Ramasser les mégots entre les pavés à la pince prend un temps considérable.",
        "Tester un aspirateur électrique de voirie sur les rues pavées du centre.",
        "Un centre-ville plus propre, et moins de gestes pénibles pour les agents.",
        PROP,
        "proprete",
        "direction",
    ),
    _b(
        "Des cendriers fixés sur les abribus",
        "Les abribus n'ont aucun cendrier alors que beaucoup de gens y fument.",
        "Demander au délégataire du mobilier urbain d'équiper chaque abribus d'un cendrier.",
        "Un équipement simple, là où les gens attendent.",
        DEC,
        "mobilite",
        "direction",
    ),
    _b(
        "Un stand mégots dans les festivals de l'été",
        "Après les concerts en plein air, les pelouses sont couvertes de mégots.",
        "Tenir un stand avec des cendriers de poche et des bénévoles « brigade verte » "
        "pendant les festivals.",
        "Des pelouses propres le lendemain, et moins de travail pour les équipes.",
        DEC,
        "proprete",
        "service",
        True,
    ),
)

BOX: tuple[Base, ...] = (
    _b(
        "Prévenir par SMS la veille du relevé des compteurs",
        "Les releveurs trouvent souvent porte close et doivent repasser, parfois trois fois.",
        "Envoyer un SMS la veille aux abonnés dont le compteur est à l'intérieur.",
        "Moins de passages inutiles et des abonnés qui ne reçoivent plus de facture estimée.",
        (A, "eau-assainissement"),
        "eau-assainissement",
        "service",
        True,
    ),
    _b(
        "Signaler une fuite avec une photo depuis le terrain",
        "Quand un agent voit une fuite en tournée, il appelle le standard, qui retranscrit "
        "comme il peut.",
        "Une fiche simple sur le téléphone de service : photo, position et gravité, envoyée "
        "directement à l'astreinte.",
        "Des fuites réparées plus vite, donc moins de coupures pour les abonnés.",
        (A, "eau-assainissement"),
        "eau-assainissement",
        "team",
        True,
    ),
    _b(
        "Un courrier de coupure d'eau écrit en langage clair",
        "Le courrier qui annonce une coupure de travaux est long et les abonnés appellent "
        "pour savoir quand l'eau reviendra.",
        "Réécrire le modèle en langage clair : la date, l'heure de retour, quoi faire, un numéro.",
        "Moins d'appels au standard et des abonnés moins inquiets.",
        (A, "eau-assainissement"),
        "eau-assainissement",
        "service",
        True,
    ),
    _b(
        "Mutualiser les véhicules de service entre services",
        "Certains véhicules restent au parking toute la semaine pendant que d'autres services "
        "louent.",
        "Un planning de réservation commun des véhicules de l'hôtel d'agglomération.",
        "Moins de locations, moins de dépenses, et du temps gagné pour les tournées.",
        (A, "ressources-humaines"),
        "vie-locale",
        "direction",
    ),
    _b(
        "Un annuaire interne à jour avec les missions de chacun",
        "On ne sait jamais qui appeler dans un autre service pour répondre à un usager.",
        "Un annuaire interne où chaque service tient à jour ses missions et ses référents.",
        "Des usagers orientés du premier coup vers la bonne personne.",
        (A, "accueil"),
        "demarches",
        "direction",
    ),
    _b(
        "Afficher les jours de collecte dans l'application de la ville",
        "Les habitants appellent pour connaître leur jour de collecte, surtout après un "
        "déménagement.",
        "Afficher le jour de collecte à partir de l'adresse dans l'application et sur le site.",
        "Moins d'appels et moins de bacs sortis le mauvais jour.",
        DEC,
        "dechets",
        "service",
        True,
    ),
    _b(
        "Regrouper les tournées des bacs jaunes en été",
        "En juillet et août, les bacs jaunes sont à moitié vides dans les zones pavillonnaires.",
        "Passer une semaine sur deux en été dans les secteurs peu remplis, après un test.",
        "Des économies de carburant et des équipes disponibles pour les secteurs touristiques.",
        DEC,
        "dechets",
        "elus",
    ),
    _b(
        "Récupérer l'eau de pluie pour arroser les massifs",
        "Les massifs de l'agglomération sont arrosés à l'eau potable tout l'été.",
        "Installer des cuves de récupération sur les toits des ateliers et du centre technique.",
        "De l'eau potable économisée et un exemple pour les habitants.",
        (A, "espaces-naturels"),
        "espaces-verts",
        "direction",
    ),
    _b(
        "Les horaires de bus en temps réel aux arrêts principaux",
        "Les usagers ne savent pas si le bus est passé ou en retard, surtout le soir.",
        "Des écrans d'information en temps réel aux dix arrêts les plus fréquentés.",
        "Moins d'attente inutile et un réseau plus rassurant.",
        (A, "transports-mobilite"),
        "mobilite",
        "elus",
    ),
    _b(
        "Prêter des vélos électriques aux agents pour les trajets courts",
        "Les agents prennent la voiture pour des trajets de deux kilomètres entre sites.",
        "Une flotte de cinq vélos électriques en libre-service pour les déplacements "
        "professionnels.",
        "Moins de voitures en ville et des agents qui montrent l'exemple.",
        (A, "transports-mobilite"),
        "mobilite",
        "direction",
    ),
    _b(
        "Un livret d'accueil pour les nouveaux agents",
        "Les nouveaux arrivants mettent des semaines à savoir à qui s'adresser.",
        "Un livret d'accueil et un parrain ou une marraine pendant le premier mois.",
        "Des agents opérationnels plus vite, donc mieux au service des usagers.",
        (A, "ressources-humaines"),
        "vie-locale",
        "service",
        True,
    ),
    _b(
        "Réparer plutôt que racheter le petit matériel",
        "Débroussailleuses et souffleurs partent à la benne à la première panne.",
        "Un petit atelier de réparation au centre technique et un stock de pièces.",
        "Des économies et moins de déchets.",
        (A, "espaces-naturels"),
        "espaces-verts",
        "service",
    ),
    _b(
        "Un tableau partagé des travaux de voirie",
        "L'accueil apprend les travaux par les usagers qui appellent pour s'en plaindre.",
        "Un tableau partagé des chantiers en cours, mis à jour par le service voirie.",
        "Des réponses justes aux usagers dès le premier appel.",
        (A, "voirie-communautaire"),
        "voirie",
        "team",
        True,
    ),
    _b(
        "Former les agents d'accueil aux démarches des partenaires",
        "À la Maison France services, on manque de repères sur les démarches CAF et CPAM récentes.",
        "Une demi-journée de formation par trimestre avec les référents des partenaires.",
        "Des usagers accompagnés jusqu'au bout sans être renvoyés ailleurs.",
        (A, "france-services"),
        "demarches",
        "service",
    ),
    _b(
        "Un bus France services le samedi matin",
        "Les actifs des communes rurales ne peuvent pas venir en semaine.",
        "Faire circuler le bus itinérant un samedi matin par mois, à tour de rôle dans les "
        "communes.",
        "L'accès aux services publics pour ceux qui travaillent.",
        (A, "france-services"),
        "demarches",
        "elus",
    ),
    _b(
        "Des réunions sans ordinateur portable ouvert",
        "En réunion, la moitié des participants traitent leurs courriels.",
        "Des réunions plus courtes, avec un ordre du jour envoyé la veille, sans écrans.",
        "Des décisions prises plus vite, du temps rendu aux équipes.",
        (A, "ressources-humaines"),
        "vie-locale",
        "team",
    ),
)

GUICHETS: tuple[Base, ...] = (
    _b(
        "Un numéro unique pour tous les services",
        "Les usagers ne savent pas quel numéro composer et sont transférés plusieurs fois.",
        "Un numéro unique avec un accueil qui oriente et rappelle si besoin.",
        "Une seule porte d'entrée par téléphone pour tout le monde.",
        (A, "accueil"),
        "demarches",
        "elus",
    ),
    _b(
        "Un ticket qui indique le temps d'attente",
        "Les usagers ne savent pas combien de temps ils vont attendre et s'énervent.",
        "Un ticket avec un numéro et une estimation du temps d'attente, affiché sur un écran.",
        "Une attente moins pénible, et des usagers qui peuvent s'absenter.",
        (A, "france-services"),
        "demarches",
        "direction",
    ),
    _b(
        "Un accueil sans rendez-vous le samedi matin",
        "Les personnes qui travaillent ne peuvent pas venir aux heures d'ouverture.",
        "Ouvrir l'accueil un samedi matin sur deux, avec une équipe volontaire.",
        "Un service accessible à ceux qui travaillent en semaine.",
        (A, "accueil"),
        "demarches",
        "elus",
    ),
    _b(
        "Apprendre les bases de la langue des signes",
        "Quand une personne sourde se présente, on communique par écrit, difficilement.",
        "Une formation aux bases de la LSF pour deux agents par site d'accueil.",
        "Un accueil digne pour les personnes sourdes ou malentendantes.",
        (A, "france-services"),
        "demarches",
        "service",
    ),
    _b(
        "Un coin enfants dans la salle d'attente",
        "Les parents viennent avec des enfants qui s'ennuient pendant l'entretien.",
        "Un petit coin avec des livres et une table à dessin dans chaque salle d'attente.",
        "Des entretiens plus sereins pour les parents.",
        (A, "france-services"),
        "demarches",
        "team",
        True,
    ),
    _b(
        "Des formulaires en « facile à lire et à comprendre »",
        "Beaucoup d'usagers ne comprennent pas les formulaires et reviennent plusieurs fois.",
        "Réécrire les dix formulaires les plus demandés en FALC, avec des usagers relecteurs.",
        "Moins d'allers-retours et des dossiers complets du premier coup.",
        (A, "accueil"),
        "demarches",
        "service",
    ),
    _b(
        "Une signalétique claire dès l'entrée",
        "Dans le hall, les usagers tournent en rond avant de trouver le bon guichet.",
        "Des panneaux avec pictogrammes et couleurs par service, testés avec des usagers.",
        "Des usagers qui trouvent seuls leur chemin.",
        (A, "accueil"),
        "demarches",
        "team",
        True,
    ),
    _b(
        "Un interprétariat par téléphone",
        "Certains usagers ne parlent pas français et viennent avec leurs enfants pour traduire.",
        "Un abonnement à un service d'interprétariat téléphonique pour les guichets.",
        "Des échanges exacts, sans faire porter la traduction aux enfants.",
        (A, "france-services"),
        "demarches",
        "direction",
    ),
    _b(
        "Rappeler les usagers restés sans réponse",
        "Des demandes restent sans suite parce que le dossier a changé de service.",
        "Un point hebdomadaire des demandes de plus de quinze jours, avec un rappel à l'usager.",
        "Plus aucun usager oublié.",
        (A, "accueil"),
        "demarches",
        "service",
    ),
    _b(
        "Un comptoir accessible en fauteuil",
        "Le comptoir de l'accueil est trop haut pour une personne en fauteuil.",
        "Abaisser une partie du comptoir et prévoir une chaise à accoudoirs.",
        "Un accueil à hauteur pour tout le monde.",
        (A, "accueil"),
        "demarches",
        "direction",
    ),
)

# where the same idea is proposed again (variants get it in their title): a commune for
# most mégots ideas, a street only for those that make sense anywhere in a street
COMMUNES = (
    ("Montlise", "à Montlise"),
    ("Vorlanges", "à Vorlanges"),
    ("Moirac-sur-Lise", "à Moirac-sur-Lise"),
    ("Tullière", "à Tullière"),
    ("Rivelonne", "à Rivelonne"),
    ("Coublanges", "à Coublanges"),
)
STREETS = (
    ("rue des Tisserands", "dans la rue des Tisserands"),
    ("avenue Jean-Jaurès", "sur l'avenue Jean-Jaurès"),
    ("quartier des Glycines", "dans le quartier des Glycines"),
    ("place du Champ-de-Mars", "sur la place du Champ-de-Mars"),
)
ANYWHERE_IN_A_STREET = {
    "Peindre « Ici commence la rivière » près des grilles d'égout",
    "Nettoyer les pieds d'arbres où les mégots s'accumulent",
}
OPENERS = {
    "megots": ("Constat fait {at}.", "Je passe tous les jours {at}.", "C'est flagrant {at}.", ""),
    "box": ("Dans notre équipe, on le voit chaque semaine.", "Constat partagé par l'équipe.", ""),
    "guichets": ("Constat fait à l'accueil.", "Je le vois chaque semaine au guichet.", ""),
}
EXTRAS = (
    "",
    "",
    "On pourrait commencer par un test de trois mois.",
    "Je peux participer à un groupe de travail.",
    "D'autres villes l'ont fait avec succès.",
    "Plusieurs collègues font le même constat.",
    "Les usagers nous en parlent souvent.",
)

COMMENTS = (
    "Très bonne idée, je soutiens.",
    "On l'a testé dans mon ancienne collectivité : ça marche si c'est entretenu.",
    "Attention au coût d'entretien dans la durée.",
    "Il faudrait associer les habitants du quartier dès le départ.",
    "Oui ! Et commencer par les endroits les plus fréquentés.",
    "Je suis plus réservé : le problème vient surtout du manque de contrôle.",
    "Est-ce que les équipes de terrain ont été consultées ?",
    "Simple et pas cher, pourquoi ne pas essayer ?",
    "Ça existe déjà à Mulhouse, il faudrait leur demander leur bilan.",
    "Bonne piste, mais il faut aussi penser aux personnes âgées.",
    "Je propose mon aide pour un test dans mon secteur.",
    "Idée intéressante, à condition de mesurer le résultat avant et après.",
)
REPLIES = (
    "Bonne remarque, je l'ajoute à la proposition.",
    "D'accord avec vous, c'est le point clé.",
    "Les équipes de terrain en ont parlé en réunion de service : elles sont partantes.",
    "Le coût est faible si on le fait en régie.",
    "Merci, je vais me renseigner.",
)
REJECT_REASONS = (
    "Le coût estimé par les démineurs dépasse largement le budget de l'année ; l'idée "
    "sera réexaminée lors de la préparation du budget suivant.",
    "Cette mesure ne relève pas de la compétence de l'agglomération : nous avons transmis "
    "l'idée à la commune concernée.",
    "Un dispositif équivalent existe déjà ; nous allons mieux le faire connaître plutôt "
    "que d'en créer un second.",
    "Les contraintes juridiques relevées par les démineurs (marché en cours, "
    "réglementation) ne permettent pas de la mettre en œuvre en l'état.",
    "Après examen, l'impact pour les usagers paraît trop faible au regard de l'effort "
    "demandé aux équipes.",
)
RETAIN_TEXTS = (
    "Idée retenue. Le service {service} la met en œuvre dans les prochains mois ; "
    "l'auteur sera associé au lancement.",
    "Idée retenue, avec les précautions relevées par les démineurs. Un point d'étape sera "
    "publié ici.",
    "Retenue : simple, peu coûteuse et utile aux usagers. Merci à l'auteur et à celles et "
    "ceux qui l'ont soutenue.",
)
EXPERIMENT_TEXTS = (
    "À expérimenter pendant trois mois sur un secteur test, avec un bilan publié avant "
    "toute généralisation.",
    "Expérimentation retenue sur deux sites, suivie par le service {service} avec "
    "l'auteur de l'idée.",
)
PROGRESS_TEXTS = {
    State.IMPLEMENTING: (
        "Mise en œuvre engagée : commande passée, installation prévue dans les semaines à venir.",
        "Le groupe de travail s'est réuni ; le calendrier de mise en œuvre est fixé.",
    ),
    State.IMPLEMENTED: (
        "C'est fait : le dispositif est en place depuis le début du mois.",
        "Mise en œuvre terminée ; merci aux équipes et à l'auteur de l'idée.",
    ),
    State.EVALUATED: (
        "Bilan à six mois : résultats nets sur les secteurs équipés ; le dispositif est "
        "maintenu et étendu.",
        "Bilan : effet réel mais plus faible qu'espéré ; ajustements en cours avec les "
        "équipes de terrain.",
    ),
}
REVIEW_TEXTS = {
    "retain": (
        "Idée pertinente et réaliste : les équipes peuvent la porter sans moyens "
        "supplémentaires importants.",
        "Favorable. Le besoin est réel et la solution proposée a fait ses preuves ailleurs.",
    ),
    "experiment": (
        "Intéressant, mais l'effet est incertain : un test limité permettrait de mesurer "
        "avant d'investir.",
        "Favorable à un essai sur un secteur, avec un comptage avant et après.",
    ),
    "rework": (
        "Le constat est juste, mais la solution est à retravailler : coût de maintenance "
        "sous-estimé.",
    ),
    "reject": (
        "Peu réaliste en l'état : coût élevé et contraintes réglementaires fortes.",
        "Défavorable : un dispositif existe déjà et répond au même besoin.",
    ),
}
CONSTRAINTS = (
    "",
    "Marché public à respecter au-delà de 40 000 € HT.",
    "Accord du délégataire nécessaire.",
    "Règlement de voirie : avis du gestionnaire de la voie.",
    "Entretien à prévoir dans le planning des équipes.",
)
PRECISIONS = (  # what authors add once the démineurs have asked
    "Précision : on commencerait par un seul site, avec un bilan au bout de trois mois.",
    "Précision : les équipes de terrain choisiraient elles-mêmes les emplacements.",
    "Précision : le coût resterait dans le budget de fonctionnement du service.",
    "Précision : une association locale s'est proposée pour aider.",
)
STATE_WEIGHTS = {
    # permanent box and the open call: every state
    "open": {
        State.SUBMITTED: 18,
        State.UNDER_REVIEW: 14,
        State.AWAITING_DECISION: 10,
        State.RETAINED: 10,
        State.EXPERIMENT: 7,
        State.REJECTED: 12,
        State.MERGED: 7,
        State.IMPLEMENTING: 8,
        State.IMPLEMENTED: 8,
        State.EVALUATED: 6,
    },
    # the closed call: decided, a few still awaiting the decision
    "closed": {
        State.AWAITING_DECISION: 3,
        State.RETAINED: 12,
        State.EXPERIMENT: 8,
        State.REJECTED: 14,
        State.MERGED: 6,
        State.IMPLEMENTING: 8,
        State.IMPLEMENTED: 10,
        State.EVALUATED: 8,
    },
}
# days between steps (min, max)
STEP_DAYS = {
    "review": (2, 12),
    "to_decision": (7, 25),
    "decided": (5, 35),
    State.IMPLEMENTING: (7, 30),
    State.IMPLEMENTED: (20, 80),
    State.EVALUATED: (30, 90),
}
PROGRESS = {
    State.RETAINED: (),
    State.EXPERIMENT: (),
    State.REJECTED: (),
    State.MERGED: (),
    State.IMPLEMENTING: (State.IMPLEMENTING,),
    State.IMPLEMENTED: (State.IMPLEMENTING, State.IMPLEMENTED),
    State.EVALUATED: (State.IMPLEMENTING, State.IMPLEMENTED, State.EVALUATED),
}
DECIDED_AS = {  # the decision behind a follow-up state
    State.IMPLEMENTING: State.RETAINED,
    State.IMPLEMENTED: State.RETAINED,
    State.EVALUATED: State.RETAINED,
}
ORDER = list(State)


@dataclass
class Draft:
    key: str  # campaign key
    base: Base
    state: str
    author: User | None = None
    submitted_by: User | None = None
    idea: Idea | None = None
    dates: dict = field(default_factory=dict)
    supporters: set = field(default_factory=set)
    followers: set = field(default_factory=set)
    comments: list = field(default_factory=list)
    pinned: bool = False
    merge_target: Draft | None = None
    decision: str = ""
    decider: tuple | None = None


@dataclass
class People:
    agents: dict[str, list[User]]  # organization slug -> agents (email order)
    residents: list[User]
    profiles: dict[int, AgentProfile]
    by_email: dict[str, User]
    deciders: list[tuple[Role, User]]
    experts: dict[str, User]

    def __getitem__(self, email: str) -> User:
        return self.by_email[email]


def load_ideas(
    territory: Territory,
    rng: random.Random,
    *,
    count: int = IDEA_COUNT,
    now: dt.datetime | None = None,
) -> int:
    """The demo's calls for ideas and `count` ideas (0: the campaigns only)."""
    now = now or timezone.now()
    orgs = {o.slug: o for o in Organization.objects.filter(territory=territory)}
    services_ = {
        (s.organization.slug, s.slug): s
        for s in Service.objects.filter(organization__territory=territory).select_related(
            "organization", "direction"
        )
    }
    themes = {t.slug: t for t in Theme.objects.filter(territory=territory)}
    _add_experts(orgs)
    people = _people(territory)
    animateur = people[f"animateur@{data.EMAIL_DOMAIN}"]
    campaigns = _campaigns(orgs, services_, themes, animateur, now)
    if count <= 0:
        return 0
    drafts = _drafts(rng, count, campaigns, people)
    _write(rng, drafts, campaigns, services_, themes, people, animateur, now)
    _through_services(rng, drafts, campaigns, services_, people, animateur)
    return Idea.objects.filter(campaign__territory=territory).count()


# --- people ---------------------------------------------------------------------------------
def _add_experts(orgs) -> None:
    users = {u.email: u for u in User.objects.filter(email__in=[e[0] for e in EXTRA_EXPERTS])}
    Role.objects.bulk_create(
        Role(user=users[email], organization=orgs[org], kind="expert", title=title, topics=topics)
        for email, org, title, topics in EXTRA_EXPERTS
        if email in users
    )


def _people(territory) -> People:
    profiles = {
        p.user_id: p
        for p in AgentProfile.objects.filter(organization__territory=territory).select_related(
            "organization", "service", "user"
        )
    }
    agents: dict[str, list[User]] = {}
    for p in sorted(profiles.values(), key=lambda p: p.user.email):
        agents.setdefault(p.organization.slug, []).append(p.user)
    residents = list(
        User.objects.filter(
            email__iendswith=f"@{data.RESIDENT_SUBDOMAIN}.{data.EMAIL_DOMAIN}"
        ).order_by("email")
    )
    usager = User.objects.get(email=f"usager@{data.EMAIL_DOMAIN}")
    residents.insert(0, usager)
    by_email = {u.email: u for u in [*residents, *(p.user for p in profiles.values())]}
    for u in User.objects.filter(email__endswith=f"@{data.EMAIL_DOMAIN}", agent_profile=None):
        by_email.setdefault(u.email, u)
    deciders = [
        (r, r.user)
        for r in Role.objects.filter(
            organization__territory=territory, kind__in=["manager", "direction", "elu"]
        )
        .select_related("user", "organization", "direction")
        .prefetch_related("services")
        .order_by("user__email", "pk")
    ]
    experts = {
        r.user.email: r.user
        for r in Role.objects.filter(organization__territory=territory, kind="expert")
        .select_related("user")
        .order_by("pk")
    }
    return People(agents, residents, profiles, by_email, deciders, experts)


# --- campaigns ------------------------------------------------------------------------------
def _campaigns(orgs, services_, themes, animateur, now) -> dict[str, Campaign]:
    agglo, ville = orgs[A], orgs[V]
    today = timezone.localdate(now)
    box = services.permanent_box(agglo)
    box.title = "Boîte à idées permanente des agents de l'agglomération"
    box.question = "Qu'est-ce qui rendrait notre service public meilleur pour ses usagers ?"
    box.description = (
        "Ouverte toute l'année aux agents de Val de Lise Agglomération : une idée argumentée, "
        "l'avis des démineurs, puis une décision publique au bon niveau (équipe, service, "
        "direction ou élus)."
    )
    box.moderation_rules = (
        "Une idée par proposition, argumentée (le constat, la proposition, le bénéfice pour "
        "les usagers). Pas de mise en cause de collègues nommément."
    )
    box.decision_calendar = (
        "Les managers décident sous un mois ; comité de direction le premier mardi du mois ; "
        "bureau communautaire chaque trimestre pour les idées qui relèvent des élus."
    )
    box.created_at = now - dt.timedelta(days=400)
    box.save()
    megots = services.campaign_save(
        actor=animateur,
        organization=agglo,
        title=MEGOTS_TITLE,
        question=(
            "Un mégot pollue jusqu'à 500 litres d'eau et des milliers sont jetés chaque jour "
            "dans nos rues : quelles idées pour qu'ils finissent ailleurs que par terre ?"
        ),
        description=(
            "Inspiré de La Transfo à Mulhouse : habitants et agents de l'agglomération et de "
            "la ville de Montlise proposent, les démineurs (équipes de propreté, collecte, "
            "espaces verts) donnent leur avis, les élus décident et répondent publiquement."
        ),
        scope=Scope.BOTH,
        opens_on=today - dt.timedelta(days=150),
        closes_on=today + dt.timedelta(days=30),
        decisions_by=today + dt.timedelta(days=75),
        decision_calendar=(
            "Avis des démineurs sous trois semaines. Les responsables de service décident au "
            "fil de l'eau ; comité de direction mensuel ; bureau communautaire du "
            f"{(today + dt.timedelta(days=60)).strftime('%d/%m/%Y')} pour les idées qui "
            "relèvent des élus. Toutes les réponses seront publiées avant le "
            f"{(today + dt.timedelta(days=75)).strftime('%d/%m/%Y')}."
        ),
        moderation="post",
        moderation_rules=(
            "Charte de participation : on propose, on argumente, on respecte les autres. "
            "Sont masqués (avec le motif) les propos injurieux, les attaques personnelles, "
            "les données personnelles sur autrui et la publicité. Chacun peut signaler un "
            "contenu ; l'équipe d'animation répond sous 48 heures ouvrées."
        ),
        organizations=[agglo, ville],
        themes=[themes["proprete"], themes["dechets"]],
        services=[services_[DEC], services_[PROP], services_[EV]],
    )
    guichets = services.campaign_save(
        actor=animateur,
        organization=agglo,
        title=GUICHETS_TITLE,
        question="Comment mieux accueillir les usagers à nos guichets et au téléphone ?",
        description=(
            "Appel à idées réservé aux agents de l'agglomération et de la ville de Montlise, "
            "clos : les décisions sont publiées."
        ),
        scope=Scope.AGENTS,
        opens_on=today - dt.timedelta(days=330),
        closes_on=today - dt.timedelta(days=270),
        decisions_by=today - dt.timedelta(days=200),
        decision_calendar="Comité de direction du printemps ; bureau communautaire de juin.",
        moderation="post",
        moderation_rules="Les règles de la boîte à idées permanente s'appliquent.",
        organizations=[agglo, ville],
        themes=[themes["demarches"]],
        services=[services_[(A, "accueil")], services_[(A, "france-services")]],
    )
    for campaign, days in ((megots, 152), (guichets, 335)):
        Campaign.objects.filter(pk=campaign.pk).update(created_at=now - dt.timedelta(days=days))
    return {"box": box, "megots": megots, "guichets": guichets}


# --- what to write ----------------------------------------------------------------------------
BASES = {"box": BOX, "megots": MEGOTS, "guichets": GUICHETS}


def _drafts(rng, count, campaigns, people: People) -> list[Draft]:
    p = people
    usager = p[f"usager@{data.EMAIL_DOMAIN}"]
    agent = p[f"agent@{data.EMAIL_DOMAIN}"]

    def base(key, service_slug, level):
        return next(b for b in BASES[key] if b.service[1] == service_slug and b.level == level)

    # what the demo accounts find waiting for them (see the module docstring)
    pinned = [
        Draft("megots", MEGOTS[0], State.AWAITING_DECISION, author=usager),  # decided below
        Draft("megots", MEGOTS[5], State.AWAITING_DECISION, author=p.residents[3]),
        Draft("megots", MEGOTS[13], State.AWAITING_DECISION, author=usager),
        Draft("megots", MEGOTS[1], State.RETAINED, author=usager),
        Draft("box", base("box", "eau-assainissement", "service"), State.AWAITING_DECISION),
        Draft("box", BOX[2], State.AWAITING_DECISION),
        Draft("box", BOX[3], State.AWAITING_DECISION),
        Draft("box", BOX[4], State.AWAITING_DECISION),
        Draft("box", BOX[12], State.SUBMITTED, author=agent),  # démineur named below
        Draft("box", BOX[1], State.UNDER_REVIEW, author=agent),
        Draft("box", BOX[1], State.UNDER_REVIEW),
        Draft("box", BOX[0], State.UNDER_REVIEW),
    ]
    for d in pinned:
        d.pinned = True
    drafts = list(pinned)
    shares = (("box", 0.42), ("megots", 0.40), ("guichets", 0.18))
    while len(drafts) < count:
        r, key = rng.random(), "guichets"
        for k, share in shares:
            if r < share:
                key = k
                break
            r -= share
        weights = STATE_WEIGHTS["closed" if key == "guichets" else "open"]
        state = rng.choices(list(weights), weights=list(weights.values()))[0]
        drafts.append(Draft(key, rng.choice(BASES[key]), state))
    # every state in the box and in the open call
    for key in ("box", "megots"):
        present = {d.state for d in drafts if d.key == key}
        mutable = [d for d in drafts if d.key == key and not d.pinned]
        for state in State:
            if state not in present:
                rng.choice(mutable).state = state
    for d in drafts:
        _choose_author(rng, d, campaigns[d.key], people)
    return drafts


def _choose_author(rng, d: Draft, campaign, people: People) -> None:
    if d.author is not None:
        return
    agents_a, agents_v = people.agents.get(A, []), people.agents.get(V, [])
    if d.key == "box":
        d.author = rng.choice(agents_a)
    elif d.key == "guichets":
        d.author = rng.choice(agents_a + agents_v)
    else:
        r = rng.random()
        if r < 0.55:
            d.author = rng.choice(people.residents)
        elif r < 0.9:
            d.author = rng.choice(agents_a + agents_v)
        else:  # typed by a front-line agent for a user met at the counter
            front = [u for u in agents_a if people.profiles[u.pk].front_line]
            d.submitted_by = rng.choice(front)


def _pool(d: Draft, campaign, people: People) -> list[User]:
    """Who sees the idea, hence may support, follow or comment it."""
    agents = people.agents.get(A, []) + (people.agents.get(V, []) if d.key != "box" else [])
    idea = d.idea
    if idea.visibility == Visibility.PUBLIC and campaign.scope != Scope.AGENTS:
        return agents + people.residents
    if idea.visibility == Visibility.PUBLIC:
        return agents
    orgs = {idea.organization_id, campaign.organization_id}
    return [u for u in agents if people.profiles[u.pk].organization_id in orgs]


def _days(rng, step) -> dt.timedelta:
    lo, hi = STEP_DAYS[step]
    return dt.timedelta(days=rng.uniform(lo, hi))


def _timeline(rng, d: Draft, campaign, now) -> dict:
    """When each step happened: created, review, to_decision, decided, progress steps."""
    state = State(d.state)
    steps: list[tuple[str, dt.timedelta]] = []
    rank = ORDER.index(state)
    if state != State.SUBMITTED:
        steps.append(("review", _days(rng, "review")))
    if rank >= ORDER.index(State.AWAITING_DECISION):
        steps.append(("to_decision", _days(rng, "to_decision")))
    if rank >= ORDER.index(State.RETAINED):
        steps.append(("decided", _days(rng, "decided")))
    for s in PROGRESS.get(state, ()):
        steps.append((s, _days(rng, s)))
    total = sum((delta for _s, delta in steps), dt.timedelta())
    if campaign.is_permanent:
        start, end = now - dt.timedelta(days=365), now
    else:
        start = timezone.make_aware(dt.datetime.combine(campaign.opens_on, dt.time(9)))
        end = min(now, timezone.make_aware(dt.datetime.combine(campaign.closes_on, dt.time(18))))
    if state == State.SUBMITTED:
        start = max(start, now - dt.timedelta(days=40))
    elif state in (State.UNDER_REVIEW, State.AWAITING_DECISION) and campaign.is_open(
        timezone.localdate(now)
    ):
        start = max(start, now - total - dt.timedelta(days=45))
    latest = min(end, now - total - dt.timedelta(hours=2))
    if latest <= start:  # not enough room: compress the steps
        room = (now - start).total_seconds() * 0.9
        factor = room / max(total.total_seconds() + 86400, 1)
        steps = [(s, delta * factor) for s, delta in steps]
        latest = start + dt.timedelta(days=1)
    created = start + (latest - start) * rng.random()
    created = created.replace(hour=rng.randrange(8, 19), minute=rng.randrange(60))
    created = min(created, now - dt.timedelta(hours=3))
    dates = {"created": created}
    at = created
    for s, delta in steps:
        at = min(at + delta, now - dt.timedelta(minutes=30))
        dates[s] = at
    return dates


def _decider(d: Draft, campaign, services_, people: People):
    """The role that decides at the idea's level, within its perimeter (as rules.decide)."""
    service = services_[d.base.service]
    need = {"team": 2, "service": 2, "direction": 3, "elus": 4}[d.base.level]
    rank = {"manager": 2, "direction": 3, "elu": 4}
    best = None
    for role, user in people.deciders:
        if role.organization_id != campaign.organization_id or rank[role.kind] < need:
            continue
        if role.kind == "manager":
            covers = service.pk in {s.pk for s in role.services.all()}
        elif role.kind == "direction":
            covers = role.direction_id is None or role.direction_id == service.direction_id
        else:
            ids = {s.pk for s in role.services.all()}
            covers = not ids or service.pk in ids
        if not covers:
            continue
        specific = role.direction_id is not None or bool(role.services.all())
        key = (rank[role.kind], not specific)  # the lowest level, the closest perimeter
        if best is None or key < best[0]:
            best = (key, role, user)
    return best[1], best[2]


def _signature(role, campaign) -> str:
    return f"{role.title}, {campaign.organization.display_name}"


def _write(rng, drafts, campaigns, services_, themes, people: People, animateur, now) -> None:
    ctype = ContentType.objects.get_for_model(Idea)
    used: dict[tuple[str, str], int] = {}
    ideas: list[Idea] = []
    for d in drafts:
        campaign = campaigns[d.key]
        k = used.get((d.key, d.base.title), 0)
        used[(d.key, d.base.title)] = k + 1
        profile = people.profiles.get(d.author.pk) if d.author else None
        if d.key == "megots":
            place, at = rng.choice(STREETS if d.base.title in ANYWHERE_IN_A_STREET else COMMUNES)
        else:  # an agents' idea proposed again by another team
            at = ""
            place = profile.service.name if profile and profile.service else "direction"
            place = f"équipe {place}"
        title = d.base.title if k == 0 else f"{d.base.title} — {place}"
        opener = rng.choice(OPENERS[d.key]).format(at=at)
        problem = " ".join(s for s in (opener, d.base.problem, rng.choice(EXTRAS)) if s)
        d.dates = _timeline(rng, d, campaign, now)
        if d.submitted_by is not None or profile is None:
            category, org_id, service_id = AuthorCategory.USAGER, campaign.organization_id, None
            public = True
            profile = None
        else:
            category = profile.category
            org_id, service_id = profile.organization_id, profile.service_id
            public = rng.random() < 0.3
        created = d.dates["created"]
        d.idea = Idea(
            campaign=campaign,
            organization_id=org_id,
            author=d.author,
            submitted_by=d.submitted_by,
            on_behalf_of_user=d.submitted_by is not None,
            author_category=category,
            author_organization_id=org_id if profile else None,
            author_service_id=service_id,
            title=title[:150],
            problem=problem,
            proposal=d.base.proposal,
            benefit=d.base.benefit,
            decision_level=d.base.level,
            theme=themes.get(d.base.theme),
            visibility=Visibility.PUBLIC if public else Visibility.ORGANIZATION,
            state=d.state,
            created_at=created,
            updated_at=created,
            review_started_at=d.dates.get("review"),
        )
        ideas.append(d.idea)
    _merge_targets(rng, drafts)
    for d in drafts:
        _decide(rng, d, campaigns[d.key], services_, people)
    Idea.objects.bulk_create(ideas, batch_size=500)
    Idea.services.through.objects.bulk_create(
        Idea.services.through(idea_id=d.idea.pk, service_id=services_[d.base.service].pk)
        for d in drafts
    )
    merged = [d for d in drafts if d.state == State.MERGED]
    for d in merged:
        d.idea.merged_into = d.merge_target.idea
        Idea.objects.filter(pk=d.idea.pk).update(merged_into=d.merge_target.idea.pk)
    events: list[StatusEvent] = []

    def event(d, action, at, *, actor=None, label="", frm="", to="", text="", payload=None):
        events.append(
            StatusEvent(
                content_type=ctype,
                object_id=d.idea.pk,
                action=action,
                actor=actor,
                actor_label=label[:200],
                from_status=frm,
                to_status=to,
                public_text=text,
                data=payload or {},
                created_at=at,
            )
        )

    reviews = _reviews(rng, drafts, people, animateur, event)
    versions = _versions(rng, drafts, event)
    for d in drafts:
        _history(rng, d, animateur, event)
    _participation(rng, drafts, campaigns, people, now)
    Review.objects.bulk_create(reviews, batch_size=500)
    IdeaVersion.objects.bulk_create(versions, batch_size=500)
    StatusEvent.objects.bulk_create(events, batch_size=1000)


def _merge_targets(rng, drafts: list[Draft]) -> None:
    """A merged idea points to an idea of the same call proposing the same thing,
    submitted before it was merged (or, failing that, is rejected as a duplicate)."""
    for d in drafts:
        if d.state != State.MERGED:
            continue
        candidates = [
            o
            for o in drafts
            if o is not d
            and o.key == d.key
            and o.base is d.base
            and o.state != State.MERGED
            and o.dates["created"] < d.dates.get("decided", d.dates["created"])
        ]
        if not candidates:
            candidates = [
                o
                for o in drafts
                if o is not d
                and o.key == d.key
                and o.base.theme == d.base.theme
                and o.state != State.MERGED
                and o.dates["created"] < d.dates.get("decided", d.dates["created"])
            ]
        if candidates:
            d.merge_target = candidates[0]
        else:
            d.state = d.idea.state = State.REJECTED


def _decide(rng, d: Draft, campaign, services_, people) -> None:
    if "decided" not in d.dates:
        return
    idea = d.idea
    role, user = _decider(d, campaign, services_, people)
    decision = DECIDED_AS.get(d.state, d.state)
    service_name = services_[d.base.service].name
    if decision == State.REJECTED:
        text = rng.choice(REJECT_REASONS)
    elif decision == State.MERGED:
        text = (
            f"Cette idée rejoint « {d.merge_target.idea.title} », qui propose la même chose : "
            "auteurs et soutiens sont regroupés sur cette idée."
        )
    elif decision == State.EXPERIMENT:
        text = rng.choice(EXPERIMENT_TEXTS).format(service=service_name)
    else:
        text = rng.choice(RETAIN_TEXTS).format(service=service_name)
    idea.decision_text = text
    idea.decision_signature = _signature(role, campaign)
    idea.decided_by = user
    idea.decided_at = d.dates["decided"]
    idea.is_quick_win = decision in (State.RETAINED, State.EXPERIMENT) and (
        d.base.quick or rng.random() < 0.05
    )
    d.decision = decision
    d.decider = (role, user)


def _reviews(rng, drafts, people: People, animateur, event) -> list[Review]:
    rows = []
    expert = people.experts.get(EXPERT_EMAIL)
    for d in drafts:
        if "review" not in d.dates:
            continue
        emails = list(EXPERTS_BY_SERVICE.get(d.base.service[1], ()))[:1]
        if expert is not None and EXPERT_EMAIL not in emails and rng.random() < 0.3:
            emails.append(EXPERT_EMAIL)
        if d.pinned and d.state == State.UNDER_REVIEW and EXPERT_EMAIL not in emails:
            emails.insert(0, EXPERT_EMAIL)
        experts = [
            people.experts[e]
            for e in emails
            if e in people.experts and people.experts[e] not in (d.author, d.submitted_by)
        ]
        if not experts:
            experts = [u for u in people.experts.values() if u not in (d.author, d.submitted_by)][
                :1
            ]
        assigned = d.dates["review"]
        due = (assigned + dt.timedelta(days=21)).date()
        if d.state == State.UNDER_REVIEW and not d.pinned and rng.random() < 0.15:
            due = (assigned + dt.timedelta(days=7)).date()  # some are late
        if d.pinned and d.state == State.UNDER_REVIEW:
            due = max(due, timezone.localdate() + dt.timedelta(days=5))
        event(
            d,
            "review_assigned",
            assigned,
            actor=animateur,
            frm=State.SUBMITTED,
            to=State.UNDER_REVIEW,
            text=f"{len(experts)} démineur(s) donneront leur avis d'ici le "
            f"{due.strftime('%d/%m/%Y')}.",
            payload={"experts": [u.pk for u in experts], "due_on": due.isoformat()},
        )
        outcome = d.decision or None
        for i, user in enumerate(experts):
            review = Review(
                idea=d.idea,
                expert=user,
                expert_label=services._expert_label(user),
                assigned_by=animateur,
                assigned_at=assigned,
                due_on=due,
            )
            given = d.state != State.UNDER_REVIEW or (not d.pinned and rng.random() < 0.5)
            if d.pinned and d.state == State.UNDER_REVIEW and user.email == EXPERT_EMAIL:
                given = False
            if given:
                end = d.dates.get("to_decision") or timezone.now()
                at = assigned + (end - assigned) * rng.uniform(0.3, 0.9)
                recommendation = _recommendation(rng, outcome)
                review.feasibility = {
                    "retain": "easy",
                    "experiment": "moderate",
                    "rework": "hard",
                    "reject": rng.choice(["hard", "not_feasible"]),
                }[recommendation]
                review.cost_band = rng.choice(
                    ["none", "low", "medium"]
                    if recommendation in ("retain", "experiment")
                    else ["medium", "high", "very_high"]
                )
                review.impact = rng.choice(
                    ["medium", "high"] if recommendation != "reject" else ["low", "medium"]
                )
                review.recommendation = recommendation
                review.constraints = rng.choice(CONSTRAINTS)
                review.text = rng.choice(REVIEW_TEXTS[recommendation])
                review.submitted_at = at
                event(d, "review_given", at, actor=user, label=review.expert_label)
                published = d.state != State.UNDER_REVIEW and (i == 0 or rng.random() < 0.7)
                if published:
                    review.published_at = at + (end - at) * 0.5
                    event(d, "review_published", review.published_at, actor=animateur)
            rows.append(review)
    return rows


def _recommendation(rng, outcome) -> str:
    if outcome == State.REJECTED:
        return rng.choice(["reject", "reject", "rework"])
    if outcome == State.EXPERIMENT:
        return rng.choice(["experiment", "experiment", "retain"])
    if outcome in (State.RETAINED,):
        return rng.choice(["retain", "retain", "experiment"])
    return rng.choice(["retain", "experiment", "rework", "reject"])


def _versions(rng, drafts, event) -> list[IdeaVersion]:
    """Version 1 of every idea; a second version for a few edited after the review
    started (the first one had a shorter proposal)."""
    rows = []
    edited = [
        d
        for d in drafts
        if d.state in (State.UNDER_REVIEW, State.AWAITING_DECISION, State.RETAINED)
        and d.author is not None
    ]
    edited = set(map(id, rng.sample(edited, min(8, len(edited)))))
    for d in drafts:
        idea = d.idea
        author = d.author or d.submitted_by
        if id(d) not in edited:
            rows.append(
                IdeaVersion(
                    idea=idea,
                    number=1,
                    title=idea.title,
                    problem=idea.problem,
                    proposal=idea.proposal,
                    benefit=idea.benefit,
                    created_at=idea.created_at,
                    created_by=author,
                )
            )
            continue
        first = idea.proposal
        idea.proposal = f"{first} {rng.choice(PRECISIONS)}"
        review = d.dates["review"]
        at = review + (d.dates.get("to_decision", timezone.now()) - review) / 3
        note = "Précisions après les questions des démineurs."
        rows += [
            IdeaVersion(
                idea=idea,
                number=1,
                title=idea.title,
                problem=idea.problem,
                proposal=first,
                benefit=idea.benefit,
                created_at=idea.created_at,
                created_by=author,
            ),
            IdeaVersion(
                idea=idea,
                number=2,
                title=idea.title,
                problem=idea.problem,
                proposal=idea.proposal,
                benefit=idea.benefit,
                note=note,
                created_at=at,
                created_by=author,
            ),
        ]
        Idea.objects.filter(pk=idea.pk).update(version=2, updated_at=at, proposal=idea.proposal)
        idea.version = 2
        event(d, "new_version", at, actor=author, payload={"version": 2}, text=note)
    return rows


def _history(rng, d: Draft, animateur, event) -> None:
    dates = d.dates
    event(d, "submitted", dates["created"], actor=d.author or d.submitted_by, to=State.SUBMITTED)
    if "to_decision" in dates:
        event(
            d,
            "to_decision",
            dates["to_decision"],
            actor=animateur,
            frm=State.UNDER_REVIEW,
            to=State.AWAITING_DECISION,
        )
    if "decided" not in dates:
        return
    _role, user = d.decider
    idea = d.idea
    event(
        d,
        "decided",
        dates["decided"],
        actor=user,
        label=idea.decision_signature,
        frm=State.AWAITING_DECISION,
        to=d.decision,
        text=idea.decision_text,
    )
    if d.decision == State.MERGED:
        event(
            d.merge_target,
            "merged_in",
            dates["decided"],
            payload={"idea": idea.pk, "title": idea.title},
        )
    previous = d.decision
    for step in PROGRESS.get(d.state, ()):
        event(
            d,
            "progress",
            dates[step],
            actor=user,
            label=idea.decision_signature,
            frm=previous,
            to=step,
            text=rng.choice(PROGRESS_TEXTS[step]),
        )
        previous = step


def _participation(rng, drafts, campaigns, people: People, now) -> None:
    """Supports, follows and threaded comments; merged ideas carry their authors,
    followers and supporters over to the idea they joined; counters equal the rows."""
    labels: dict[int, str] = {}

    def label(user):
        if user.pk not in labels:
            profile = people.profiles.get(user.pk)
            labels[user.pk] = f"Agent, {profile.organization.display_name}" if profile else "Usager"
        return labels[user.pk]

    comments: list[Comment] = []
    for d in drafts:
        campaign = campaigns[d.key]
        idea = d.idea
        owner = d.author or d.submitted_by
        pool = [u for u in _pool(d, campaign, people) if u != owner]
        popular = 1.0 if not d.base.quick else 1.5
        n = min(len(pool), int(len(pool) * 0.7 * popular * rng.random() ** 2.2))
        if d.state == State.SUBMITTED:
            n //= 3
        d.supporters = {u.pk for u in rng.sample(pool, n)}
        d.followers = {owner.pk} | {u for u in d.supporters if rng.random() < 0.15}
        n_comments = int(9 * rng.random() ** 2.5) if d.state != State.SUBMITTED else 0
        end = d.dates.get("decided") or now
        thread: list[Comment] = []
        for i in range(n_comments):
            author = rng.choice(pool) if pool else owner
            parent = rng.choice(thread) if thread and rng.random() < 0.35 else None
            if parent is not None and parent.depth >= services.MAX_COMMENT_DEPTH:
                parent = parent.parent  # as comment_add: the deepest level is flat
            at = d.dates["created"] + (end - d.dates["created"]) * ((i + 1) / (n_comments + 1))
            if parent is not None and rng.random() < 0.5 and owner is not None:
                author = owner  # the author answers
            comment = Comment(
                idea=idea,
                parent=parent,
                author=author,
                author_label=label(author),
                text=rng.choice(REPLIES if parent else COMMENTS),
                depth=min(parent.depth + 1, services.MAX_COMMENT_DEPTH) if parent else 0,
                created_at=at,
            )
            thread.append(comment)
        # parents first: bulk_create sets their pks before the replies are written
        for depth in range(services.MAX_COMMENT_DEPTH + 1):
            level = [c for c in thread if c.depth == depth]
            comments.extend(level)
        d.comments = thread
    for depth in range(services.MAX_COMMENT_DEPTH + 1):
        batch = [c for c in comments if c.depth == depth]
        for c in batch:
            if c.parent is not None:
                c.parent_id = c.parent.pk
        Comment.objects.bulk_create(batch, batch_size=500)
    # merged ideas: their people join the target
    coauthors = []
    for d in drafts:
        if d.state == State.MERGED:
            target = d.merge_target
            owner = d.author or d.submitted_by
            target_owner = target.author or target.submitted_by
            target.supporters |= d.supporters - {getattr(target_owner, "pk", None)}
            target.followers |= d.followers
            if d.author is not None and owner != target_owner:
                coauthors.append((target.idea.pk, d.author.pk))
    Idea.coauthors.through.objects.bulk_create(
        [Idea.coauthors.through(idea_id=i, user_id=u) for i, u in sorted(set(coauthors))],
        ignore_conflicts=True,
    )
    supports, follows = [], []
    for d in drafts:
        start = d.dates["created"]
        end = d.dates.get("decided") or now
        for pk in sorted(d.supporters):
            supports.append(
                Support(idea=d.idea, user_id=pk, created_at=start + (end - start) * rng.random())
            )
        for pk in sorted(d.followers):
            follows.append(Follow(idea=d.idea, user_id=pk, created_at=start))
        Idea.objects.filter(pk=d.idea.pk).update(
            support_count=len(d.supporters),
            follower_count=len(d.followers),
            comment_count=len(d.comments),
        )
    Support.objects.bulk_create(supports, batch_size=1000)
    Follow.objects.bulk_create(follows, batch_size=1000)


# --- a few actions through the services (notifications, moderation queue) --------------------
FLAGGED = (
    (
        "N'importe quoi. Encore une idée de bureaucrates qui ne ramassent jamais rien "
        "eux-mêmes, vous êtes des incapables.",
        "insult",
        "Propos insultants envers les agents.",
    ),
    (
        "Le voisin du 12 rue des Tisserands, M. Perrin, jette ses mégots par la fenêtre tous "
        "les soirs, allez le voir.",
        "personal_data",
        "Nom et adresse d'un particulier.",
    ),
    (
        "Achetez nos cendriers personnalisés sur notre site, livraison offerte dès 50 pièces !",
        "spam",
        "",
    ),
)
HIDDEN_REASON = (
    "Propos injurieux envers d'autres participants, contraires à la charte de participation."
)


def _through_services(rng, drafts, campaigns, services_, people: People, animateur) -> None:
    usager = people[f"usager@{data.EMAIL_DOMAIN}"]
    agent = people[f"agent@{data.EMAIL_DOMAIN}"]
    elu = people[f"elu@{data.EMAIL_DOMAIN}"]
    expert = people.experts.get(EXPERT_EMAIL)
    megots = campaigns["megots"]
    fresh = {u.pk: User.objects.get(pk=u.pk) for u in (usager, agent, elu, animateur)}
    outbox_before = OutboxEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    # the élu retains the user's idea: Camille finds the decision in her notifications
    first = Idea.objects.get(pk=drafts[0].idea.pk)
    services.idea_decide(
        first,
        actor=fresh[elu.pk],
        state=State.RETAINED,
        text=(
            "Idée retenue par le bureau communautaire : dix arrêts de bus seront équipés de "
            "cendriers « sondage » au printemps, avec une question renouvelée chaque mois. "
            "Bilan publié ici après six mois."
        ),
        quick_win=False,
    )
    # the animateur names the démineur on the front-desk agent's idea
    if expert is not None:
        named = Idea.objects.get(pk=drafts[8].idea.pk)
        services.reviews_assign(
            named,
            actor=fresh[animateur.pk],
            experts=[User.objects.get(pk=expert.pk)],
            due_on=timezone.localdate() + dt.timedelta(days=14),
        )
    # a new idea from the user, and the animateur's answer to her comment
    services.idea_submit(
        author=fresh[usager.pk],
        campaign=megots,
        title="Un étui à mégots offert avec l'abonnement de bus",
        problem="Beaucoup de fumeurs attendent le bus et jettent leur mégot en montant.",
        proposal="Offrir un cendrier de poche avec chaque abonnement annuel au réseau de bus.",
        benefit="Des arrêts plus propres sans contrainte pour personne.",
        decision_level="service",
        services=[services_[DEC]],
    )
    public = [
        d
        for d in drafts
        if d.key == "megots"
        and d.idea.visibility == Visibility.PUBLIC
        and d.state in (State.SUBMITTED, State.UNDER_REVIEW, State.AWAITING_DECISION)
        and d.author is not None
        and d is not drafts[0]
    ]
    target = Idea.objects.get(pk=public[0].idea.pk)
    question = services.comment_add(
        target,
        author=fresh[usager.pk],
        text="Est-ce que les cendriers seraient aussi installés dans les petites communes ?",
    )
    services.comment_add(
        target,
        author=fresh[animateur.pk],
        parent=question,
        text="Oui : les démineurs étudient une version pour les centres-bourgs.",
    )
    # the moderation queue: reports waiting, one comment hidden with its reason
    residents = people.residents
    for i, (text, reason, detail) in enumerate(FLAGGED):
        idea = Idea.objects.get(pk=public[i + 1].idea.pk)
        comment = services.comment_add(idea, author=residents[5 + i], text=text)
        for reporter in residents[10 + i : 12 + i]:
            moderation.flag(comment, reporter=reporter, reason=reason, text=detail)
    idea = Idea.objects.get(pk=public[4].idea.pk)
    rude = services.comment_add(
        idea,
        author=residents[8],
        text="Ceux qui proposent ça sont des abrutis qui ne sortent jamais de chez eux.",
    )
    moderation.flag(rude, reporter=residents[9], reason="insult")
    services.moderate(rude, actor=fresh[animateur.pk], action="hide", reason=HIDDEN_REASON)
    # the in-app notifications stay; the emails they queued to the fictional demo
    # addresses are dropped (delivery after commit finds nothing and does nothing)
    OutboxEmail.objects.filter(pk__gt=outbox_before, status=OutboxEmail.Status.PENDING).delete()
