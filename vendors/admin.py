"""For superusers only; Pemprov staff decide through the verification console, which audits every decision."""

from django.contrib import admin

from .models import Shop, ShopEvent, ShopMember


class ShopMemberInline(admin.TabularInline):
    model = ShopMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "kabkota", "umkm_class", "submitted_at", "verified_at"]
    list_filter = ["status", "kabkota", "umkm_class"]
    search_fields = ["name", "slug", "owner__email"]
    raw_id_fields = ["owner", "region", "kabkota"]
    # Status changes go through the services (transition table, audit row, notification), never the admin form.
    readonly_fields = ["status", "submitted_at", "verified_at"]
    inlines = [ShopMemberInline]


@admin.register(ShopEvent)
class ShopEventAdmin(admin.ModelAdmin):
    list_display = ["shop", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["to_status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
