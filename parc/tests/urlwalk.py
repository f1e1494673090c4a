"""The portal's URLs, discovered from the resolver, each with a sample of its arguments (the
`district_a_things` fixture in conftest.py): the security walk and the Vietnamese walk visit
them all, so a new view is covered (or the walk asks for a sample) without anyone remembering."""

import re

from django.urls import URLPattern, URLResolver, get_resolver, reverse

PUBLIC = {"login", "set_language", "logout", "healthz"}  # reachable without an account

# For each URL name: which sample object its <pk> means (other arguments are named alike).
PK_MEANS = {
    "units:detail": "pk",
    "plans:detail": "plan",
    "plans:edit": "plan",
    "plans:document": "plan",
    "plans:task-create": "plan",
    "plans:task-edit": "plan",
    "plans:task-delete": "plan",
    "plans:target-create": "plan",
    "plans:target-edit": "plan",
    "plans:target-delete": "plan",
    "indicators:evidence": "evidence",
    "indicators:import-job": "job",
    "indicators:import-confirm": "job",
    "indicators:import-cancel": "job",
    "indicators:import-rejected": "job",
    "dashboards:unit": "pk",
    "dashboards:export": "pk",
    "scoring:evidence": "score_evidence",
}
# Every other scoring URL's <pk> is the criteria set.
PK_MEANS_BY_NAMESPACE = {"scoring": "criteria_set"}


def patterns(resolver=None, prefix="", namespace=""):
    """(name with its namespace, or None; the route) of every URL pattern."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else None, prefix + str(entry.pattern)


def url_for(name, route, things):
    kwargs = {}
    for arg in re.findall(r"<(?:\w+:)?(\w+)>", route):
        if arg == "pk":
            means = PK_MEANS.get(name) or PK_MEANS_BY_NAMESPACE.get(name.partition(":")[0])
            assert means, f"{name}: say in PK_MEANS which object its <pk> is"
            kwargs[arg] = things[means]
        else:
            assert arg in things, f"{name}: add a sample for <{arg}> to district_a_things"
            kwargs[arg] = things[arg]
    return reverse(name, kwargs=kwargs)


def portal_urls(things):
    """(name, route, URL) of every page outside the admin that needs an account."""
    for name, route in patterns():
        if name is None or name.startswith("admin:") or route.startswith("admin/") or name in PUBLIC:
            continue
        yield name, route, url_for(name, route, things)
