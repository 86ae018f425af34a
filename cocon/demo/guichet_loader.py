"""The demo Guichet polyvalent: the referent network of the Pays du Val de Lise (topics,
procedures, referents with substitutes and managers in six organizations, their answer
commitments), the agglomeration's Maison France services and its itinerant bus with six
stops in rural communes, a year of appointments (bulk-created, then the dashboards'
daily and monthly counts rebuilt), ~150 questions to referents, ~200 knowledge entries,
and the CCAS's mobile legal team with its cases (13 recours gracieux, 4 recours
contentieux, as in the study), training sessions and indicators.

Rows are written directly (bulk_create), as the services would have written them; the
only randomness is the `random.Random` passed in, so the demo is reproducible."""

from __future__ import annotations

import datetime as dt
import os
import random

from django.utils import timezone

from cocon.accounts.models import User
from cocon.demo import data
from cocon.guichet.models import (
    Appointment,
    CaseAction,
    Commitment,
    Indicator,
    KnowledgeEntry,
    LegalCase,
    LegalTeam,
    Message,
    Place,
    Procedure,
    Question,
    Referent,
    Topic,
    TrainingSession,
)
from cocon.guichet.models.log import Outcome
from cocon.lib.workdays import add_months, add_working_hours, is_working_day
from cocon.territory.models import Commune, Organization, Territory

APPOINTMENT_COUNT = 3000
QUESTION_COUNT = 150
DAYS = 365

A = data.AGGLO
D = data.DEPARTEMENT

# (slug, name, description)
TOPICS: tuple[tuple[str, str, str], ...] = (
    (
        "rsa",
        "RSA",
        "Revenu de solidarité active : ouverture des droits, déclarations, suspensions.",
    ),
    (
        "allocation-logement",
        "Allocation logement",
        "APL, ALS et ALF : demande, changement de situation, trop-perçus.",
    ),
    ("prime-activite", "Prime d'activité", "Demande, déclarations trimestrielles, simulations."),
    ("carte-grise", "Carte grise", "Certificat d'immatriculation sur le site de l'ANTS."),
    ("titre-sejour", "Titre de séjour", "Premières demandes et renouvellements (ANEF)."),
    (
        "assurance-maladie",
        "Assurance maladie",
        "Carte Vitale, complémentaire santé solidaire, remboursements, médecin traitant.",
    ),
    (
        "emploi-chomage",
        "Inscription et allocations chômage",
        "Inscription à France Travail, actualisation, allocation d'aide au retour à l'emploi.",
    ),
    ("factures-eau", "Factures d'eau", "Facturation, mensualisation, fuites après compteur."),
    ("transport-scolaire", "Transport scolaire", "Inscriptions, cartes, lignes et arrêts."),
    ("apa", "Allocation personnalisée d'autonomie", "APA à domicile et en établissement."),
)

# (name, organization slug or None, topic slug or None)
PROCEDURES: tuple[tuple[str, str | None, str | None], ...] = (
    ("Demande de RSA", D, "rsa"),
    ("Déclaration trimestrielle de ressources RSA", data.CAF, "rsa"),
    ("Demande d'aide au logement", data.CAF, "allocation-logement"),
    ("Demande de prime d'activité", data.CAF, "prime-activite"),
    ("Carte grise (ANTS)", data.PREFECTURE, "carte-grise"),
    ("Permis de conduire (ANTS)", data.PREFECTURE, None),
    ("Titre de séjour (ANEF)", data.PREFECTURE, "titre-sejour"),
    ("Complémentaire santé solidaire", data.CPAM, "assurance-maladie"),
    ("Carte Vitale", data.CPAM, "assurance-maladie"),
    ("Inscription à France Travail", data.FRANCE_TRAVAIL, "emploi-chomage"),
    ("Actualisation mensuelle", data.FRANCE_TRAVAIL, "emploi-chomage"),
    ("Mensualisation de la facture d'eau", A, "factures-eau"),
    ("Carte de transport scolaire", A, "transport-scolaire"),
    ("Demande d'APA à domicile", D, "apa"),
    ("Déclaration de revenus en ligne", None, None),
    ("Colis de Noël des aînés", data.CCAS, None),
    ("Demande de logement social", None, None),
    ("Retraite : demande en ligne", None, None),
)

# Referents: organization → (commitment hours, [(topic, titular, substitute, manager)]);
# people are (first name, last name) of agents of that organization in cocon.demo.data.
REFERENTS: dict[str, tuple[int, list[tuple[str, tuple, tuple, tuple | None]]]] = {
    data.CAF: (
        24,
        [
            (t, ("Laetitia", "Gaillard"), ("Malika", "Bensaïd"), ("Frédéric", "Maillet"))
            for t in ("rsa", "allocation-logement", "prime-activite")
        ],
    ),
    D: (
        48,
        [
            (t, ("Amandine", "Poulet"), ("Agnès", "Royer"), ("Karine", "Barbier"))
            for t in ("rsa", "apa")
        ],
    ),
    data.CPAM: (
        48,
        [("assurance-maladie", ("Émilie", "Dufour"), ("Hervé", "Rolland"), ("Hervé", "Rolland"))],
    ),
    data.FRANCE_TRAVAIL: (
        48,
        [("emploi-chomage", ("Nicolas", "Berger"), ("Sarah", "Cohen"), ("Marion", "Leclerc"))],
    ),
    data.PREFECTURE: (
        48,
        [
            (t, ("Aïcha", "Diallo"), ("Vincent", "Lagarde"), ("Vincent", "Lagarde"))
            for t in ("carte-grise", "titre-sejour")
        ],
    ),
    A: (
        48,
        [
            ("factures-eau", ("Romain", "Chabert"), ("Jérôme", "Pellet"), ("Julien", "Rochas")),
            (
                "transport-scolaire",
                ("Yasmine", "Chérif"),
                ("Nathalie", "Guérin"),
                ("Nathalie", "Guérin"),
            ),
        ],
    ),
}
ABSENT = (data.CPAM, ("Émilie", "Dufour"))  # on leave: her substitute answers

