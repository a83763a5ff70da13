"""Roles are Django groups; these are their names."""

BUYER = "buyer"
SHOP_MEMBER = "shop_member"
VERIFIKATOR = "verifikator"
ALL = (BUYER, SHOP_MEMBER, VERIFIKATOR)
