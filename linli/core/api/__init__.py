"""The base of /api/v1/ that every domain's API builds on: scoped viewsets (403 without the
permission, 404 out of scope), serializers writing through core.actions, id filters on the
denormalised ancestor keys, pagination and the JSON error shape. Each domain's `api.py` uses
these; the `api` app composes the URLs (docs/architecture.md, "Layers")."""
