"""What the admin console shows: read queries over the tables, one module per console page, each
answering plain rows and ORM objects that are fully loaded. No Flask here: the console's views
(sandbox/admin/) read the request, call these and render."""
