"""Orders from the party page (record, correct, cancel) and the product catalogue:
access first, then the services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kenal.commerce.access import order_for_user, products_access
from kenal.commerce.forms import EditLineFormSet, LineForm, LineFormSet, OrderForm, ProductForm, ProductSearchForm
from kenal.commerce.models import Product
from kenal.commerce.selectors import product_search
from kenal.commerce.services import order_cancel, order_create, order_update, product_create, product_update
from kenal.parties.access import party_for_user

# The datalist of the product field: enough to pick from while typing, and, before
# any typing (or without JavaScript), the start of the catalogue.
OPTIONS_SIZE = 15
PRODUCTS_PAGE = 50


def _add_service_errors(form: OrderForm, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _render_order_form(request: HttpRequest, context: dict) -> HttpResponse:
    form, lines = context["form"], context["lines"]
    context["product_options"] = product_search(active_only=True)[:OPTIONS_SIZE]
    status = 400 if form.errors or any(lines.errors) or lines.non_form_errors() else 200
    return render(request, "commerce/order_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def order_new(request: HttpRequest, pk: int) -> HttpResponse:
    party = party_for_user(request.user, pk, write=True)
    if request.method == "POST":
        form, lines = OrderForm(request.POST), LineFormSet(request.POST, prefix="lines")
        if form.is_valid() and lines.is_valid():
            try:
                order = order_create(
                    actor=request.user, buyer=party, occurred_at=form.cleaned_data["occurred_at"],
                    external_id=form.cleaned_data["external_id"], channel=form.cleaned_data["channel"],
                    currency=form.cleaned_data["currency"], lines=lines.lines(), create_unknown_products=False,
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, _("Order %(number)s was recorded.") % {"number": order.external_id})
                return redirect("parties:detail", pk=party.pk)
    else:
        form, lines = OrderForm(initial=OrderForm.initial_now()), LineFormSet(prefix="lines")
    return _render_order_form(request, {"form": form, "lines": lines, "party": party, "order": None})


@require_http_methods(["GET", "POST"])
def order_edit(request: HttpRequest, pk: int, order_pk: int) -> HttpResponse:
    order = order_for_user(request.user, pk, order_pk)
    party = order.buyer
    if request.method == "POST":
        form, lines = OrderForm(request.POST), EditLineFormSet(request.POST, prefix="lines")
        if form.is_valid() and lines.is_valid():
            try:
                order_update(
                    actor=request.user, order=order, occurred_at=form.cleaned_data["occurred_at"],
                    external_id=form.cleaned_data["external_id"] or order.external_id,
                    channel=form.cleaned_data["channel"], currency=form.cleaned_data["currency"],
                    lines=lines.lines(),
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, _("Order %(number)s was saved.") % {"number": order.external_id})
                return redirect("parties:detail", pk=party.pk)
    else:
        form = OrderForm(initial=OrderForm.initial_for(order))
        lines = EditLineFormSet(prefix="lines", initial=LineForm.initial_for_lines(order))
    return _render_order_form(request, {"form": form, "lines": lines, "party": party, "order": order})


@require_http_methods(["GET", "POST"])
def order_cancel_view(request: HttpRequest, pk: int, order_pk: int) -> HttpResponse:
    """A page that asks first; the POST cancels every line of the order."""
    order = order_for_user(request.user, pk, order_pk)
    if request.method == "POST":
        order_cancel(actor=request.user, order=order)
        messages.success(request, _("Order %(number)s was cancelled.") % {"number": order.external_id})
        return redirect("parties:detail", pk=order.buyer_id)
    return render(request, "commerce/order_cancel.html", {"order": order, "party": order.buyer})


@require_http_methods(["GET"])
def product_options(request: HttpRequest) -> HttpResponse:
    """Suggestions for a product field: ``<option>``s for its datalist."""
    products_access(request.user)
    # htmx sends the typing field's value under the field's own name.
    query = next((value for value in request.GET.values() if value.strip()), "")
    products = product_search(query=query, active_only=True)[:OPTIONS_SIZE]
    return render(request, "commerce/order_form.html#product-options", {"product_options": products})


@require_http_methods(["GET"])
def product_list(request: HttpRequest) -> HttpResponse:
    products_access(request.user)
    search = ProductSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    products = list(product_search(query=query)[: PRODUCTS_PAGE + 1])
    context = {
        "search": search, "products": products[:PRODUCTS_PAGE], "more": len(products) > PRODUCTS_PAGE,
        "may_change": request.user.is_manager, "query": query,
    }
    template = "commerce/product_list.html"
    if request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true":
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_http_methods(["GET", "POST"])
def product_new(request: HttpRequest) -> HttpResponse:
    products_access(request.user, write=True)
    form = ProductForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            product = product_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": product})
            return redirect("commerce:products")
    status = 400 if form.errors else 200
    return render(request, "commerce/product_form.html", {"form": form, "product": None}, status=status)


@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, product_pk: int) -> HttpResponse:
    products_access(request.user, write=True)
    product = get_object_or_404(Product, pk=product_pk)
    if request.method == "POST":
        form = ProductForm(request.POST)
        if form.is_valid():
            try:
                product_update(actor=request.user, product=product, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("%(name)s was saved.") % {"name": product})
                return redirect("commerce:products")
    else:
        form = ProductForm(initial=ProductForm.initial_for(product))
    status = 400 if form.errors else 200
    return render(request, "commerce/product_form.html", {"form": form, "product": product}, status=status)

