"""Authentication (local bcrypt users, LDAP, tokens) and the middleware that applies it."""
