"""The templates of a process: one per field case of the study, plus a blank process.

Each blueprint says where it comes from (shown on the "new process" page), the default
presentation of the process and its phases, laid out one after the other from a start
date. The texts are in French on purpose: they are default contents the team edits, not
interface strings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cocon.processes.models.process import Component as C
from cocon.processes.models.process import Template


@dataclass(frozen=True)
class PhaseBlueprint:
    title: str
    description: str
    days: int
    components: tuple[str, ...]


@dataclass(frozen=True)
class EventBlueprint:
    """An event created with the process (the Flash 360 workshop)."""

    phase: int  # index in `phases`
    kind: str
    title: str
    day: int  # days after the phase starts
    hour: int
    hours: int
    target_mix: dict


@dataclass(frozen=True)
class Blueprint:
    template: str
    label: str
    origin: str  # where it comes from, in the study
    description: str
    phases: tuple[PhaseBlueprint, ...] = field(default_factory=tuple)
    events: tuple[EventBlueprint, ...] = field(default_factory=tuple)

    def phase_rows(self, start: dt.date) -> list[dict]:
        """The phases with consecutive dates from `start` (no overlap, no gap)."""
        rows, day = [], start
        for p in self.phases:
            ends = day + dt.timedelta(days=p.days - 1)
            rows.append(
                {
                    "title": p.title,
                    "description": p.description,
                    "starts_on": day,
                    "ends_on": ends,
                    "components": list(p.components),
                }
            )
            day = ends + dt.timedelta(days=1)
        return rows


P = PhaseBlueprint

BLUEPRINTS: dict[str, Blueprint] = {
    Template.TRANSFO: Blueprint(
        template=Template.TRANSFO,
        label="La Transfo",
        origin=(
            "Programme de la 27e Région (depuis 2011) pour préfigurer un laboratoire "
            "d’innovation publique dans une collectivité. Une vingtaine d’agents "
            "volontaires de toutes catégories, les « ambassadeurs », choisis sur appel à "
            "candidatures pour la diversité des métiers et des grades, enquêtent auprès des "
            "usagers puis imaginent et testent des solutions (Paris, Mulhouse…). Ils y "
            "consacrent environ trois jours par mois pendant 16 mois."
        ),
        description=(
            "Une démarche d’innovation par les usages : des agents ambassadeurs de tous "
            "services et de toutes catégories partent des usages réels, enquêtent sur le "
            "terrain, imaginent, prototypent et expérimentent des solutions."
        ),
        phases=(
            P(
                "Appel à ambassadeurs",
                "Les agents candidatent ; leur encadrant valide le temps consacré ; une "
                "sélection diversifiée (catégories, services, genres) est tirée au sort.",
                30,
                (C.AMBASSADORS, C.INFORMATION),
            ),
            P(
                "Formation des ambassadeurs",
                "Sensibilisation à l’innovation publique et au design de service.",
                30,
                (C.EVENTS,),
            ),
            P(
                "Enquête de terrain avec les usagers",
                "Entretiens, observations, photos et verbatims recueillis auprès des "
                "usagers et des habitants.",
                60,
                (C.VOICES, C.EVENTS),
            ),
            P(
                "Idéation",
                "Ateliers de créativité : les pistes issues de l’enquête deviennent des "
                "propositions.",
                45,
                (C.PROPOSALS, C.EVENTS),
            ),
            P(
                "Prototypage",
                "Les idées retenues prennent une forme testable, rapidement et à peu de frais.",
                45,
                (C.EVENTS, C.DECISION),
            ),
            P(
                "Expérimentation et itérations",
                "Les prototypes sont testés en situation réelle, ajustés, testés à nouveau.",
                120,
                (C.ACTIONS, C.FEEDBACK),
            ),
            P(
                "Vers un laboratoire d’innovation pérenne",
                "Ce qui reste de la démarche : une fonction innovation dans la collectivité, "
                "des ambassadeurs qui continuent de diffuser les pratiques.",
                150,
                (C.INFORMATION, C.FEEDBACK),
            ),
        ),
    ),
    Template.CARTE_BLANCHE: Blueprint(
        template=Template.CARTE_BLANCHE,
        label="Carte blanche",
        origin=(
            "Expérimentation lancée fin 2017 par l’État et les élus locaux dans le bassin "
            "de vie de Cahors (Lot, 63 communes). Les agents de tous les opérateurs du "
            "territoire (collectivités, État, CAF, CPAM, La Poste…) ont choisi les champs "
            "prioritaires, mené entretiens et immersions, travaillé avec des personas, et "
            "imaginé cinq solutions à moyens constants, dont l’agent polyvalent et le car "
            "des services publics itinérant."
        ),
        description=(
            "Carte blanche pour réinventer le service public du territoire à partir des "
            "besoins de sa population, avec les agents de tous les opérateurs, à moyens "
            "financiers constants."
        ),
        phases=(
            P(
                "Choix des champs prioritaires",
                "Les agents de tous les opérateurs du territoire proposent et choisissent "
                "les champs d’intervention prioritaires.",
                30,
                (C.PROPOSALS, C.INFORMATION),
            ),
            P(
                "Entretiens et immersions",
                "Entretiens avec les usagers et immersions dans les services.",
                60,
                (C.EVENTS, C.VOICES),
            ),
            P(
                "Personas",
                "Des personnages fictifs, construits à partir des entretiens, pour garder "
                "les besoins réels en tête.",
                30,
                (C.PERSONAS,),
            ),
            P(
                "Solutions",
                "Les solutions imaginées avec les usagers et les acteurs de terrain.",
                45,
                (C.PROPOSALS, C.EVENTS),
            ),
            P(
                "Expérimentation à moyens constants",
                "Les solutions retenues sont expérimentées sans budget supplémentaire, puis "
                "évaluées.",
                180,
                (C.DECISION, C.ACTIONS, C.FEEDBACK),
            ),
        ),
    ),
    Template.PNU: Blueprint(
        template=Template.PNU,
        label="Parc naturel urbain",
        origin=(
            "Démarche menée à partir de 2010 par la Ville de Strasbourg dans trois quartiers "
            "populaires pour créer son premier parc naturel urbain. Réunions publiques, "
            "promenades en immersion, atelier de projet : le livre blanc a été présenté aux "
            "élus par les habitants et les associations eux-mêmes, puis une synthèse a "
            "expliqué ce qui était retenu ou non. Une charte d’engagements a été signée, "
            "puis révisée en 2018."
        ),
        description=(
            "Un projet construit avec les habitants, les associations, les élus et les "
            "agents : de la découverte du terrain jusqu’à une charte d’engagements."
        ),
        phases=(
            P(
                "Réunions publiques",
                "Les élus présentent le projet aux habitants et les invitent à y participer.",
                30,
                (C.INFORMATION, C.EVENTS),
            ),
            P(
                "Promenades en immersion",
                "Élus, habitants, associations, experts et agents de terrain parcourent "
                "ensemble les lieux concernés.",
                30,
                (C.EVENTS, C.VOICES),
            ),
            P(
                "Atelier de projet",
                "Tous les volontaires définissent finalités, enjeux, objectifs et actions "
                "concrètes.",
                45,
                (C.EVENTS, C.PROPOSALS),
            ),
            P(
                "Livre blanc remis aux élus par les habitants",
                "Le livre blanc rédigé à partir du travail commun est présenté aux élus par "
                "les habitants et les associations.",
                30,
                (C.WHITE_PAPER,),
            ),
            P(
                "Programmes d’actions des services",
                "Les services décident et programment les actions issues du livre blanc.",
                60,
                (C.DECISION, C.ACTIONS),
            ),
            P(
                "Synthèse aux habitants",
                "Ce qui a été retenu ou écarté, et pourquoi.",
                30,
                (C.FEEDBACK, C.ACTIONS),
            ),
            P(
                "Charte d’engagements",
                "Habitants, associations et services signent une charte d’engagements.",
                30,
                (C.CHARTER,),
            ),
            P(
                "Révision périodique",
                "La charte est révisée avec les habitants et les agents, puis signée à nouveau.",
                365,
                (C.CHARTER, C.ACTIONS),
            ),
        ),
    ),
    Template.FLASH_360: Blueprint(
        template=Template.FLASH_360,
        label="Flash 360",
        origin=(
            "Méthode de la Direction interministérielle de la transformation publique "
            "(DITP), citée par l’étude parmi les « expériences collaboratives flash ». À la "
            "demande d’un porteur de projet, un atelier de trois heures réunit usagers "
            "potentiels, professionnels de terrain, experts et administration pour tester "
            "des solutions à partir d’un diagnostic partagé, sans équipe projet ni mois de "
            "travail."
        ),
        description=(
            "Un atelier de trois heures pour tester la faisabilité d’un projet avec celles "
            "et ceux qui l’utiliseront et le feront vivre."
        ),
        phases=(
            P(
                "Atelier Flash 360",
                "Un atelier de trois heures : diagnostic partagé puis test des solutions, "
                "avec un panel d’usagers, d’agents de terrain, d’experts et de "
                "l’administration. D’ici là, chacun peut déposer son expérience : elle "
                "nourrit le diagnostic.",
                14,
                (C.EVENTS, C.INFORMATION, C.VOICES),
            ),
        ),
        events=(
            EventBlueprint(
                phase=0,
                kind="flash360",
                title="Atelier Flash 360",
                day=7,
                hour=14,
                hours=3,
                target_mix={"usager": 6, "agent": 4, "expert": 2, "administration": 2},
            ),
        ),
    ),
    Template.DIAGNOSTIC: Blueprint(
        template=Template.DIAGNOSTIC,
        label="Diagnostic partagé et évaluation",
        origin=(
            "Démarche de la Ville de Grenoble qui a créé en 2018 une équipe juridique mobile "
            "pour rendre effectifs le DALO et le DAHO. Un groupe-projet (CCAS, université, "
            "associations, avocats) a élaboré un diagnostic partagé puis conçu le dispositif "
            "en neuf mois ; la parole des publics passait par les travailleurs sociaux et "
            "une travailleuse paire. L’équipe a ensuite défini avec l’évaluateur les "
            "indicateurs et le questionnaire évaluatif."
        ),
        description=(
            "Un groupe de travail élabore un diagnostic partagé, conçoit le service, puis "
            "l’évalue avec des indicateurs et un questionnaire définis avec l’équipe."
        ),
        phases=(
            P(
                "Groupe de travail",
                "Les partenaires et les agents de terrain se réunissent et partagent leurs "
                "constats.",
                30,
                (C.EVENTS, C.INFORMATION),
            ),
            P(
                "Diagnostic partagé",
                "La parole des publics, recueillie directement ou relayée par les agents et "
                "les associations.",
                60,
                (C.VOICES,),
            ),
            P(
                "Conception du service",
                "Les propositions pour le nouveau service, discutées et arbitrées.",
                90,
                (C.PROPOSALS, C.DECISION),
            ),
            P(
                "Évaluation",
                "Indicateurs et questionnaire évaluatif définis avec l’équipe ; résultats "
                "partagés.",
                180,
                (C.SURVEY, C.INFORMATION),
            ),
        ),
    ),
    Template.BLANK: Blueprint(
        template=Template.BLANK,
        label="Démarche vierge",
        origin="Une seule phase d’information, à compléter librement.",
        description="",
        phases=(P("Information", "", 30, (C.INFORMATION,)),),
    ),
}


def blueprint(template: str) -> Blueprint:
    return BLUEPRINTS[template]
