"""p50/p95 latency of ``SearchIndex.search`` over the shipped content and a 10,000-entry corpus.

The large corpus is made from the shipped entries by recombining their sentences (fixed seed),
so its vocabulary and word frequencies are those of real content. Prints a Markdown table.
Run: ``.venv/bin/python bench/bench_kb_search.py``.
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts_kb.content_files import CONTENT_DIR, Entry, KbContentError, load_content
from scripts_kb.search import Document, SearchIndex
from scripts_kb.store import entry_document

QUERIES = [
    "сколько стоит лицензия на алкоголь",
    "куда пожаловаться на магазин который продаёт пиво ночью",
    "какие субсидии есть для заводов",
    "как записаться на приём к министру",
    "вы до скольки работаете",
    "лицензя на продажу алкаголя",
    "продлить лицензию срок",
    "статус моего обращения",
    "народные художественные промыслы",
    "госпошлина за переоформление лицензии",
]
SEED = 20261129


def _generated(base: list[Document], size: int) -> list[Document]:
    rng = random.Random(SEED)
    sentences = [s for d in base for s in re.split(r"(?<=[.!?])\s+|\n+", d.body) if s.strip()]
    titles = [d.title for d in base]
    docs = []
    for n in range(size):
        model = rng.choice(base)
        body = " ".join(rng.choice(sentences) for _ in range(rng.randint(5, 25)))
        title = " ".join(rng.sample(titles, 2))[:255]
        docs.append(
            Document(
                id=f"gen-{n:05d}",
                kind=model.kind,
                title=title,
                section=model.section,
                topics=model.topics,
                tags=model.tags,
                language=model.language,
                body=body,
            )
        )
    return docs


def _measure(index: SearchIndex, rounds: int) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        for query in QUERIES:
            start = time.perf_counter()
            index.search(query, topic="state_services", limit=10)
            samples.append((time.perf_counter() - start) * 1000)
    cuts = statistics.quantiles(samples, n=100)
    return cuts[49], cuts[94]


def main() -> None:
    try:
        entries = list(load_content(CONTENT_DIR).entries)
    except KbContentError as exc:
        print(f"(content has problems, benchmarking it anyway: {len(exc.problems)})")
        entries = list(_lenient(CONTENT_DIR))
    base = [entry_document(e) for e in entries]
    print("| corpus | entries | build, s | p50, ms | p95, ms |")
    print("|---|---:|---:|---:|---:|")
    for name, docs, rounds in (
        ("shipped content", base, 50),
        ("generated", _generated(base, 10_000), 10),
    ):
        start = time.perf_counter()
        index = SearchIndex(docs)
        build = time.perf_counter() - start
        p50, p95 = _measure(index, rounds)
        print(f"| {name} | {len(docs)} | {build:.2f} | {p50:.2f} | {p95:.2f} |")


def _lenient(directory: Path) -> list[Entry]:
    """Entries read without the cross-file checks (while the content is still being written)."""
    from scripts_kb import content_files

    found: list[content_files.KbProblem] = []
    loaded = [
        content_files._load_entry(path, path.name, found, set())
        for path in sorted(directory.glob("*/*.md"))
    ]
    return [item[0] for item in loaded if item is not None]


if __name__ == "__main__":
    main()
