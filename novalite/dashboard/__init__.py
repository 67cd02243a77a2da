"""novalite-dashboard: server-rendered pages to sign in, launch, watch and act on
instances (Horizon's job). It holds no data of its own beyond sessions, and reaches
every API over HTTP with the signed-in user's token, never the database."""
