from django import template

register = template.Library()


@register.filter
def errors_for(errors: dict, key: str) -> list:
    """Problems of the form `key` (action-target) from the last failed post."""
    return errors.get(key, []) if errors else []


@register.filter
def field_errors(problems: list, field: str) -> list:
    return [p for p in problems if p.field == field or p.field.startswith(field + ".")]


@register.filter
def get(mapping, key):
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
