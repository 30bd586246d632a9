from . import transfer_views  # noqa: F401  (routes on the same blueprint)
from .views import bp  # noqa: F401
