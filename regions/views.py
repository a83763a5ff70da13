import re

from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .forms import cascade_context

_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,40}$", re.IGNORECASE)
_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


@require_GET
def cascade(request):
    """htmx: redraw a cascade after the level `changed` was chosen; the levels below it start empty."""
    name = request.GET.get("name", "")
    widget_id = request.GET.get("widget_id", f"id_{name}")
    try:
        depth = int(request.GET.get("depth", "4"))
        changed = int(request.GET.get("changed", "1"))
    except ValueError:
        return HttpResponseBadRequest("depth and changed must be numbers")
    if not _NAME.match(name) or not _NAME.match(widget_id) or not (1 <= depth <= 4) or not (1 <= changed <= depth):
        return HttpResponseBadRequest("bad cascade parameters")
    # A cleared level keeps the choice above it.
    code = request.GET.get(f"{name}_{changed}", "") or request.GET.get(f"{name}_{changed - 1}", "")
    if code and not _CODE.match(code):
        return HttpResponseBadRequest("bad region code")
    context = cascade_context(name=name, code=code, depth=depth, widget_id=widget_id)
    return render(request, "regions/widgets/cascade.html", {"cascade": context})
