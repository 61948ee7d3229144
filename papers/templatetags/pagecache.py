from django import template

from papers.caching import pages

register = template.Library()


@register.simple_tag
def fill(name, argument=""):
    """`{% fill "form-time" %}`: a per-request value, filled in even on a cached page."""
    return pages.placeholder(name, argument)


@register.tag
def personal(parser, token):
    """`{% personal "account" argument %}what an anonymous reader sees{% endpersonal %}`: the
    region a signed-in reader gets their own version of (pages.register_personal)."""
    name, *argument = (parser.compile_filter(bit) for bit in token.split_contents()[1:])
    nodelist = parser.parse(("endpersonal",))
    parser.delete_first_token()
    return PersonalNode(name, argument[0] if argument else None, nodelist)


class PersonalNode(template.Node):
    def __init__(self, name, argument, nodelist):
        self.name, self.argument, self.nodelist = name, argument, nodelist

    def render(self, context):
        argument = self.argument.resolve(context) if self.argument else ""
        default = self.nodelist.render(context)
        return pages.personal_region(self.name.resolve(context), argument, default)
