import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from accounts.forms import AddressForm
from accounts.services import address_save
from regions.selectors import region_label
from vendors.decorators import shop_view
from vendors.models import Capability, Shop
from vendors.views import verifikator_required

from . import lifecycle, selectors
from .cart import cart_contents, cart_prices_seen, cart_refresh_count, cart_update
from .forms import CartLineForm, ComplaintDecisionForm, ReasonForm, ReviewForm, ShipForm, ShopShippingForm
from .invoice import invoice_facts, invoice_pdf
from .models import Order
from .services import (
    CheckoutError,
    ComplaintError,
    OrderTransitionError,
    ReviewError,
    ShopChoice,
    checkout_place,
    complaint_accept,
    complaint_decide,
    complaint_escalate,
    complaint_reject,
    complaint_withdraw,
    review_create,
    review_reply,
    shop_shipping_save,
)
from .shipping import COURIERS, quote_default, shipping_quotes


def _cart_context(request, **extra) -> dict:
    quantities, seen_prices = cart_contents(request)
    shops = selectors.cart_view(quantities=quantities, seen_prices=seen_prices)
    for_sale = [group for group in shops if not group["gone"]]
    # An empty cart right after "Buat pesanan" (or Back from the payment page) shows what waits for payment.
    unpaid = [] if shops else selectors.checkouts_unpaid(user=request.user)
    return {"shops": shops, "for_sale": bool(for_sale), "total": sum(group["subtotal"] for group in for_sale),
            "unpaid": unpaid, **extra}


@require_GET
def cart_page(request):
    context = _cart_context(request)
    cart_prices_seen(request, shops=context["shops"])  # each price-change notice is shown once, here
    return render(request, "orders/cart.html", context)


def _cart_refused(request, form):
    """A quantity the cart cannot take: the cart again, unchanged, with the reason at that line (400). For htmx the
    HX-Reswap header marks it as a 400 to show: static/js/cart.js lets htmx swap it in."""
    if "variant" in form.errors:
        return HttpResponseBadRequest(" ".join(form.errors["variant"]))
    context = _cart_context(request, error_variant=form.cleaned_data["variant"], error=form.errors["quantity"][0])
    if request.headers.get("HX-Request"):
        response = render(request, "orders/_cart_body.html", context, status=400)
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "orders/cart.html", context, status=400)


@require_POST
def cart_change(request, add=False):
    form = CartLineForm(request.POST)
    if not form.is_valid():
        return _cart_refused(request, form)
    variant_id, quantity = form.cleaned_data["variant"], form.cleaned_data["quantity"]
    variant = None
    if add or quantity:  # removing a line needs nothing; adding or changing one needs a variant on sale today
        variant = selectors.variant_for_sale(variant_id=variant_id)
        if variant is None:
            raise Http404
    # Adding happens on the product page, at today's price: that is the price the buyer saw.
    cart_update(request, variant_id=variant_id, quantity=quantity, add=add, seen_price=variant.price if add else None)
    if add:
        messages.success(request, _("%(name)s masuk keranjang.") % {"name": variant.product.name})
        return redirect("orders:cart")
    if request.headers.get("HX-Request"):
        return render(request, "orders/_cart_body.html", _cart_context(request, oob_count=True))
    return redirect("orders:cart")


def _checkout_rate(group, request) -> str:
    """Place-order attempts per buyer a minute: django-ratelimit's counter, an atomic INCR in the Redis cache that
    every web process shares (fixed windows; RATELIMIT_FAIL_OPEN lets orders through while Redis is down)."""
    return f"{settings.CHECKOUT_RATE_PER_MINUTE}/m"


