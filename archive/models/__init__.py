from .agency import Agency, User
from .audit import AuditEntry, AuditHead
from .household import Case, Household, Member
from .item import ArchiveNumberCounter, Box, File, Item, Page, Subtype
from .platform import PlatformReceipt, PlatformToken, PrintTask
from .ratelimit import RateCounter

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
    "PlatformReceipt",
    "PlatformToken",
    "PrintTask",
    "RateCounter",
    "Subtype",
    "User",
]
