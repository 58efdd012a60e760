"""The exception ladder: a parcel gone quiet opens a ticket, then apologises, then compensates, once per silence."""
