"""What the Démarches hold about a person: each domain registers its exporter and
eraser in its own `gdpr_<domain>` module; importing them registers them."""

from cocon.processes import (  # noqa: F401  (registration)
    gdpr_ambassadors,
    gdpr_charter,
    gdpr_decisions,
    gdpr_events,
    gdpr_personas,
    gdpr_process,
    gdpr_white_paper,
)
