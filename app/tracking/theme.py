"""The shop's colours as a small stylesheet: CSS variables the page's own CSS reads."""

from __future__ import annotations

import re

DEFAULT_PRIMARY = "#0b6e4f"
DEFAULT_ACCENT = "#f4a259"
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def _colour(value, default: str) -> str:
    """Use a stored colour only if it is exactly #rrggbb: anything else could break out of the CSS."""
    return value if isinstance(value, str) and _COLOUR.fullmatch(value) else default


def _luminance(colour: str) -> float:
    """Return the relative luminance of #rrggbb (WCAG 2)."""
    channels = []
    for i in (1, 3, 5):
        c = int(colour[i:i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def readable_on(colour: str) -> str:
    """Return black or white, whichever reads better on the colour."""
    light = _luminance(colour)
    return "#111111" if (light + 0.05) / 0.05 > 1.05 / (light + 0.05) else "#ffffff"


def theme_css(branding: dict) -> str:
    """Return the :root variables for the shop's primary and accent colours and their text colours."""
    primary = _colour(branding.get("primary_color"), DEFAULT_PRIMARY)
    accent = _colour(branding.get("accent_color"), DEFAULT_ACCENT)
    return (f":root {{\n  --brand: {primary};\n  --brand-text: {readable_on(primary)};\n"
            f"  --accent: {accent};\n  --accent-text: {readable_on(accent)};\n}}\n")
