from .agency import Agency, User
from .audit import AuditEntry, AuditHead
from .household import Case, Household, Member
from .item import ArchiveNumberCounter, Box, File, Item, Page, Subtype

__all__ = [
    "Agency",
    "ArchiveNumberCounter",
    "AuditEntry",
    "AuditHead",
    "Box",
    "Case",
    "File",
    "Household",
    "Item",
    "Member",
    "Page",
    "Subtype",
    "User",
]
