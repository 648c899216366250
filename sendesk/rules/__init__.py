"""Pure domain rules: no I/O, exhaustively tested."""
