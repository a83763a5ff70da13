"""Roles are Django groups; these are their names."""

BUYER = "buyer"
SHOP_MEMBER = "shop_member"
VERIFIKATOR = "verifikator"
GOVERNMENT = "government"  # a person with roles in an OPD (procurement.OpdMember holds which)
ALL = (BUYER, SHOP_MEMBER, VERIFIKATOR, GOVERNMENT)
