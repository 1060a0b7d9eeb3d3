"""`epaper fetch`: get a date range of an e-paper from its web site into a tree `epaper export` reads."""
