"""Hospital school (issue 7; split out of the former ``support`` app, issue 14): classes,
enrollments, attendance (during admissions too) and return-to-school plans."""
