from django.http import HttpRequest
from ninja import Router, Schema

from comptoir.channels.selectors import channel_list

router = Router(tags=["channels"])


class ChannelOut(Schema):
    code: str
    name: str
    currency: str
    default_language: str
    languages: list[str]
    price_display: str
    default_country: str


@router.get("", response=list[ChannelOut], summary="Active sales channels")
def list_channels(request: HttpRequest) -> list[ChannelOut]:
    return [
        ChannelOut(
            code=c.code,
            name=c.name,
            currency=c.currency,
            default_language=c.default_language,
            languages=list(c.languages),
            price_display=c.price_display,
            default_country=str(c.default_country),
        )
        for c in channel_list()
    ]