BUS_NAME = "Bus France services"
COUNTER = ("Maison France services de Montlise", "Montlise", "du lundi au vendredi, 8 h 30 – 17 h")
# (commune, weekday, schedule)
BUS_STOPS: tuple[tuple[str, int, str], ...] = (
    ("Vaulnières", 0, "lundi 9 h – 12 h, place de la mairie"),
    ("La Morinière", 0, "lundi 14 h – 17 h, parking de la salle des fêtes"),
    ("Charavelle", 1, "mardi 9 h – 12 h, place de l'église"),
    ("Massenay", 2, "mercredi 9 h – 12 h, devant l'école"),
    ("Saint-Géraud-des-Noyers", 3, "jeudi 9 h – 12 h, place du marché"),
    ("Chabrelles", 4, "vendredi 9 h – 12 h, parking de la mairie"),
)
COUNTER_AGENTS = (("Nadia", "Benali"), ("Aurélie", "Faure"), ("Martine", "Collomb"))
BUS_AGENTS = (("Franck", "Duval"), ("Nadia", "Benali"))

# The accounts a visitor may use to try the Guichet (password: the demo password).
DEMO_ACCOUNTS: list[tuple[str, str]] = [
    ("Agent d'accueil, bus France services", data.person_email("Franck", "Duval", A)),
    ("Agent d'accueil, Maison France services", data.person_email("Aurélie", "Faure", A)),
    ("Référente CAF", data.person_email("Laetitia", "Gaillard", data.CAF)),
    ("Juriste de l'équipe mobile", data.person_email("Julie", "Sanchez", data.CCAS)),
    ("Superviseure de l'équipe mobile", data.person_email("Céline", "Rousset", data.CCAS)),
]

AGE_WEIGHTS = {  # 15-29, 30-44, 45-59, 60-74, 75+
    Place.Kind.BUS_STOP: (5, 11, 19, 34, 31),
    Place.Kind.COUNTER: (19, 25, 24, 20, 12),
}
AGES = ("15-29", "30-44", "45-59", "60-74", "75+")
OCCUPATIONS_BY_AGE = {
    "15-29": (("student", 4), ("employee", 3), ("jobseeker", 3), ("worker", 2), ("other", 1)),
    "30-44": (("employee", 4), ("worker", 3), ("jobseeker", 3), ("intermediate", 2), ("other", 2)),
    "45-59": (("employee", 4), ("worker", 3), ("jobseeker", 2), ("farmer", 1), ("other", 2)),
    "60-74": (("retired", 8), ("employee", 1), ("farmer", 1), ("other", 1)),
    "75+": (("retired", 12), ("other", 1)),
}
OUTCOMES = (
    (Outcome.SOLVED, 60),
    (Outcome.REFERRED, 17),
    (Outcome.QUESTION, 9),
    (Outcome.FOLLOW_UP, 14),
)
DURATIONS = ((5, 6), (10, 14), (15, 20), (20, 18), (30, 22), (45, 12), (60, 8))
NOTES = (
    "Aide à la création du compte en ligne.",
    "Scan et envoi des justificatifs.",
    "Explication du courrier reçu.",
    "Simulation des droits.",
    "Prise de rendez-vous avec l'organisme.",
    "",
    "",
    "",
)


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def load(
    territory: Territory,
    rng: random.Random,
    *,
    appointments: int | None = None,
    questions: int = QUESTION_COUNT,
    now: dt.datetime | None = None,
) -> dict:
    """Create the Guichet polyvalent demo; returns counts. `appointments` defaults to
    `COCON_DEMO_APPOINTMENTS` (3000)."""
    if appointments is None:
        appointments = int(os.environ.get("COCON_DEMO_APPOINTMENTS", APPOINTMENT_COUNT))
    now = timezone.localtime(now or timezone.now())
    orgs = {o.slug: o for o in Organization.objects.filter(territory=territory)}
    communes = {c.name: c for c in Commune.objects.filter(territory=territory)}
    # agents by (organization slug, full name): named accounts have role-based emails
    users = {
        (u.agent_profile.organization.slug, u.full_name): u
        for u in User.objects.filter(
            agent_profile__organization__territory=territory, is_active=True
        ).select_related("agent_profile__organization")
    }

    def person(org_slug: str, name: tuple[str, str]) -> User:
        return users[(org_slug, f"{name[0]} {name[1]}")]

    def agent(name: tuple[str, str]) -> User:
        return person(A, name)

    topics = _topics(territory)
    procedures = _procedures(territory, orgs, topics)
    referents, commitments = _referents(orgs, topics, person, now.date())
    counter, stops = _places(orgs[A], communes, agent)
    made = _appointments(rng, orgs, communes, procedures, counter, stops, appointments, now.date())
    from cocon.guichet import services_log

    services_log.counts_rebuild([orgs[A].pk])
    asked = _questions(
        rng, territory, orgs[A], referents, commitments, [counter, *stops], questions, now
    )
    entries = _knowledge(rng, territory, referents, now.date())
    cases, actions = _legal(rng, orgs[data.CCAS], person, now.date())
    return {
        "topics": len(topics),
        "referents": len(referents),
        "appointments": made,
        "questions": asked,
        "entries": entries,
        "cases": cases,
        "actions": actions,
    }


# --- network -------------------------------------------------------------------------------
def _topics(territory) -> dict[str, Topic]:
    Topic.objects.bulk_create(
        Topic(territory=territory, slug=slug, name=name, description=description)
        for slug, name, description in TOPICS
    )
    return {t.slug: t for t in Topic.objects.filter(territory=territory)}


def _procedures(territory, orgs, topics) -> list[Procedure]:
    from django.utils.text import slugify

    Procedure.objects.bulk_create(
        Procedure(
            territory=territory,
            name=name,
            slug=slugify(name)[:150],
            organization=orgs[org] if org else None,
            topic=topics[topic] if topic else None,
        )
        for name, org, topic in PROCEDURES
    )
    return list(Procedure.objects.filter(territory=territory).order_by("pk"))


