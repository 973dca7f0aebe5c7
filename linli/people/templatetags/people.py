"""What a user sees of a person beyond the masked values (people/privacy.py), in templates:
{% for t in p|shown_tags:request.user %} and {{ p|birth_year:request.user }}."""

from django import template

from linli.people import privacy

register = template.Library()


@register.filter
def shown_tags(person, user):
    return privacy.shown_tags(user, person)


@register.filter
def birth_year(person, user):
    return privacy.birth_year(user, person)
