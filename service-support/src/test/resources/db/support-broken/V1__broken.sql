-- Not SQL: opening a database with this migration must fail and say which service's database it was.
CREATE TABEL notes (id INTEGER);
