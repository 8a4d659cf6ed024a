"""Family shelter (issue 7; split out of the former ``support`` app, issue 14): houses, rooms,
stays that never share a night in a room, and the ranked waitlist."""
