from django import template

from privacy.masking import mask_account, mask_nik

register = template.Library()
register.filter("mask_nik", mask_nik)
register.filter("mask_account", mask_account)
