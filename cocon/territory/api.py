"""Territory resources of the API (read: public or by permission; write: margins)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from cocon.accounts import selectors as people
from cocon.api.auth import require_scope
from cocon.api.errors import ERROR_RESPONSES, ApiError
from cocon.api.scopes import TERRITORY_READ, TERRITORY_WRITE
from cocon.core.permissions import can, require
from cocon.territory import selectors, services
from cocon.territory.models import Organization, Service

router = Router(tags=["territory"])


class TerritoryOut(Schema):
    name: str
    slug: str
    description: str
    population: int
    communes: int


class CommuneOut(Schema):
    insee_code: str
    name: str
    postal_code: str
    population: int
    latitude: float | None
    longitude: float | None


class MarginOut(Schema):
    commune_insee: str
    age_band: str
    sex: str
    population: int


class OpeningOut(Schema):
    weekday: int
    opens: str
    closes: str


class ServiceOut(Schema):
    slug: str
    name: str
    organization: str
    direction: str | None
    mission: str
    email: str
    phone: str
    address: str
    opening_hours: list[OpeningOut]


class OrganizationOut(Schema):
    slug: str
    name: str
    short_name: str
    kind: str
    description: str
    website: str
    email: str
    phone: str
    primary_color: str
    accent_color: str


class AgentOut(Schema):
    full_name: str
    job_title: str
    service: str | None
    category: str
    front_line: bool
    peer_worker: bool


class MarginRowIn(Schema):
    commune_insee: str
    age_band: str
    sex: str
    population: str | int


class MarginImportIn(Schema):
    rows: list[MarginRowIn]


class MarginImportOut(Schema):
    imported: int
    communes: int


def _service_out(service: Service) -> dict:
    return {
        "slug": service.slug,
        "name": service.name,
        "organization": service.organization.slug,
        "direction": service.direction.name if service.direction else None,
        "mission": service.mission,
        "email": service.email,
        "phone": service.phone,
        "address": service.address,
        "opening_hours": [
            {
                "weekday": h.weekday,
                "opens": h.opens.strftime("%H:%M"),
                "closes": h.closes.strftime("%H:%M"),
            }
            for h in service.opening_hours.all()
        ],
    }


@router.get("/territory", response={200: TerritoryOut, **ERROR_RESPONSES})
def territory_detail(request):
    territory = selectors.current_territory_or_404()
    return {
        "name": territory.name,
        "slug": territory.slug,
        "description": territory.description,
        "population": territory.population,
        "communes": territory.communes.count(),
    }


@router.get("/communes", response={200: list[CommuneOut], **ERROR_RESPONSES})
def commune_list(request):
    return list(selectors.current_territory_or_404().communes.order_by("insee_code"))


@router.get("/communes/{insee}/margins", response={200: list[MarginOut], **ERROR_RESPONSES})
def commune_margins(request, insee: str):
    commune = get_object_or_404(
        selectors.current_territory_or_404().communes, insee_code=insee.upper()
    )
    return [
        {
            "commune_insee": commune.insee_code,
            "age_band": m.age_band,
            "sex": m.sex,
            "population": m.population,
        }
        for m in commune.margins.order_by("age_band", "sex")
    ]


@router.post("/territory/margins", response={200: MarginImportOut, **ERROR_RESPONSES})
def margins_import(request, payload: MarginImportIn):
    """Replace the margins of the communes listed. All rows are checked; one invalid row
    rejects the whole request (422, every problem in `details` with its line number,
    counting the first row as line 2 as in a CSV file with its header)."""
    require_scope(request, TERRITORY_WRITE)
    territory = selectors.current_territory_or_404()
    require(request.user, "territory.import_margins", territory)
    rows = [{k: str(v) for k, v in row.dict().items()} for row in payload.rows]
    try:
        result = services.margins_import(territory=territory, rows=rows)
    except services.MarginImportError as exc:
        raise ApiError(
            422,
            "validation_error",
            f"{len(exc.errors)} invalid row(s); nothing was imported.",
            [
                {"line": line, "field": column or None, "message": message}
                for line, column, message in exc.errors
            ],
        ) from exc
    return {"imported": result.imported, "communes": result.communes}


@router.get("/organizations", response={200: list[OrganizationOut], **ERROR_RESPONSES})
def organization_list(request):
    return list(
        selectors.current_territory_or_404().organizations.filter(is_active=True).order_by("name")
    )


@router.get("/organizations/{slug}", response={200: OrganizationOut, **ERROR_RESPONSES})
def organization_detail(request, slug: str):
    organization = get_object_or_404(Organization, slug=slug)
    require(request.user, "territory.view_organization", organization)
    return organization


@router.get("/organizations/{slug}/services", response={200: list[ServiceOut], **ERROR_RESPONSES})
def organization_services(request, slug: str):
    organization = get_object_or_404(Organization, slug=slug)
    require(request.user, "territory.view_organization", organization)
    services_qs = (
        organization.services.select_related("organization", "direction")
        .prefetch_related(Prefetch("opening_hours"))
        .order_by("name")
    )
    if not can(request.user, "territory.view_internal", organization):
        services_qs = services_qs.filter(is_public=True)
    return [_service_out(s) for s in services_qs]


@router.get("/organizations/{slug}/agents", response={200: list[AgentOut], **ERROR_RESPONSES})
def organization_agents(request, slug: str):
    """Internal directory: the token's owner must see the organization's internals."""
    require_scope(request, TERRITORY_READ)
    organization = get_object_or_404(Organization, slug=slug)
    require(request.user, "territory.view_internal", organization)
    return [
        {
            "full_name": p.user.full_name,
            "job_title": p.job_title,
            "service": p.service.name if p.service else None,
            "category": p.category,
            "front_line": p.front_line,
            "peer_worker": p.peer_worker,
        }
        for p in people.directory(organization)
    ]
