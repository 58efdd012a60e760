"""The recipient's tracking page /t/<token>, its feedback, and the shop API for that feedback."""
