"""What the process frame holds about a person: the processes they started, facilitate
or sponsor, and the voices they linked to a process. On erasure the processes stay (they
are the organization's), the links to the person become empty with the account
(`SET_NULL`), and the sponsor's public label, which names them, is cleared."""

from __future__ import annotations

from cocon.core.gdpr import register_eraser, register_exporter


@register_exporter("processes_process")
def export_processes(user):
    from cocon.processes.models.process import Process, ProcessVoice

    def row(p):
        return {"id": p.pk, "title": p.title, "slug": p.slug}

    return {
        "created": [row(p) for p in Process.objects.filter(created_by=user).order_by("pk")],
        "facilitated": [row(p) for p in Process.objects.filter(animateurs=user).order_by("pk")],
        "sponsored": [
            {**row(p), "sponsor_label": p.sponsor_label}
            for p in Process.objects.filter(sponsor=user).order_by("pk")
        ],
        "voices_linked": [
            {"process": link.process_id, "voice": link.voice_id, "at": link.linked_at.isoformat()}
            for link in ProcessVoice.objects.filter(linked_by=user).order_by("pk")
        ],
    }


@register_eraser("processes_process")
def erase_processes(user):
    from cocon.processes.models.process import Process

    Process.objects.filter(sponsor=user).update(sponsor_label="")
