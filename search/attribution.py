"""Which household a hit names, for an item that concerns several (a 委托书 with its 花名册).

The item is filed under its first household, but a search for someone listed in its roster
is a search for that person's household. From the stored document alone (so every backend
answers the same), in this order:

1. a household with a member whose whole name is a name of the query (``张伟``, not 张伟华);
2. a household one of whose names or IDs contains a match of the query;
3. the household named on the line of the page text where the query first matches (a
   roster row: the head's name or ID stands on the same line as the matched text);
4. the item's own household.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search.documents import IndexDocument, parse_household_line
from search.text import ParsedQuery, name_key


@dataclass(frozen=True)
class Attribution:
    household_id: int | None
    head_id_number: str


def _own(doc: IndexDocument) -> Attribution:
    return Attribution(doc.household_id, doc.head_id_number)


def matched_household(
    doc: IndexDocument, query: ParsedQuery, pattern: re.Pattern[str] | None
) -> Attribution:
    """The household a hit on ``doc`` names (see the module's docstring)."""
    if not doc.households:
        return _own(doc)
    households = [parse_household_line(line) for line in doc.households.splitlines() if line]
    wanted = set(query.names)
    for pk, head, people in households:
        if wanted and any(name_key(name) in wanted for name, _ in people):
            return Attribution(pk, head)
    if pattern is None:
        return _own(doc)
    for pk, head, people in households:
        if any(pattern.search(value) for person in people for value in person if value):
            return Attribution(pk, head)
    found = pattern.search(doc.text)
    if found:
        start = doc.text.rfind("\n", 0, found.start()) + 1
        end = doc.text.find("\n", found.end())
        line = doc.text[start : end if end != -1 else len(doc.text)]
        for pk, head, people in households:
            names = [name for name, _ in people if len(name) >= 2]
            if (head and head in line) or any(name in line for name in names):
                return Attribution(pk, head)
    return _own(doc)
