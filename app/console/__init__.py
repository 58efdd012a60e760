"""The support console: the shop's service desk finds parcels, reads their story and acts on them."""
