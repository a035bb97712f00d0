"""The party screens. Each view checks access first, then reads through selectors and
writes through services; htmx requests get only the partial they swap in."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kenal.classification.display import ProfileCounts, attach_profiles, parties_by_profile, profile_facets
from kenal.classification.forms import ProfileFilterForm
from kenal.parties import selectors
from kenal.parties.access import parties_access, party_for_user
from kenal.parties.export import party_csv
from kenal.parties.forms import PartyFilterForm, PartyForm, party_ref
from kenal.parties.services import party_create, party_update


def _wants_partial(request: HttpRequest) -> bool:
    # A history restore asks for the whole page even though it comes from htmx.
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def _render(request: HttpRequest, template: str, partial: str, context: dict) -> HttpResponse:
    name = f"{template}#{partial}" if _wants_partial(request) else template
    response = render(request, name, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _list_selection(request: HttpRequest) -> tuple[QuerySet, dict]:
    """The parties the list shows for this query string: search, filters and sort,
    shared by the page and its CSV export so both hold the same selection."""
    filters = PartyFilterForm(request.GET)
    profile_filters = ProfileFilterForm(request.GET)
    arguments = filters.search_arguments()
    narrowing = profile_filters.filter_arguments()
    sort = request.GET.get("sort", "")
    if sort not in selectors.Sort.values:
        sort = ""
    found = selectors.party_search(**arguments)
    parties = selectors.party_sorted(parties_by_profile(found, **narrowing), sort)
    context = {
        "filters": filters, "profile_filters": profile_filters, "sort": sort, "sorts": selectors.Sort.choices,
        "searching": any(arguments.values()) or any(narrowing.values()), "found": found,
        "listing": {**arguments, "sort": sort, "narrowed": any(narrowing.values())},
        "currency": settings.KENAL_DEFAULT_CURRENCY,
    }
    return parties, context


def _list_query(request: HttpRequest) -> QueryDict:
    """The list's query string without its page: what the pages, the export and the
    counts share."""
    query = request.GET.copy()
    for key in ("page", "after", "before"):
        query.pop(key, None)
    return query


def _facets(context: dict, query: QueryDict) -> dict:
    """The counts of what the search found, as links that narrow the list; past the
    cap, links without numbers that say why."""
    listing = context["listing"]
    counts = selectors.party_list_counts(found=context["found"], query=listing["query"], kind=listing["kind"])
    return {
        "facets": profile_facets(counts=counts or ProfileCounts(relationships={}, characteristics={}), params=query),
        "facets_counted": counts is not None, "count_cap": selectors.COUNT_CAP,
    }


@require_http_methods(["GET"])
def party_list(request: HttpRequest) -> HttpResponse:
    parties_access(request.user)
    parties, context = _list_selection(request)
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    listing = context["listing"]
    page = selectors.party_list_page(parties=parties, **listing, number=number)
    attach_profiles(page.parties)
    query = _list_query(request)
    context |= {"page": page, "query": query.urlencode()}
    if not _wants_partial(request):
        # A whole page carries its counts: without JavaScript nothing would ask for
        # them. htmx swaps in the rows first and asks for the counts (party_counts).
        context |= _facets(context, query)
    return _render(request, "parties/party_list.html", "results", context)


@require_http_methods(["GET"])
def party_counts(request: HttpRequest) -> HttpResponse:
    """The counts of relationships and characteristics for the list's query string,
    asked for by the list once its rows are shown."""
    parties_access(request.user)
    _parties, context = _list_selection(request)
    context |= _facets(context, _list_query(request))
    return render(request, "parties/party_list.html#facets", context)


@require_http_methods(["GET"])
def party_export(request: HttpRequest) -> StreamingHttpResponse:
    """The list's current selection (same search, filters and sort) as CSV, streamed."""
    parties_access(request.user)
    parties, _context = _list_selection(request)
    response = StreamingHttpResponse(party_csv(parties), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="parties.csv"'
    return response


@require_http_methods(["GET"])
def party_detail(request: HttpRequest, pk: int) -> HttpResponse:
    party = party_for_user(request.user, pk)
    timeline = selectors.party_timeline(party=party, before=request.GET.get("before", ""))
    if _wants_partial(request):
        return _render(request, "parties/party_detail.html", "timeline-page", {"party": party, "timeline": timeline})
    contact_points = list(party.contact_points.all())
    shared = selectors.contact_points_shared(party=party)
    for point in contact_points:
        point.shared_with = shared.get(point.pk, [])
    context = {
        "party": party,
        "contact_points": contact_points,
        "links": selectors.party_links(party=party),
        "timeline": timeline,
    }
    return _render(request, "parties/party_detail.html", "timeline-page", context)


@require_http_methods(["GET", "POST"])
def party_new(request: HttpRequest) -> HttpResponse:
    parties_access(request.user, write=True)
    form = PartyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            party = party_create(actor=request.user, data=form.party_data())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": party.name})
            return redirect("parties:detail", pk=party.pk)
    return render(request, "parties/party_form.html", {"form": form, "party": None})


@require_http_methods(["GET", "POST"])
def party_edit(request: HttpRequest, pk: int) -> HttpResponse:
    party = party_for_user(request.user, pk, write=True)
    if request.method == "POST":
        form = PartyForm(request.POST)
        if form.is_valid():
            try:
                party_update(actor=request.user, party=party, data=form.party_data())
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("%(name)s was saved.") % {"name": party.name})
                return redirect("parties:detail", pk=party.pk)
    else:
        form = PartyForm(initial=PartyForm.initial_for(party))
    return render(request, "parties/party_form.html", {"form": form, "party": party})


OPTIONS_SIZE = 10


@require_http_methods(["GET"])
def party_options(request: HttpRequest) -> HttpResponse:
    """Suggestions for a party reference field: ``<option>``s for its datalist."""
    parties_access(request.user)
    # htmx sends the typing field's value under the field's own name.
    query = next((value for value in request.GET.values() if value.strip()), "")
    parties = selectors.party_search(query=query)[:OPTIONS_SIZE] if query else []
    options = [(party_ref(party), party.name) for party in parties]
    return render(request, "parties/party_form.html#party-options", {"options": options})
