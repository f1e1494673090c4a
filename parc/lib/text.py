"""Text helpers for Vietnamese."""

import unicodedata


def person_name(user, nobody="—"):
    """How a page names the person behind a change: full name, else the login; `nobody` when
    the change had no user (an import, the system)."""
    if user is None:
        return nobody
    return user.get_full_name() or user.get_username()


def fold(text):
    """Lower-case, accent-free form for searching: "Châu Thành" → "chau thanh", "Đồng" → "dong".

    NFD splits most Vietnamese letters into a base and combining marks; đ/Đ are letters of their
    own and do not decompose, so they are mapped by hand.
    """
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
