"""Sizes of files and mails as people read them: «512 Б», «12 КБ», «15 МБ», «30,5 МБ»."""

from __future__ import annotations

from models.mail_settings import MEGABYTE

KILOBYTE = 1024


def human_size(size: int) -> str:
    if size < KILOBYTE:
        return f"{size} Б"
    if size < MEGABYTE:
        return f"{size / KILOBYTE:.0f} КБ"
    megabytes = f"{size / MEGABYTE:.1f}".replace(".", ",").removesuffix(",0")
    return f"{megabytes} МБ"
