import factory

from comptoir.inventory.models import Warehouse


class WarehouseFactory(factory.django.DjangoModelFactory[Warehouse]):
    class Meta:
        model = Warehouse

    code = factory.Sequence(lambda n: f"entrepot-{n}")
    name = factory.Sequence(lambda n: f"Entrepôt {n}")
    street_address = "12 rue des Forges"
    postal_code = "69007"
    city = "Lyon"
    country = "FR"
    priority = 0