def _referents(orgs, topics, person, today) -> tuple[list[Referent], dict[int, Commitment]]:
    commitments = []
    rows = []
    for slug, (hours, specs) in REFERENTS.items():
        org = orgs[slug]
        commitments.append(
            Commitment(
                organization=org,
                hours=hours,
                urgent_hours=min(8, hours // 3),
                reminder_hours=min(8, hours // 3),
            )
        )
        for topic, titular, substitute, manager in specs:
            boss = person(slug, manager) if manager else None
            rows.append(
                Referent(
                    organization=org,
                    topic=topics[topic],
                    user=person(slug, titular),
                    rank=Referent.Rank.TITULAR,
                    manager=boss,
                )
            )
            sub = person(slug, substitute)
            rows.append(
                Referent(
                    organization=org,
                    topic=topics[topic],
                    user=sub,
                    rank=Referent.Rank.SUBSTITUTE,
                    manager=boss if boss is not None and boss.pk != sub.pk else None,
                )
            )
    absent_org, absent_name = ABSENT
    absent_user = person(absent_org, absent_name)
    for row in rows:
        if row.user_id == absent_user.pk and row.organization_id == orgs[absent_org].pk:
            row.absent_until = today + dt.timedelta(days=6)
    Commitment.objects.bulk_create(commitments)
    Referent.objects.bulk_create(rows)
    referents = list(
        Referent.objects.filter(organization__in=[orgs[s] for s in REFERENTS])
        .select_related("topic", "organization")
        .order_by("pk")
    )
    by_org = {
        c.organization_id: c for c in Commitment.objects.filter(organization__in=orgs.values())
    }
    return referents, by_org


def _places(agglo, communes, agent) -> tuple[Place, list[Place]]:
    name, commune, schedule = COUNTER
    counter = Place.objects.create(
        organization=agglo,
        kind=Place.Kind.COUNTER,
        name=name,
        commune=communes[commune],
        schedule=schedule,
    )
    counter.agents.set([agent(n) for n in COUNTER_AGENTS])
    stops = []
    for commune, _weekday, schedule in BUS_STOPS:
        stop = Place.objects.create(
            organization=agglo,
            kind=Place.Kind.BUS_STOP,
            name=f"{BUS_NAME} — {commune}",
            commune=communes[commune],
            schedule=schedule,
        )
        stop.agents.set([agent(n) for n in BUS_AGENTS])
        stops.append(stop)
    return counter, stops


# --- appointments --------------------------------------------------------------------------
def _appointments(rng, orgs, communes, procedures, counter, stops, count, today) -> int:
    if count <= 0:
        return 0
    start = today - dt.timedelta(days=DAYS)
    days = [start + dt.timedelta(days=i) for i in range(DAYS)]
    working = [d for d in days if is_working_day(d)]
    dates_for = {counter.pk: working}
    for stop, (_c, weekday, _s) in zip(stops, BUS_STOPS, strict=True):
        dates_for[stop.pk] = [d for d in working if d.weekday() == weekday]
    agents_for = {p.pk: list(p.agents.all()) for p in [counter, *stops]}
    rural = [c for name, c in communes.items() if data.COMMUNES_BY_NAME[name].profile == "rural"]
    all_communes = list(communes.values())
    montlise = communes[data.CENTRAL_CITY]
    places = [(counter, 55)] + [(s, 45 / len(stops)) for s in stops]
    rows: list[Appointment] = []
    links: list[tuple[list[int], list[int]]] = []
    for _i in range(count):
        place = _weighted(rng, places)
        day = rng.choice(dates_for[place.pk])
        age = (
            ""
            if rng.random() < 0.08
            else _weighted(rng, zip(AGES, AGE_WEIGHTS[place.kind], strict=True))
        )
        occupation = _weighted(rng, OCCUPATIONS_BY_AGE[age]) if age else ""
        if place.kind == Place.Kind.BUS_STOP:
            residence = place.commune if rng.random() < 0.75 else rng.choice(rural)
        else:
            residence = montlise if rng.random() < 0.55 else rng.choice(all_communes)
        chosen = rng.sample(procedures, 2 if rng.random() < 0.2 else 1)
        org_ids = sorted({p.organization_id for p in chosen if p.organization_id})
        hour = rng.randint(9, 16) if place.kind == Place.Kind.COUNTER else rng.randint(9, 11)
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59))))
        rows.append(
            Appointment(
                organization=place.organization,
                agent=rng.choice(agents_for[place.pk]),
                place=place,
                date=day,
                duration=_weighted(rng, DURATIONS),
                age_band=age,
                occupation=occupation,
                residence=residence if rng.random() < 0.9 else None,
                outcome=_weighted(rng, OUTCOMES),
                note=rng.choice(NOTES),
                created_at=at,
            )
        )
        links.append((org_ids, [p.pk for p in chosen]))
    created = Appointment.objects.bulk_create(rows, batch_size=1000)
    if any(a.pk is None for a in created):  # a backend that does not return keys
        created = list(Appointment.objects.filter(organization=orgs[A]).order_by("pk")[: len(rows)])
    OrgLink = Appointment.organizations.through
    ProcLink = Appointment.procedures.through
    OrgLink.objects.bulk_create(
        (
            OrgLink(appointment_id=a.pk, organization_id=o)
            for a, (org_ids, _p) in zip(created, links, strict=True)
            for o in org_ids
        ),
        batch_size=2000,
    )
    ProcLink.objects.bulk_create(
        (
            ProcLink(appointment_id=a.pk, procedure_id=p)
            for a, (_o, proc_ids) in zip(created, links, strict=True)
            for p in proc_ids
        ),
        batch_size=2000,
    )
    return len(created)


