"""Length bounds of what people and clients send (issue 17): every string input has one."""

# Free text a person types (a note, a reason, a narrative, a list typed one per line).
TEXT_MAX = 10_000
# A short typed value checked against the record (a name, a birth date, an MRN read aloud).
SHORT_MAX = 200
# A password (checked against a hash; the minimum is 12, see AUTH_PASSWORD_VALIDATORS).
PASSWORD_MAX = 256
# A username (Django's column).
USERNAME_MAX = 150
