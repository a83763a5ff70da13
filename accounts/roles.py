"""Roles are Django groups; these are their names."""

BUYER = "buyer"
SHOP_MEMBER = "shop_member"
VERIFIKATOR = "verifikator"
# A government buyer: someone who buys for an OPD (PP, PPK, Bendahara, Admin OPD...). The procurement app grants it
# when a person joins an OPD and revokes it when they leave (accounts.services.user_grant_role / user_revoke_role);
# the storefront then shows what matters to government buying first (catalog: PDN, UMK, PKP, urut=pengadaan).
GOVERNMENT = "government"
ALL = (BUYER, SHOP_MEMBER, VERIFIKATOR, GOVERNMENT)
