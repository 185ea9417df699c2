"""What Kyky's page models share (a mixin: no table, no migration)."""


class CachedViewRestrictions:
    """A page mixin: the view restrictions ``serve`` found with the route, instead of two queries."""

    def get_view_restrictions(self):
        cached = getattr(self, "_cached_view_restrictions", None)
        return cached if cached is not None else super().get_view_restrictions()
