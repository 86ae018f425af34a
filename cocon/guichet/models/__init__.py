"""Models of the Guichet polyvalent, split by domain (each file owns its tables):

- `network`: topics, procedures, per-organization commitment settings, referents;
- `questions`: questions asked from a counter, their thread messages;
- `knowledge`: the shared knowledge base and its usage log;
- `log`: counters and bus stops, the appointment log and its daily and
  monthly per-dimension counts;
- `legal`: the access-to-rights team (cases, actions, training sessions, indicators,
  read log)."""

from cocon.guichet.models.knowledge import KnowledgeEntry, KnowledgeUse
from cocon.guichet.models.legal import (
    CaseAction,
    CaseReadLog,
    Indicator,
    LegalCase,
    LegalTeam,
    TrainingSession,
)
from cocon.guichet.models.log import (
    Appointment,
    AppointmentFacet,
    AppointmentMonthFacet,
    Place,
)
from cocon.guichet.models.network import Commitment, Procedure, Referent, Topic
from cocon.guichet.models.questions import Message, Question

__all__ = [
    "Appointment",
    "AppointmentFacet",
    "AppointmentMonthFacet",
    "CaseAction",
    "CaseReadLog",
    "Commitment",
    "Indicator",
    "KnowledgeEntry",
    "KnowledgeUse",
    "LegalCase",
    "LegalTeam",
    "Message",
    "Place",
    "Procedure",
    "Question",
    "Referent",
    "Topic",
    "TrainingSession",
]
