"""Numbers written and read the Vietnamese way: decimal comma, dot for thousands.

Display goes through Django's localisation (FORMAT_MODULE_PATH sets the separators for every
language); these helpers add what Django does not: a fixed number of decimals with the unit,
and strict parsing of what officers type ("99,12") or paste from spreadsheets.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DECIMAL, THOUSAND = ",", "."  # parc/formats/*/formats.py say the same to Django


class AmbiguousNumber(ValueError):
    """ "1.234" could be one thousand two hundred and thirty-four or one point two three four."""


def format_number(value, decimals=None):
    """257141 → "257.141"; Decimal("99.123"), 2 → "99,12"; None → "" (the caller shows "—").

    Written by hand rather than through Django's number_format: both interface languages write
    numbers the Vietnamese way, and a dashboard formats thousands of them per page (Django's
    locale machinery cost ~100 ms of a national dashboard; this costs a few).
    """
    if value is None or value == "":
        return ""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if decimals is not None:
        number = number.quantize(_STEPS.get(decimals) or Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    else:
        number = number.normalize()  # 3.5000 → 3,5 and 1.0000 → 1 when no precision is asked
    # Python groups thousands with "," and writes "." for decimals: swap them in one pass.
    text = format(number, ",f").translate(_VIETNAMESE)
    if text.startswith("-") and not text.strip("-0,."):
        return text[1:]  # -0,00 reads as 0,00
    return text


_STEPS = {places: Decimal(1).scaleb(-places) for places in range(5)}
_VIETNAMESE = str.maketrans({",": THOUSAND, ".": DECIMAL})


def decimal_places(value):
    """Decimal("14.50") → 1, Decimal("12.555") → 3, Decimal("80") → 0: how many decimals it needs."""
    exponent = Decimal(value).normalize().as_tuple().exponent
    return -exponent if exponent < 0 else 0


def format_percent(value, decimals=2):
    """Decimal("99.12") → "99,12 %" (a space before the sign, as Vietnamese documents write it)."""
    text = format_number(value, decimals)
    return f"{text} %" if text else ""


def input_text(value):
    """A stored number as an officer types it: Decimal("145.0000") → "145", Decimal("4.6100") →
    "4,61", 1234.5 → "1234,5" (no grouping: "1.234" would read back as ambiguous); None → "".
    For inputs and files meant to be read back (a form's initial value, a csv cell); pages
    write figures with indicators.display."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        text = format(number.normalize(), "f").replace(".", DECIMAL)
        return "0" if text == "-0" else text
    return str(value)


def parse_number(text):
    """Read a number typed the Vietnamese way, or the plain machine way.

    "99,12" → 99.12; "1.234,5" and "1.234.567" → dots as thousand separators (a comma after
    them, or more than one dot); "1.234" or "257.141" alone could be either and raise
    AmbiguousNumber; "1.5" or "0.125" → a decimal point (nothing else fits).
    Raises ValueError for anything else.
    """
    if isinstance(text, (int, float, Decimal)):
        number = Decimal(str(text))
        if not number.is_finite():  # a float cell can hold NaN or infinity
            raise ValueError(str(text))
        return number
    s = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if s.endswith("%"):
        s = s[:-1]
    if not s:
        raise ValueError("empty")
    if "," in s:
        whole, _, frac = s.rpartition(",")
        if "," in whole or "." in frac:
            raise ValueError(s)
        whole = _strip_grouping(whole)
        s = f"{whole}.{frac}"
    elif "." in s:
        parts = s.split(".")
        if len(parts) > 2:
            s = _strip_grouping(s)
        elif len(parts[1]) == 3 and parts[0].lstrip("-+").isdigit() and parts[0].lstrip("-+") != "0":
            raise AmbiguousNumber(s)
    try:
        number = Decimal(s)
    except InvalidOperation as exc:
        raise ValueError(s) from exc
    if not number.is_finite():
        raise ValueError(s)
    return number


def _strip_grouping(text):
    """'1.234.567' → '1234567', refusing malformed groups such as '1.23.4'."""
    sign = text[0] if text[:1] in "+-" else ""
    groups = text[len(sign) :].split(".")
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        raise ValueError(text)
    return sign + "".join(groups)
