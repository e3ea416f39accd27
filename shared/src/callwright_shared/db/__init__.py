"""The database: models, engine and the migrations that create them."""
