"""Scheduled jobs of the Guichet live next to the services they call (reminders and
escalation in `services_questions`, review of expired entries in `services_knowledge`,
retention in `services_legal`); importing those modules registers them."""

from cocon.guichet import services_knowledge, services_legal, services_questions  # noqa: F401