# --- questions -----------------------------------------------------------------------------
QUESTION_TEXTS = {
    "rsa": (
        "Personne seule, 58 ans, fin de droits chômage le mois prochain : peut-elle déposer "
        "une demande de RSA dès maintenant ?",
        "Le RSA d'un usager est suspendu depuis deux mois sans courrier explicatif : comment "
        "savoir pourquoi et que faire ?",
        "Un couple dont l'un des membres est travailleur indépendant : quels revenus "
        "déclarer pour le RSA ?",
    ),
    "allocation-logement": (
        "Locataire en colocation : l'aide au logement est-elle calculée sur sa part du loyer ?",
        "Trop-perçu d'APL réclamé après un changement de situation non déclaré : un "
        "échéancier est-il possible ?",
        "Étudiante logée chez un particulier sans bail écrit : peut-elle prétendre à l'ALS ?",
    ),
    "prime-activite": (
        "Saisonnier agricole avec des revenus irréguliers : comment remplir la déclaration "
        "trimestrielle ?",
        "Un apprenti de 19 ans peut-il bénéficier de la prime d'activité ?",
    ),
    "carte-grise": (
        "Usager sans ordinateur ni adresse électronique : comment faire le changement de "
        "titulaire d'un véhicule d'occasion ?",
        "Le vendeur n'a pas donné le code de cession : que peut faire l'acheteur ?",
    ),
    "titre-sejour": (
        "Renouvellement de titre de séjour déposé sur l'ANEF, titre expiré dans dix jours : "
        "quelle attestation l'usager peut-il présenter à son employeur ?",
    ),
    "assurance-maladie": (
        "Retraité qui a perdu sa carte Vitale et n'a pas de compte ameli : quelle démarche "
        "au guichet ?",
        "La complémentaire santé solidaire a été refusée pour un dépassement de 30 € : un "
        "réexamen est-il possible ?",
        "Nouvel arrivant sans médecin traitant dans la commune : quelles solutions ?",
    ),
    "emploi-chomage": (
        "Demandeur d'emploi radié pour une actualisation oubliée : comment se réinscrire "
        "sans perdre ses droits ?",
        "Fin de CDD dans une commune sans transport : l'inscription peut-elle se faire à "
        "distance ?",
    ),
    "factures-eau": (
        "Facture d'eau de 900 € après une fuite sur la canalisation après compteur : quel "
        "écrêtement possible ?",
        "Locataire dont la facture d'eau est au nom du propriétaire : peut-il demander la "
        "mensualisation ?",
    ),
    "transport-scolaire": (
        "Famille arrivée en cours d'année à Chabrelles : comment inscrire l'enfant au "
        "transport scolaire ?",
        "Carte de transport scolaire perdue : quel coût pour un duplicata ?",
    ),
    "apa": (
        "Personne de 82 ans sortant d'hospitalisation : délai d'instruction d'une demande "
        "d'APA à domicile en urgence ?",
        "Le plan d'aide APA ne couvre plus les besoins : comment demander une révision ?",
    ),
}
ANSWER_TEXTS = (
    "Oui. Le dossier peut être déposé en ligne ; joindre les justificatifs de ressources "
    "des trois derniers mois. Je reste joignable si le dossier bloque.",
    "J'ai regardé le dossier : il manquait un justificatif. L'usager peut le déposer dans "
    "son espace en ligne ; le traitement reprend dès réception.",
    "C'est possible, sur demande écrite motivée. Je vous envoie le modèle de courrier.",
    "Non, pas dans cette situation ; en revanche une aide ponctuelle est possible : "
    "orienter vers le CCAS.",
    "Le délai actuel est d'environ trois semaines. En cas d'urgence, me rappeler avec le "
    "numéro de dossier.",
)


def _question_time(rng, day: dt.date) -> dt.datetime:
    clock = dt.time(rng.choice((9, 10, 11, 14, 15, 16)), rng.randint(0, 59))
    return timezone.make_aware(dt.datetime.combine(day, clock))


def _questions(rng, territory, agglo, referents, commitments, places, count, now) -> int:
    if count <= 0:
        return 0
    pairs = sorted({(r.organization_id, r.topic_id) for r in referents})
    orgs = {r.organization_id: r.organization for r in referents}
    topics = {r.topic_id: r.topic for r in referents}
    titulars = {
        (r.organization_id, r.topic_id): r for r in referents if r.rank == Referent.Rank.TITULAR
    }
    subs = {
        (r.organization_id, r.topic_id): r for r in referents if r.rank == Referent.Rank.SUBSTITUTE
    }
    today = now.date()
    working = [
        today - dt.timedelta(days=i)
        for i in range(12, DAYS)
        if is_working_day(today - dt.timedelta(days=i))
    ]
    rows: list[Question] = []
    answers: list[str] = []
    for i in range(count):
        org_id, topic_id = rng.choice(pairs)
        commitment = commitments[org_id]
        place = rng.choice(places)
        asker = rng.choice(list(place.agents.all()))
        urgent = rng.random() < 0.12
        hours = commitment.urgent_hours if urgent else commitment.hours
        if i == count - 1:  # open, overdue: asked ten working days ago
            asked_at = _question_time(rng, working[0])
        elif i == count - 2:  # open, still in time: asked this morning
            asked_at = now.replace(hour=9, minute=5, second=0, microsecond=0)
            if asked_at > now:
                asked_at = now - dt.timedelta(minutes=5)
        else:
            asked_at = _question_time(rng, rng.choice(working))
        due_at = add_working_hours(
            asked_at,
            hours,
            commitment.opening_hours(),
            alsace_moselle=commitment.alsace_moselle,
        )
        question = Question(
            territory=territory,
            asker=asker,
            asker_organization=agglo,
            place=place,
            topic=topics[topic_id],
            target=orgs[org_id],
            text=rng.choice(QUESTION_TEXTS[topics[topic_id].slug]),
            urgency=Question.Urgency.URGENT if urgent else Question.Urgency.NORMAL,
            asked_at=asked_at,
            due_at=due_at,
        )
        answer = ""
        if i >= count - 2:
            if due_at < now:
                question.level = Question.Level.SUBSTITUTE
                question.escalated_at = due_at
                question.reminded_at = due_at - dt.timedelta(hours=commitment.reminder_hours)
        else:
            late = rng.random() < 0.07
            span = due_at - asked_at
            if late:
                answered_at = due_at + dt.timedelta(hours=rng.randint(3, 72))
                question.level = Question.Level.SUBSTITUTE
                question.escalated_at = due_at
                answerer = subs[(org_id, topic_id)].user
            else:
                answered_at = asked_at + span * rng.uniform(0.05, 0.9)
                answerer = titulars[(org_id, topic_id)].user
            answer = rng.choice(ANSWER_TEXTS)
            question.answered_at = answered_at
            question.answered_by = answerer
            question.answer = answer
            if answered_at < now - dt.timedelta(days=14) and rng.random() < 0.97:
                question.state = Question.State.CLOSED
                question.need_met = rng.random() < 0.85
                question.need_met_at = answered_at + dt.timedelta(days=rng.randint(1, 10))
            else:
                question.state = Question.State.ANSWERED
        rows.append(question)
        answers.append(answer)
    created = Question.objects.bulk_create(rows)
    if any(q.pk is None for q in created):
        created = list(Question.objects.filter(territory=territory).order_by("pk"))
    messages = []
    for question, answer in zip(created, answers, strict=True):
        messages.append(
            Message(
                question=question,
                author=question.asker,
                text=question.text,
                created_at=question.asked_at,
            )
        )
        if answer:
            messages.append(
                Message(
                    question=question,
                    author=question.answered_by,
                    text=answer,
                    is_answer=True,
                    created_at=question.answered_at,
                )
            )
    Message.objects.bulk_create(messages, batch_size=1000)
    return len(created)