@login_required
@require_http_methods(["GET", "POST"])
def checkout(request):
    data = request.POST if request.method == "POST" else request.GET  # GET redraws the page for new choices
    addresses = selectors.addresses_with_regions(user_id=request.user.pk)
    if not addresses:
        messages.info(request, _("Tambahkan alamat pengiriman dulu."))
        return redirect(f"{_address_new_url()}?next=/checkout/")
    address = next((a for a in addresses if str(a.pk) == data.get("address")), addresses[0])
    error = None
    if is_ratelimited(request, group="orders.checkout", key="user", rate=_checkout_rate, method="POST",
                      increment=True):
        return render(request, "429.html", status=429)
    if request.method == "POST":
        # Shipping and totals are recomputed by the service from the database; only the choices come from here.
        choices = {int(name.removeprefix("shipping_")): ShopChoice(method=value,
                                                                   note=data.get(f"note_{name[9:]}", ""))
                   for name, value in data.items() if name.startswith("shipping_") and name[9:].isdigit()}
        try:
            checkout_group = checkout_place(buyer=request.user, idempotency_key=data.get("key", "")[:64],
                                            address=address, choices=choices)
        except CheckoutError as problem:
            error = str(problem)
        else:
            cart_refresh_count(request)
            return redirect("orders:group", pk=checkout_group.pk)
    quantities, seen_prices = cart_contents(request)
    shops = selectors.cart_view(quantities=quantities, seen_prices=seen_prices)  # notices shown, not acknowledged
    if shops and shops[-1]["gone"]:
        messages.warning(request, _("Hapus dulu barang yang sudah tidak dijual dari keranjang."))
        return redirect("orders:cart")
    if not shops:
        return redirect("orders:cart")
    every_quotes = shipping_quotes(parcels=[(group["shop"], group["weight"]) for group in shops],
                                   destination_kabkota=address.kabkota_code)
    for group, quotes in zip(shops, every_quotes, strict=True):
        group["quotes"] = quotes
        default = quote_default(quotes)
        group["chosen"] = data.get(f"shipping_{group['shop'].pk}", default.method if default else "")
        group["note"] = data.get(f"note_{group['shop'].pk}", "")[:300]
        chosen = next((q for q in group["quotes"] if q.method == group["chosen"]), None)
        group["fee"] = chosen.fee if chosen else 0
    for a in addresses:
        a.region_label = region_label(a.region)
    return render(request, "orders/checkout.html", {
        "addresses": addresses, "address": address, "shops": shops, "error": error,
        "total": sum(g["subtotal"] + g["fee"] for g in shops),
        "key": data.get("key") or secrets.token_urlsafe(24),
    }, status=409 if error else 200)


def _address_new_url() -> str:
    from django.urls import reverse

    return reverse("orders:address_new")


