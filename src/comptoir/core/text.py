"""Checks on text that comes from outside."""


def text_storable(value: str) -> bool:
    """False for text no database column can hold: NUL characters (PostgreSQL refuses them
    in text and JSON) or lone surrogates (not encodable as UTF-8). Such input is bad input,
    never a 500."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
