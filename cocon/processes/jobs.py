"""Scheduled jobs of the Démarches live next to the services they call (retention of
registrants' contacts in `services_events`, charter revision reminders in
`services_charter`, PDFs of published white papers rendered ahead in
`services_white_paper`); importing those modules registers them."""

from cocon.processes import (  # noqa: F401  (registration)
    services_charter,
    services_events,
    services_white_paper,
)
