"""Imports every command module so that each registers its commands on the app."""

from __future__ import annotations

from . import (
    demo_cmds,  # noqa: F401
    ems_cmds,  # noqa: F401
    evaluate_cmds,  # noqa: F401
    import_cmds,  # noqa: F401
    mobile_cmds,  # noqa: F401
    network_cmds,  # noqa: F401
    optimize_cmds,  # noqa: F401
    pareto_cmds,  # noqa: F401
    region_cmds,  # noqa: F401
    report_cmds,  # noqa: F401
    scenario_cmds,  # noqa: F401
    staff_cmds,  # noqa: F401
    sweep_cmds,  # noqa: F401
    web_cmds,  # noqa: F401
)
