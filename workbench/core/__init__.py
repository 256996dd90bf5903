"""Qt-free protocol core: builders, parsers, HTTP, tokens, profiles."""
