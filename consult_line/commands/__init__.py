"""One module per CLI command; ``consult_line.cli.COMMANDS`` lists them."""