@login_required
@require_http_methods(["GET", "POST"])
def address_new(request):
    form = AddressForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        address_save(user=request.user, data=form.cleaned_data)
        messages.success(request, _("Alamat disimpan."))
        next_url = request.GET.get("next", "")
        return redirect(next_url if next_url.startswith("/") and not next_url.startswith("//") else "orders:checkout")
    return render(request, "orders/address_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_GET
def group_page(request, pk):
    group = get_object_or_404(request.user.checkouts.prefetch_related("orders__shop", "orders__lines"), pk=pk)
    return render(request, "orders/group.html", {"group": group})


@login_required
@require_GET
def order_list(request):
    tab = request.GET.get("status", "")
    tab = tab if any(slug == tab for slug, _label, _statuses in selectors.BUYER_TABS) else ""
    return render(request, "orders/order_list.html", {
        "orders": selectors.orders_of_buyer(user=request.user, tab=tab)[:100], "tab": tab,
        "tabs": selectors.BUYER_TABS})


@login_required
@require_GET
def order_detail(request, number):
    order = selectors.order_of_buyer(user=request.user, number=number)
    if order is None:
        raise Http404
    return render(request, "orders/order_detail.html", {"order": order, "reason_form": ReasonForm()})


@login_required
@require_http_methods(["GET", "POST"])
def order_action(request, number, action):
    order = selectors.order_of_buyer(user=request.user, number=number)
    if order is None:
        raise Http404
    return _act(request, order, action, lifecycle.BUYER)


@shop_view(Capability.ORDERS)
@require_GET
def shop_order_list(request, shop: Shop):
    status = request.GET.get("status", "")
    if status and status not in Order.Status.values:
        status = ""
    orders = selectors.orders_of_shop(shop=shop, status=status)[:100]
    complaints = selectors.orders_of_shop(shop=shop, status=Order.Status.COMPLAINT)[:50]
    return render(request, "orders/shop_order_list.html",
                  {"orders": orders, "status": status, "statuses": Order.Status.choices, "complaints": complaints})


@shop_view(Capability.ORDERS)
@require_GET
def shop_order_detail(request, shop: Shop, number):
    order = selectors.order_of_shop(shop=shop, number=number)
    if order is None:
        raise Http404
    return render(request, "orders/shop_order_detail.html",
                  {"order": order, "ship_form": ShipForm(order=order), "reason_form": ReasonForm()})


@shop_view(Capability.ORDERS)
@require_POST
def shop_order_action(request, shop: Shop, number, action):
    order = selectors.order_of_shop(shop=shop, number=number)
    if order is None:
        raise Http404
    return _act(request, order, action, lifecycle.SHOP)


def _act(request, order, slug, side):
    """One action of the lifecycle table on this order, as the buyer or the shop (the side of the URL).
    Not this side's action or not this person's order: 403/404; no longer possible (a second click): 409;
    a missing reason or a bad resi: 400. Actions with form "confirm" show a page of their own on GET."""
    template = "orders/order_detail.html" if side == lifecycle.BUYER else "orders/shop_order_detail.html"
    back = (reverse("orders:detail", args=[order.number]) if side == lifecycle.BUYER
            else reverse("orders:shop_detail", args=[order.shop_id, order.number]))
    context = {"order": order, "ship_form": ShipForm(order=order), "reason_form": ReasonForm()}
    try:
        row = lifecycle.order_action_resolve(order=order, user=request.user, slug=slug, side=side)
    except LookupError:
        raise Http404 from None
    except lifecycle.OrderActionForbidden as problem:
        return render(request, template, {**context, "error": str(problem)}, status=403)
    except lifecycle.OrderTransitionError as problem:
        return render(request, template, {**context, "error": str(problem)}, status=409)
    if row.form == "confirm" and (request.method == "GET" or request.POST.get("confirm") != "1"):
        if request.method != "GET":
            return redirect(request.path)
        return render(request, "orders/order_confirm.html", {"order": order, "action": row})
    if request.method == "GET":
        return HttpResponseNotAllowed(["POST"])
    try:
        if row.form == "ship":
            form = ShipForm(request.POST, order=order)
            if not form.is_valid():
                return render(request, template, {**context, "ship_form": form,
                                                  "error": _("Periksa isian pengiriman.")}, status=400)
            lifecycle.order_ship(order_id=order.pk, actor=request.user, courier=form.cleaned_data.get("courier", ""),
                                 tracking=form.cleaned_data["tracking_number"])
        else:
            note = ""
            if row.reason_required:
                form = ReasonForm(request.POST)
                if not form.is_valid():
                    return render(request, template, {**context, "reason_form": form, "failed_action": slug,
                                                      "error": _("Tuliskan alasannya.")}, status=400)
                note = form.cleaned_data["reason"]
            lifecycle.order_transition(order_id=order.pk, to_status=row.target, actor=request.user, note=note)
    except lifecycle.OrderActionForbidden as problem:
        return render(request, template, {**context, "error": str(problem)}, status=403)
    except lifecycle.OrderActionInvalid as problem:
        return render(request, template, {**context, "error": str(problem)}, status=400)
    except lifecycle.OrderTransitionError as problem:
        order = selectors.order_of_buyer(user=request.user, number=order.number) if side == lifecycle.BUYER \
            else selectors.order_of_shop(shop=order.shop, number=order.number)
        return render(request, template, {**context, "order": order, "error": str(problem)}, status=409)
    messages.success(request, _("Pesanan %(number)s diperbarui.") % {"number": order.number})
    return redirect(back)


# --- complaints: the shop answers, the buyer withdraws or escalates, the verifikator decides -------------


@shop_view(Capability.ORDERS)
@require_POST
def shop_complaint(request, shop: Shop, number, decision):
    order = selectors.order_of_shop(shop=shop, number=number)
    if order is None or decision not in ("terima", "tolak"):
        raise Http404
    form = ReasonForm(request.POST)
    if decision == "tolak" and not form.is_valid():
        return render(request, "orders/shop_order_detail.html",
                      {"order": order, "ship_form": ShipForm(), "reason_form": form}, status=400)
    try:
        if decision == "terima":
            complaint_accept(order_id=order.pk, actor=request.user)
        else:
            complaint_reject(order_id=order.pk, actor=request.user, reason=form.cleaned_data["reason"])
    except (OrderTransitionError, ComplaintError) as problem:
        return render(request, "orders/shop_order_detail.html", {
            "order": order, "error": str(problem), "ship_form": ShipForm(), "reason_form": ReasonForm()}, status=409)
    messages.success(request, _("Jawaban komplain terkirim ke pembeli."))
    return redirect("orders:shop_detail", shop_id=shop.pk, number=number)


@login_required
@require_POST
def buyer_complaint(request, number, decision):
    order = selectors.order_of_buyer(user=request.user, number=number)
    if order is None or decision not in ("banding", "tutup"):
        raise Http404
    form = ReasonForm(request.POST)
    if decision == "banding" and not form.is_valid():
        return render(request, "orders/order_detail.html", {"order": order, "reason_form": form}, status=400)
    try:
        if decision == "banding":
            complaint_escalate(order_id=order.pk, actor=request.user, reason=form.cleaned_data["reason"])
        else:
            complaint_withdraw(order_id=order.pk, actor=request.user)
    except (OrderTransitionError, ComplaintError) as problem:
        return render(request, "orders/order_detail.html",
                      {"order": order, "error": str(problem), "reason_form": ReasonForm()}, status=409)
    messages.success(request, _("Pesanan %(number)s diperbarui.") % {"number": order.number})
    return redirect("orders:detail", number=number)


@verifikator_required
@require_GET
def complaint_queue(request):
    return render(request, "orders/complaint_queue.html", {"orders": selectors.complaints_escalated()[:100]})


@verifikator_required
@require_http_methods(["GET", "POST"])
def complaint_detail(request, number):
    order = selectors.complaint_for_verifikator(number=number)
    if order is None:
        raise Http404
    form = ComplaintDecisionForm(request.POST if request.method == "POST" else None)
    error, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                complaint_decide(order_id=order.pk, actor=request.user, reason=form.cleaned_data["reason"],
                                 refund=form.cleaned_data["decision"] == "refund")
            except (OrderTransitionError, ComplaintError) as problem:
                error, status = str(problem), 409
            else:
                messages.success(request, _("Keputusan komplain %(number)s tersimpan.") % {"number": number})
                return redirect("orders:complaint_queue")
        else:
            status = 400
    return render(request, "orders/complaint_detail.html", {"order": order, "form": form, "error": error},
                  status=status)


def _order_for_either_side(request, number):
    """The buyer of the order, or its shop's members who handle orders or money, may see its invoice."""
    order = (selectors.order_of_buyer(user=request.user, number=number)
             or selectors.order_of_shop_side(user=request.user, number=number))
    if order is None:
        raise Http404
    return order


@login_required
@require_GET
def invoice(request, number, pdf=False):
    order = _order_for_either_side(request, number)
    if not order.invoice_number:
        raise Http404("invoice is issued when the order is paid")
    facts = invoice_facts(order)
    if pdf:
        response = HttpResponse(invoice_pdf(order, facts), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="invoice-{order.number}.pdf"'
        return response
    return render(request, "orders/invoice.html", {"order": order, "facts": facts})


@shop_view(Capability.ORDERS)
@require_GET
def packing_slip(request, shop: Shop, number):
    order = selectors.order_of_shop(shop=shop, number=number)
    if order is None:
        raise Http404
    return render(request, "orders/packing_slip.html", {"order": order})


@login_required
@require_POST
def review_new(request, number, line_id):
    order = selectors.order_of_buyer(user=request.user, number=number)
    if order is None:
        raise Http404
    form = ReviewForm(request.POST)
    try:
        if not form.is_valid():
            raise ReviewError(_("Beri nilai 1 sampai 5 bintang."))
        review_create(buyer=request.user, line_id=line_id, **form.cleaned_data)
    except ReviewError as problem:
        return render(request, "orders/order_detail.html",
                      {"order": order, "error": str(problem), "reason_form": ReasonForm()}, status=409)
    messages.success(request, _("Terima kasih atas ulasan Anda."))
    return redirect("orders:detail", number=number)


@shop_view(Capability.ORDERS)
@require_POST
def review_reply_view(request, shop: Shop, review_id):
    text = request.POST.get("reply", "").strip()
    try:
        if not text:
            raise ReviewError(_("Tulis balasannya."))
        review = review_reply(shop=shop, user=request.user, review_id=review_id, text=text)
    except ReviewError as problem:
        messages.error(request, str(problem))
        return redirect("orders:shop_list", shop_id=shop.pk)
    messages.success(request, _("Balasan terkirim."))
    return redirect("orders:shop_detail", shop_id=shop.pk, number=review.line.order.number)


@shop_view(Capability.ORDERS)
@require_http_methods(["GET", "POST"])
def shop_shipping(request, shop: Shop):
    from regions.selectors import banten_kabkota

    from .models import ShopShipping

    current = ShopShipping.objects.filter(shop=shop).first() or ShopShipping(shop=shop, couriers=list(COURIERS))
    initial = {"pickup": current.pickup, "couriers": current.couriers,
               **{f"fee_{code}": fee for code, fee in current.own_courier_fees.items()}}
    form = ShopShippingForm(request.POST if request.method == "POST" else None, initial=initial,
                            kabkota=banten_kabkota(), couriers=COURIERS)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                shop_shipping_save(shop=shop, pickup=form.cleaned_data["pickup"],
                                   couriers=form.cleaned_data["couriers"], own_courier_fees=form.own_courier_fees())
            except CheckoutError as problem:
                form.add_error(None, str(problem))
            else:
                messages.success(request, _("Pengaturan pengiriman disimpan."))
                return redirect(request.get_full_path())
        status = 400
    return render(request, "orders/shop_shipping.html", {"form": form, "shop": shop}, status=status)