# --- knowledge base -------------------------------------------------------------------------
# topic → [(question, answer, sources)], five per topic; each is declined for four
# situations, which gives ~200 entries.
KNOWLEDGE: dict[str, tuple[tuple[str, str, str], ...]] = {
    "rsa": (
        (
            "Qui peut demander le RSA",
            "Toute personne de 25 ans ou plus (ou plus jeune avec un enfant à charge ou "
            "attendu), résidant en France de manière stable, dont les ressources sont "
            "inférieures au montant forfaitaire.",
            "Code de l'action sociale et des familles, art. L262-2 ; caf.fr, fiche « Le RSA »",
        ),
        (
            "Comment déclarer ses ressources trimestrielles pour le RSA",
            "Chaque trimestre, dans l'espace Mon Compte de caf.fr ou l'appli : déclarer "
            "tous les revenus des trois mois précédents, y compris ceux à zéro.",
            "Code de l'action sociale et des familles, art. R262-37 ; caf.fr, fiche « Déclarer "
            "ses ressources »",
        ),
        (
            "Que faire en cas de suspension du RSA",
            "Demander le motif à l'organisme payeur ; si la suspension est contestée, former "
            "un recours administratif préalable auprès du président du conseil départemental "
            "dans les deux mois.",
            "Code de l'action sociale et des familles, art. L262-47",
        ),
        (
            "Quelles obligations pour un allocataire du RSA",
            "Rechercher un emploi ou suivre un parcours d'insertion, conclure un contrat "
            "d'engagement réciproque ; des heures d'activité peuvent y figurer.",
            "Code de l'action sociale et des familles, art. L262-28 ; loi du 18 décembre 2023",
        ),
        (
            "Le RSA est-il cumulable avec un revenu d'activité",
            "Partiellement : les revenus d'activité sont pris en compte, la prime d'activité "
            "peut compléter. Faire une simulation sur caf.fr.",
            "caf.fr, simulateur RSA et prime d'activité",
        ),
    ),
    "allocation-logement": (
        (
            "Qui peut bénéficier d'une aide au logement",
            "Les locataires, colocataires, sous-locataires déclarés et résidents de foyer, "
            "sous conditions de ressources et de décence du logement.",
            "Code de la construction et de l'habitation, art. L821-1 ; caf.fr, fiche « Les "
            "aides au logement »",
        ),
        (
            "Comment faire une demande d'aide au logement",
            "En ligne sur caf.fr, rubrique Faire une demande de prestation ; le bailleur "
            "remplit l'attestation de loyer.",
            "caf.fr, fiche « Demander une aide au logement »",
        ),
        (
            "Que faire en cas de trop-perçu d'aide au logement",
            "Vérifier le calcul ; demander une remise de dette ou un échéancier par écrit ; "
            "le recours amiable est possible dans les deux mois.",
            "Code de la construction et de l'habitation, art. L823-9 ; caf.fr, fiche « Trop-"
            "perçu »",
        ),
        (
            "L'aide au logement est-elle versée au bailleur",
            "Pour les logements conventionnés (APL), oui, par tiers payant ; sinon sur "
            "demande du bailleur ou de l'allocataire.",
            "Code de la construction et de l'habitation, art. L823-10",
        ),
        (
            "Comment déclarer un changement de situation pour l'aide au logement",
            "Dans Mon Compte sur caf.fr, dès le changement (déménagement, naissance, "
            "séparation, ressources) ; les droits sont recalculés.",
            "caf.fr, fiche « Changement de situation »",
        ),
    ),
    "prime-activite": (
        (
            "Qui peut toucher la prime d'activité",
            "Les actifs de 18 ans ou plus, salariés ou indépendants, dont les revenus sont "
            "modestes ; les étudiants et apprentis sous conditions de revenus.",
            "Code de la sécurité sociale, art. L841-1 ; caf.fr, fiche « La prime d'activité »",
        ),
        (
            "Comment remplir la déclaration trimestrielle de prime d'activité",
            "Déclarer les revenus des trois mois, mois par mois, y compris les primes et "
            "heures supplémentaires.",
            "Code de la sécurité sociale, art. R843-2",
        ),
        (
            "La prime d'activité pour un travailleur indépendant",
            "Déclarer le chiffre d'affaires ou le bénéfice de la dernière année connue.",
            "caf.fr, fiche « Prime d'activité et travailleurs indépendants »",
        ),
        (
            "La prime d'activité pour un saisonnier",
            "Les revenus irréguliers sont déclarés chaque trimestre ; le montant varie.",
            "caf.fr, simulateur prime d'activité",
        ),
        (
            "Prime d'activité et changement de situation familiale",
            "Le déclarer sans attendre : la composition du foyer modifie le montant.",
            "Code de la sécurité sociale, art. L842-1",
        ),
    ),
    "carte-grise": (
        (
            "Comment faire un changement de titulaire de carte grise",
            "Sur le site de l'ANTS avec le code de cession remis par le vendeur, dans le mois "
            "suivant l'achat ; un point numérique ou France services peut accompagner.",
            "Code de la route, art. R322-5 ; ants.gouv.fr, fiche « Acheter un véhicule "
            "d'occasion »",
        ),
        (
            "Que faire si le vendeur n'a pas donné le code de cession",
            "Lui demander ; à défaut, faire la démarche sur l'ANTS en choisissant « Je n'ai "
            "pas de code de cession » avec le certificat de cession signé.",
            "ants.gouv.fr, fiche « Code de cession »",
        ),
        (
            "Comment déclarer un changement d'adresse sur la carte grise",
            "Sur le site de l'ANTS, gratuit, dans le mois suivant le déménagement.",
            "Code de la route, art. R322-7",
        ),
        (
            "Combien coûte une carte grise",
            "Le prix dépend de la taxe régionale (chevaux fiscaux), de la taxe de gestion et "
            "de la redevance d'acheminement.",
            "Code des impositions sur les biens et services, art. L421-30",
        ),
        (
            "Comment obtenir un duplicata de carte grise",
            "En cas de perte ou de vol, faire la demande sur l'ANTS (déclaration de perte en "
            "ligne, de vol auprès de la police).",
            "ants.gouv.fr, fiche « Duplicata »",
        ),
    ),
    "titre-sejour": (
        (
            "Quand demander le renouvellement d'un titre de séjour",
            "Dans les quatre mois avant l'expiration, sur l'ANEF ; une attestation de "
            "prolongation d'instruction est délivrée.",
            "Code de l'entrée et du séjour des étrangers, art. R431-5",
        ),
        (
            "Que vaut l'attestation de prolongation d'instruction",
            "Elle prolonge les droits du titre précédent (travail, prestations) pendant "
            "l'instruction.",
            "Code de l'entrée et du séjour des étrangers, art. R431-15-1",
        ),
        (
            "Comment faire une première demande de titre de séjour",
            "Sur l'ANEF pour la plupart des titres ; sinon en préfecture sur rendez-vous.",
            "administration-etrangers-en-france.interieur.gouv.fr",
        ),
        (
            "Que faire si l'ANEF bloque",
            "Utiliser le formulaire de contact de l'ANEF et garder une trace ; le Défenseur "
            "des droits peut être saisi.",
            "Défenseur des droits, rapport « Dématérialisation des services publics », 2022",
        ),
        (
            "Titre de séjour et changement d'adresse",
            "Le déclarer sur l'ANEF dans les trois mois.",
            "Code de l'entrée et du séjour des étrangers, art. R432-5",
        ),
    ),
    "assurance-maladie": (
        (
            "Qui peut bénéficier de la complémentaire santé solidaire",
            "Les personnes dont les ressources sont sous un plafond ; gratuite ou avec une "
            "participation selon les revenus.",
            "Code de la sécurité sociale, art. L861-1 ; ameli.fr, fiche « Complémentaire santé "
            "solidaire »",
        ),
        (
            "Comment remplacer une carte Vitale perdue",
            "Sur le compte ameli ou l'appli, ou au guichet de la CPAM avec une pièce "
            "d'identité et une photo.",
            "ameli.fr, fiche « Carte Vitale perdue ou volée »",
        ),
        (
            "Comment déclarer un médecin traitant",
            "Le médecin fait la déclaration en ligne lors de la consultation.",
            "Code de la sécurité sociale, art. L162-5-3",
        ),
        (
            "Comment ouvrir ses droits à l'assurance maladie",
            "Toute personne qui travaille ou réside en France de manière stable est couverte "
            "(protection universelle maladie).",
            "Code de la sécurité sociale, art. L160-1",
        ),
        (
            "Comment contester une décision de la CPAM",
            "Saisir la commission de recours amiable dans les deux mois, puis le tribunal "
            "judiciaire.",
            "Code de la sécurité sociale, art. R142-1",
        ),
    ),
    "emploi-chomage": (
        (
            "Comment s'inscrire à France Travail",
            "En ligne sur francetravail.fr ; un point d'accueil ou France services peut "
            "accompagner.",
            "Code du travail, art. L5411-1 ; francetravail.fr",
        ),
        (
            "Comment s'actualiser chaque mois",
            "Entre le 28 et le 15 du mois suivant, sur l'espace personnel ou l'appli.",
            "Code du travail, art. R5411-7",
        ),
        (
            "Que faire après une radiation",
            "Se réinscrire ; si la radiation est contestée, recours dans les deux mois auprès "
            "du directeur d'agence.",
            "Code du travail, art. R5412-8",
        ),
        (
            "Qui a droit à l'allocation d'aide au retour à l'emploi",
            "Les salariés involontairement privés d'emploi ayant travaillé au moins six mois "
            "sur les 24 derniers mois.",
            "Règlement d'assurance chômage, art. 3",
        ),
        (
            "Peut-on cumuler l'allocation chômage avec une activité",
            "Oui, partiellement : déclarer les heures et revenus lors de l'actualisation.",
            "Règlement d'assurance chômage, art. 30",
        ),
    ),
    "factures-eau": (
        (
            "Que faire en cas de fuite après compteur",
            "Faire réparer, envoyer la facture du plombier dans le mois : la facture est "
            "écrêtée au double de la consommation habituelle.",
            "Code général des collectivités territoriales, art. L2224-12-4 ; règlement du "
            "service de l'eau de Val de Lise Agglomération",
        ),
        (
            "Comment mensualiser sa facture d'eau",
            "Demande au service de l'eau avec un RIB ; effet à la facture suivante.",
            "Règlement du service de l'eau de Val de Lise Agglomération, art. 12",
        ),
        (
            "Comment obtenir un échéancier pour une facture d'eau",
            "Sur demande au service de l'eau ; le CCAS ou le fonds de solidarité logement "
            "peuvent aider.",
            "Loi du 31 mai 1990, art. 6 (fonds de solidarité pour le logement)",
        ),
        (
            "La facture d'eau d'un locataire",
            "Si le contrat est au nom du propriétaire, l'eau est refacturée dans les charges "
            "locatives.",
            "Loi du 6 juillet 1989, art. 23",
        ),
        (
            "Comment résilier un abonnement d'eau",
            "Par écrit au service de l'eau, avec un relevé du compteur au départ.",
            "Règlement du service de l'eau de Val de Lise Agglomération, art. 8",
        ),
    ),
    "transport-scolaire": (
        (
            "Comment inscrire un enfant au transport scolaire",
            "En ligne sur le site de Val de Lise Agglomération avant le 15 juillet ; en cours "
            "d'année, au service transports.",
            "Code des transports, art. L3111-7 ; règlement des transports scolaires",
        ),
        (
            "Combien coûte la carte de transport scolaire",
            "Tarif selon le quotient familial ; gratuité au-delà du deuxième enfant.",
            "Délibération tarifaire de Val de Lise Agglomération",
        ),
        (
            "Que faire en cas de perte de la carte",
            "Demander un duplicata au service transports (frais de 10 €).",
            "Règlement des transports scolaires, art. 9",
        ),
        (
            "Qui a droit au transport scolaire",
            "Les élèves domiciliés à plus de 3 km de leur établissement de secteur.",
            "Règlement des transports scolaires, art. 2",
        ),
        (
            "Comment demander un nouvel arrêt",
            "Demande écrite au service transports ; étude de sécurité avant décision.",
            "Règlement des transports scolaires, art. 5",
        ),
    ),
    "apa": (
        (
            "Qui peut bénéficier de l'APA",
            "Les personnes de 60 ans ou plus en perte d'autonomie (GIR 1 à 4), à domicile ou "
            "en établissement.",
            "Code de l'action sociale et des familles, art. L232-1",
        ),
        (
            "Comment demander l'APA à domicile",
            "Dossier à envoyer au Département ; une équipe médico-sociale évalue les besoins à "
            "domicile.",
            "Code de l'action sociale et des familles, art. L232-14 ; pour-les-personnes-agees."
            "gouv.fr",
        ),
        (
            "Quel délai d'instruction pour l'APA",
            "Deux mois à compter du dossier complet ; une APA d'urgence est possible.",
            "Code de l'action sociale et des familles, art. L232-12",
        ),
        (
            "Comment réviser un plan d'aide APA",
            "Demande de révision au Département, à tout moment si la situation change.",
            "Code de l'action sociale et des familles, art. R232-28",
        ),
        (
            "L'APA est-elle récupérable sur la succession",
            "Non : l'APA n'est pas récupérable sur la succession ni auprès des obligés "
            "alimentaires.",
            "Code de l'action sociale et des familles, art. L232-19",
        ),
    ),
}
SITUATIONS = (
    ("pour une personne seule", "Pour une personne seule, les plafonds de base s'appliquent."),
    (
        "pour une famille avec enfants",
        "Avec des enfants à charge, les plafonds sont majorés : vérifier la composition du "
        "foyer déclarée.",
    ),
    (
        "après un changement de situation",
        "Après un changement de situation, les droits sont recalculés à partir du mois "
        "suivant : le déclarer sans attendre.",
    ),
    (
        "pour une personne sans accès au numérique",
        "Sans accès au numérique, la démarche peut être faite avec un agent de France "
        "services ou au bus itinérant, avec l'accord de la personne.",
    ),
)
EXPIRED = 10


