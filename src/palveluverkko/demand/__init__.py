"""Demand: contact rates by age, projections and channel split."""

from __future__ import annotations

from .catalogue import default_services as default_services
from .catalogue import default_site_services as default_site_services
from .catalogue import site_services_from_demand as site_services_from_demand
