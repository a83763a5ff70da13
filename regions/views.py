import re

from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .forms import cascade_context

_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,40}$", re.IGNORECASE)
_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


@require_GET
def cascade(request):
    """htmx: redraw a cascade's selects after one of them changed.

    The chosen codes are read top-down while each one lies inside the one above it: a changed level makes the
    stale choices below it inconsistent, so they drop out and those levels start empty.
    """
    name = request.GET.get("name", "")
    widget_id = request.GET.get("widget_id", f"id_{name}")
    try:
        depth = int(request.GET.get("depth", "4"))
    except ValueError:
        return HttpResponseBadRequest("depth must be a number")
    if not _NAME.match(name) or not _NAME.match(widget_id) or not (1 <= depth <= 4):
        return HttpResponseBadRequest("bad cascade parameters")
    code = ""
    for level in range(1, depth + 1):
        value = request.GET.get(f"{name}_{level}", "")
        if value and not _CODE.match(value):
            return HttpResponseBadRequest("bad region code")
        if not value or value.count(".") != level - 1 or (code and not value.startswith(code + ".")):
            break
        code = value
    context = cascade_context(name=name, code=code, depth=depth, widget_id=widget_id)
    return render(request, "regions/widgets/_cascade_levels.html", {"cascade": context})