def _knowledge(rng, territory, referents, today) -> int:
    owners = {}
    for r in referents:
        if r.rank == Referent.Rank.TITULAR:
            owners.setdefault(r.topic.slug, r)
    topics = {r.topic.slug: r.topic for r in referents}
    rows = []
    for slug, items in KNOWLEDGE.items():
        owner = owners[slug]
        for question, answer, sources in items:
            for situation, addition in SITUATIONS:
                created = timezone.make_aware(
                    dt.datetime.combine(
                        today - dt.timedelta(days=rng.randint(20, DAYS)), dt.time(10)
                    )
                )
                rows.append(
                    KnowledgeEntry(
                        territory=territory,
                        organization=owner.organization,
                        topic=topics[slug],
                        question=f"{question} {situation} ?",
                        answer=f"{answer}\n\n{addition}",
                        sources=sources,
                        valid_until=today + dt.timedelta(days=rng.randint(30, 540)),
                        owner=owner.user,
                        usage_count=rng.randint(0, 40),
                        created_at=created,
                        updated_at=created,
                    )
                )
    for entry in rng.sample(rows, EXPIRED):
        entry.valid_until = today - dt.timedelta(days=rng.randint(3, 120))
    KnowledgeEntry.objects.bulk_create(rows, batch_size=500)
    return len(rows)


