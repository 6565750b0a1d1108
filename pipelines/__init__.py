"""Everything that speaks SQL: the store, migrations and one query per report."""
