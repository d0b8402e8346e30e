"""What ``seed_demo`` wrote, and how ``consult-line seed-demo`` reports it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DemoSummary:
    already_present: bool
    calls: int
    callbacks: int
    surveys: int
    clients: int
    employees: int
    reception_hours: int  # rows of the demo's reception schedule (V1–V2)

    def lines(self) -> list[str]:
        if self.already_present:
            return ["Демонстрационные данные уже есть в базе (звонки demo-*): ничего не записано."]
        staff = (
            f"  сотрудников (демонстрационные отделы): {self.employees}"
            if self.employees
            else "  сотрудники: использованы уже заведённые операторы"
        )
        return [
            "Записаны демонстрационные данные:",
            f"  звонков: {self.calls}",
            f"  заявок на обратный звонок: {self.callbacks}",
            f"  ответов на опрос после консультации: {self.surveys}",
            f"  новых клиентов: {self.clients}",
            staff,
            *([self._reception()] if self.reception_hours else []),
        ]

    def _reception(self) -> str:
        rows = self.reception_hours
        return f"  личный приём демонстрационных экспертов, строк расписания: {rows}"