# --- mobile legal team ----------------------------------------------------------------------
TEAM_NAME = "Équipe mobile d'accès aux droits"
TEAM_SLUG = "equipe-mobile-acces-aux-droits"
TEAM_MEMBERS = (
    ("Julie", "Sanchez"),
    ("Hugo", "Lacroix"),
    ("Léa", "Vincent"),
    ("Nadège", "Brunet"),
    ("Alain", "Chevalier"),
)
TEAM_SUPERVISORS = (("Céline", "Rousset"),)
CASE_COUNT = 40
GRACIEUX = 13
CONTENTIEUX = 4
SITUATION_TEXTS = (
    "Personne hébergée chez un tiers, demande de logement social sans réponse depuis 3 ans.",
    "Famille menacée d'expulsion locative, dette de loyer après une baisse de ressources.",
    "Personne à la rue, domiciliation administrative à ouvrir.",
    "Suspension de l'aide au logement après un contrôle, ressources mal déclarées.",
    "Recours DALO à préparer : logement indigne, enfants en bas âge.",
    "Trop-perçu d'APL réclamé, remise de dette à demander.",
    "Refus de RSA pour défaut de résidence stable.",
    "Personne âgée isolée, droits à la complémentaire santé non ouverts.",
)
TRAININGS = (
    ("Repérer le non-recours aux droits", "Maison France services de Montlise", 14),
    ("Le DALO et les recours : les bases", "CCAS de Montlise", 11),
    ("La domiciliation administrative", "Habitat solidaire Lise", 9),
    ("Contester une décision de la CAF", "CAF de la Haute-Lise", 16),
    ("Prévenir les expulsions locatives", "Département de la Haute-Lise", 12),
)
INDICATORS = (
    (
        "Recours gracieux engagés",
        "Nombre de recours gracieux formés par l'équipe.",
        'count(kind="recours_gracieux")',
        None,
    ),
    (
        "Recours contentieux engagés",
        "Nombre de recours devant le tribunal administratif ou judiciaire.",
        'count(kind="recours_contentieux")',
        None,
    ),
    (
        "Taux de succès des recours gracieux (%)",
        "Part des situations où le recours gracieux a permis d'obtenir le droit.",
        'percent(cases(kind="recours_gracieux", outcome="obtained"), '
        'cases(kind="recours_gracieux"))',
        50.0,
    ),
    (
        "Délai médian avant un recours gracieux (jours)",
        "Jours entre le premier contact et le recours gracieux.",
        'median_days(kind="recours_gracieux")',
        None,
    ),
)


