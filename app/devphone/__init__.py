"""The phone simulator /dev/phone: read Bijna's texts as the recipient and reply (development only)."""
