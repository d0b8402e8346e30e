"""A small knowledge base written into a temporary directory, for tests."""

from __future__ import annotations

from pathlib import Path

SECTIONS = """\
departments:
  - code: licensing
    name: Отдел лицензирования
  - code: consult
    name: Консультационная линия
sections:
  - id: alco
    title: Лицензирование розничной продажи алкогольной продукции
    owner: licensing
    topics: [state_services, control_supervision]
    last_reviewed: 2026-11-01
  - id: hours
    title: Режим работы и личный приём
    owner: consult
    topics: [hours_and_visits]
    last_reviewed: 2026-11-01
"""

ENTRIES = {
    "alco/alco-license-fee.md": """\
---
id: alco-license-fee
kind: faq
title: Сколько стоит лицензия на розничную продажу алкогольной продукции
section: alco
owner: licensing
topics: [state_services]
tags: [госпошлина, лицензия]
language: ru
last_reviewed: 2026-11-01
links: [alco-license-term]
---
За выдачу лицензии на розничную продажу алкогольной продукции уплачивается
государственная пошлина. Размер пошлины зависит от срока действия лицензии.
""",
    "alco/alco-license-term.md": """\
---
id: alco-license-term
kind: faq
title: Срок действия лицензии
section: alco
owner: licensing
topics: [state_services]
tags: [срок]
language: ru
last_reviewed: 2026-11-01
---
Лицензия выдаётся на срок, указанный в заявлении, но не более пяти лет.
""",
    "alco/alco-night-sale.md": """\
---
id: alco-night-sale
kind: faq
title: Продажа спиртного ночью
section: alco
owner: licensing
topics: [control_supervision]
tags: [жалоба, ночная торговля]
language: ru
last_reviewed: 2026-11-01
---
Сообщение о продаже алкоголя в ночное время направляется в министерство:
инспекторы проверят магазин.
""",
    "alco/subsidy-plants.md": """\
---
id: subsidy-plants
kind: faq
title: Субсидии промышленным предприятиям
section: alco
owner: licensing
topics: [support_measures]
tags: [поддержка]
language: ru
last_reviewed: 2026-11-01
---
Заводы могут получить субсидию на модернизацию производства.
""",
    "hours/hours-ministry.md": """\
---
id: hours-ministry
kind: faq
title: Режим работы министерства
section: hours
owner: consult
topics: [hours_and_visits]
tags: [часы работы]
language: ru
last_reviewed: 2026-11-01
---
Министерство работает с понедельника по пятницу с 9:00 до 18:00.
Лицензии выдаются в рабочие часы.
""",
    "hours/hours-ministry-en.md": """\
---
id: hours-ministry-en
kind: script
title: Opening hours of the Ministry
section: hours
owner: consult
topics: [hours_and_visits]
tags: [hours]
language: en
last_reviewed: 2026-11-01
---
The Ministry works Monday to Friday, from 9 am to 6 pm.
""",
}


def write_content(root: Path, extra: dict[str, str] | None = None) -> Path:
    """Writes the sample content (plus ``extra`` files, path → text) under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "sections.yaml").write_text(SECTIONS, encoding="utf-8")
    for name, text in {**ENTRIES, **(extra or {})}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
