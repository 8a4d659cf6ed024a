"""Pediatric palliative care (issue 7; split out of the former ``support`` app, issue 14):
referrals, goals of care and symptom plans, and bereavement follow-up of the family."""
