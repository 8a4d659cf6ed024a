"""Social work (issue 7; split out of the former ``support`` app, issue 14): the family's case
with its social worker, needs assessments per domain, interventions and their outcomes."""
