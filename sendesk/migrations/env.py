"""Alembic environment: SENDesk always hands Alembic an open connection.

The connection (SQLCipher with its key already applied, or PostgreSQL) comes from
``sendesk.db.upgrade_to_head`` through ``config.attributes``; there is no alembic.ini URL,
so no key or password ever sits in a config file.
"""

from alembic import context

from sendesk.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("SENDesk migrations run through sendesk.db, which passes a connection.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
