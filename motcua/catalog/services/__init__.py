"""Catalogue writes — thủ tục hành chính, quy trình nội bộ — one module per concern.

* ``budgets``: step budgets and their checks against the statutory time (pure);
* ``process_specs``: the content of a process version — approved in the data, or the default five
  steps — and who does each step (pure);
* ``processes``: stored process definitions: versions, admin drafts, activation;
* ``versioning``: a procedure's canonical content, its versions and snapshots, edits;
* ``importer`` (``import_read``, ``import_schema``, ``import_write``): ``motcua import-catalog``;
* ``common``: units, canonical decimals and content hashes shared by all of them.

Callers import from here (``from motcua.catalog.services import catalog_import``); the names below
are the package's public API.
"""

from __future__ import annotations

from motcua.catalog.services.budgets import (
    Budget,
    BudgetProblem,
    BudgetUnitError,
    budget_engine_error,
    budget_problems_text,
    budget_text,
    process_definition_validate,
    process_step_budgets_sum,
    step_budget_error,
)
from motcua.catalog.services.common import NOT_COUNTED
from motcua.catalog.services.import_read import ImportReport, Problem
from motcua.catalog.services.importer import CatalogValidationError, catalog_import
from motcua.catalog.services.process_specs import (
    ProcessSpec,
    StepSpec,
    process_actor_map,
    process_definition_derive,
    process_definition_from_data,
)
from motcua.catalog.services.processes import (
    ProcessDefinitionError,
    process_definition_activate,
    process_definition_build,
    process_definition_draft_create,
    process_definition_is_draft,
    process_definition_time_problems,
)
from motcua.catalog.services.versioning import (
    field_get_or_create,
    procedure_content,
    procedure_content_hash,
    procedure_normalise,
    procedure_time_errors,
    procedure_update,
    procedure_version_record,
)

__all__ = [
    "NOT_COUNTED",
    "Budget",
    "BudgetProblem",
    "BudgetUnitError",
    "CatalogValidationError",
    "ImportReport",
    "Problem",
    "ProcessDefinitionError",
    "ProcessSpec",
    "StepSpec",
    "budget_engine_error",
    "budget_problems_text",
    "budget_text",
    "catalog_import",
    "field_get_or_create",
    "procedure_content",
    "procedure_content_hash",
    "procedure_normalise",
    "procedure_time_errors",
    "procedure_update",
    "procedure_version_record",
    "process_actor_map",
    "process_definition_activate",
    "process_definition_build",
    "process_definition_derive",
    "process_definition_draft_create",
    "process_definition_from_data",
    "process_definition_is_draft",
    "process_definition_time_problems",
    "process_definition_validate",
    "process_step_budgets_sum",
    "step_budget_error",
]