def _legal(rng, ccas, person, today) -> tuple[int, int]:
    members = [person(data.CCAS, n) for n in TEAM_MEMBERS]
    team = LegalTeam.objects.create(organization=ccas, name=TEAM_NAME, slug=TEAM_SLUG)
    team.members.set(members)
    team.supervisors.set([person(data.CCAS, n) for n in TEAM_SUPERVISORS])
    from cocon.guichet import services_legal

    prefix = (
        services_legal.number_prefix(team) if hasattr(services_legal, "number_prefix") else "EM"
    )
    opened = sorted(today - dt.timedelta(days=rng.randint(30, DAYS)) for _i in range(CASE_COUNT))
    per_year: dict[int, int] = {}
    cases = []
    for day in opened:
        per_year[day.year] = per_year.get(day.year, 0) + 1
        closed = day < today - dt.timedelta(days=120) and rng.random() < 0.6
        closed_on = day + dt.timedelta(days=rng.randint(60, 110)) if closed else None
        cases.append(
            LegalCase(
                team=team,
                number=f"{prefix}-{day.year}-{per_year[day.year]:04d}",
                situation=rng.choice(SITUATION_TEXTS),
                state=LegalCase.State.CLOSED if closed else LegalCase.State.OPEN,
                opened_on=day,
                closed_on=closed_on,
                erase_on=add_months(closed_on, team.retention_months) if closed_on else None,
                created_by=rng.choice(members),
            )
        )
    LegalCase.objects.bulk_create(cases)
    cases = list(LegalCase.objects.filter(team=team).order_by("opened_on", "pk"))
    # recours gracieux on 13 cases opened long enough ago; the 4 rejected ones go to court
    old_enough = [c for c in cases if c.opened_on < today - dt.timedelta(days=150)]
    if len(old_enough) < GRACIEUX:
        old_enough = cases[:GRACIEUX]  # sorted by opening date: the oldest
    gracieux_cases = rng.sample(old_enough, GRACIEUX)
    gracieux_outcomes = ["obtained"] * 7 + ["rejected"] * CONTENTIEUX + ["pending"] * 2
    rng.shuffle(gracieux_outcomes)
    actions = []

    def action(case, kind, day, outcome, outcome_on=None, note=""):
        actions.append(
            CaseAction(
                team=team,
                case=case,
                case_key=case.pk,
                kind=kind,
                date=min(day, today),
                outcome=outcome,
                outcome_on=outcome_on if outcome_on and outcome_on <= today else None,
                note=note,
                author=rng.choice(members),
            )
        )

    K = CaseAction.Kind
    won_in_court = False
    for case in cases:
        first = K.OUTREACH if rng.random() < 0.4 else K.INFORMATION
        action(case, first, case.opened_on, "none")
        if rng.random() < 0.6:
            action(
                case,
                K.ACCOMPANIMENT,
                case.opened_on + dt.timedelta(days=rng.randint(3, 20)),
                rng.choice(("obtained", "pending", "obtained")),
            )
        if rng.random() < 0.3:
            action(case, K.REFERRAL, case.opened_on + dt.timedelta(days=rng.randint(5, 30)), "none")
    for case, outcome in zip(gracieux_cases, gracieux_outcomes, strict=True):
        day = case.opened_on + dt.timedelta(days=rng.randint(15, 50))
        decided = day + dt.timedelta(days=rng.randint(20, 60))
        action(
            case,
            K.RECOURS_GRACIEUX,
            day,
            outcome if decided <= today or outcome == "pending" else "pending",
            decided if outcome != "pending" else None,
            "Courrier de recours gracieux adressé à l'organisme.",
        )
        if outcome == "rejected":
            won = not won_in_court  # the first one went to court and won; the others wait
            won_in_court = True
            action(
                case,
                K.RECOURS_CONTENTIEUX,
                decided + dt.timedelta(days=rng.randint(10, 40)),
                "obtained" if won else "pending",
                today - dt.timedelta(days=5) if won else None,
                "Requête déposée au tribunal administratif de Grenoble.",
            )
    CaseAction.objects.bulk_create(actions)
    TrainingSession.objects.bulk_create(
        TrainingSession(
            team=team,
            title=title,
            date=today - dt.timedelta(days=30 + 60 * i),
            partner=partner,
            attendees=attendees,
            attendance="\n".join(
                f"{partner}, {role}"
                for role in rng.sample(
                    ("agent d'accueil", "travailleur social", "conseiller", "bénévole", "élu"), 3
                )
            ),
        )
        for i, (title, partner, attendees) in enumerate(TRAININGS)
    )
    compile_indicator = getattr(services_legal, "compile_indicator", None)
    for _name, _d, formula, _t in INDICATORS:
        if compile_indicator is not None:
            compile_indicator(formula)  # a typo here must fail the demo load, not the page
    Indicator.objects.bulk_create(
        Indicator(team=team, name=name, definition=definition, formula=formula, target=target)
        for name, definition, formula, target in INDICATORS
    )
    return len(cases), len(actions)
