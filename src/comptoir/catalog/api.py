from ninja import Router

router = Router(tags=["catalog"])
admin_router = Router(tags=["admin: catalog"])
