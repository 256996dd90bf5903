"""One module per grant or RFC: pure ``build_*`` request builders and ``parse_*`` parsers."""
