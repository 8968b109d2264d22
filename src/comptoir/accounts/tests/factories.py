import factory

from comptoir.accounts.models import Address, User


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.fr")
    first_name = "Léa"
    last_name = "Durand"
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        if create:
            obj.save()


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True


class AddressFactory(factory.django.DjangoModelFactory[Address]):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    first_name = "Léa"
    last_name = "Durand"
    street_address_1 = "12 rue des Lilas"
    postal_code = "75011"
    city = "Paris"
    country = "FR"
    phone = "+33612345678"
