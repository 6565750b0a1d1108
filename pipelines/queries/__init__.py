"""One module per report: a function over (store, Query) returning plain rows."""
