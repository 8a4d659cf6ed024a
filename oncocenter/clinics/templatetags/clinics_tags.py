from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def localized(obj) -> str:
    """Translate a pure-Python reason/alert (template + params) into the active language."""
    return gettext(obj.template) % obj.params if hasattr(obj, "template") else str(obj)
