def home(request): pass
def opd_register(request, **kw): pass
def opd_page(request, **kw): pass
def opd_sk(request, **kw): pass
def invitation_accept(request, **kw): pass
def paket_new(request, **kw): pass
def paket_page(request, **kw): pass
def paket_pay(request, **kw): pass
def paket_document(request, **kw): pass
def paket_action(request, **kw): pass
def shop_pakets(request, **kw): pass
def shop_paket(request, **kw): pass
def shop_paket_document(request, **kw): pass
def shop_paket_action(request, **kw): pass
def console_opds(request, **kw): pass
def console_opd(request, **kw): pass
def console_opd_sk(request, **kw): pass
