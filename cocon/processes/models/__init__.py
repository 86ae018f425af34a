"""Démarches de co-construction (module 6 of PRODUCT.md), split by domain.

`process` (the frame: process and phases) and `events` (events, registrations, workshop
outputs) are the core every other domain reads; each other domain keeps its models in
its own module: `ambassadors`, `personas`, `white_paper`, `decisions` (decisions,
synthesis, action programme), `charter`. A process frames the objects of the other
modules (ideas of Idées, voices of Paroles): it never copies them.
"""

from cocon.processes.models import (  # noqa: F401  (model registration)
    ambassadors,
    charter,
    decisions,
    personas,
    white_paper,
)
from cocon.processes.models.events import Event, EventOutput, Registration
from cocon.processes.models.process import Component, Phase, Process, ProcessVoice, Template

__all__ = [
    "Component",
    "Event",
    "EventOutput",
    "Phase",
    "Process",
    "ProcessVoice",
    "Registration",
    "Template",
]
