"""Aid associations (issue 7; split out of the former ``support`` app, issue 14): organisations,
the families' applications with their status flow, documents checklist and amounts in won."""
