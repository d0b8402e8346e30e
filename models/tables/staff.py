"""Departments, employees (operators and experts), competences and training records (C4, C9)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from models.rules.training import TrainingKind
from models.tables._columns import enum_type, owner_key, utc
from models.topics import Topic


class Role(StrEnum):
    OPERATOR = "operator"
    EXPERT = "expert"
    SUPERVISOR = "supervisor"
    KB_EDITOR = "kb_editor"
    ADMIN = "admin"


class Department(SQLModel, table=True):
    __tablename__ = "departments"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=255)
    email: str | None = Field(default=None, max_length=255)
    phone: str | None = Field(default=None, max_length=32)


class Employee(SQLModel, table=True):
    __tablename__ = "employees"

    id: int | None = Field(default=None, primary_key=True)
    internal_number: str = Field(max_length=8, unique=True)
    full_name: str = Field(max_length=255)
    device: str = Field(max_length=64)
    department_id: int = Field(foreign_key="departments.id", index=True)
    # Where the deadline reminders of written messages go (W3–W6); None: nowhere.
    email: str | None = Field(default=None, max_length=255)
    active: bool = Field(default=True)
    updated_at: datetime = Field(sa_type=utc())


class EmployeeRole(SQLModel, table=True):
    __tablename__ = "employee_roles"

    employee_id: int = Field(sa_column=owner_key("employees.id", primary_key=True))
    role: Role = Field(sa_column=Column(enum_type(Role), primary_key=True))


class EmployeeCompetence(SQLModel, table=True):
    __tablename__ = "employee_competences"

    employee_id: int = Field(sa_column=owner_key("employees.id", primary_key=True))
    topic: Topic = Field(sa_column=Column(enum_type(Topic), primary_key=True, index=True))


class ServiceIntroduction(SQLModel, table=True):
    """A new service or function of the Ministry: operators must be trained on it (C4)."""

    __tablename__ = "service_introductions"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    title: str = Field(max_length=255)
    introduced_on: date


class TrainingEntry(SQLModel, table=True):
    """A completed training (C4): from the staff file (``recorded_by`` empty), which the next
    ``staff import`` makes exactly the file's, or recorded in the console by a supervisor
    (``recorded_by`` the actor), which no import removes."""

    __tablename__ = "training_records"

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(sa_column=owner_key("employees.id"))
    kind: TrainingKind = Field(sa_type=enum_type(TrainingKind))
    completed_on: date
    subject: str = Field(default="", sa_column=Column(String(255), nullable=False, default=""))
    recorded_by: str | None = Field(default=None, max_length=255)
