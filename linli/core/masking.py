"""How personal data is shown to anyone who has not revealed it: 110105********1234, 138****5678."""


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    return value[:3] + "****" + value[-4:] if len(value) >= 8 else "*" * len(value)


def mask_name(value: str | None) -> str:
    """Public pages: 张** (only the family name)."""
    return (value[0] + "*" * (len(value) - 1)) if value else ""


def mask_date(value) -> str | None:
    """A birth date in audit records: 1980-**-** (the year only; month and day are an ID
    number's hidden digits)."""
    if not value:
        return None
    return f"{value.year:04d}-**-**" if hasattr(value, "year") else f"{str(value)[:4]}-**-**"
