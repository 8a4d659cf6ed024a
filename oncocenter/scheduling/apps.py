from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "oncocenter.scheduling"
    label = "scheduling"
    verbose_name = _("Treatment machines and scheduling")

    def ready(self) -> None:
        from oncocenter.core.registry import HomePanel, NavItem, PatientSection, registry
        from oncocenter.core.roles import Role
        from oncocenter.machines.hooks import BOOKED_SESSIONS
        from oncocenter.scheduling import follow, panels, record, selectors

        BOOKED_SESSIONS.register(selectors.booked_on_machine)
        from oncocenter.scheduling.jobs import register_kinds

        register_kinds()
        record.register()
        follow.register()

        registry.add_nav(
            NavItem(
                "machines",
                _("Machines"),
                "scheduling:machines",
                "machine.view",
                section="radonc",
                order=50,
            )
        )
        registry.add_nav(
            NavItem(
                "linac-board",
                _("LINAC day board"),
                "scheduling:board",
                "schedule.view",
                section="radonc",
                order=45,
            )
        )
        registry.add_nav(
            NavItem(
                "outage-report",
                _("Report an outage"),
                "scheduling:outage-report",
                "outage.report",
                section="radonc",
                order=55,
            )
        )
        registry.add_panel(
            HomePanel(
                "scheduling-worklist",
                _("LINAC scheduling"),
                "scheduling/_partials/home_panel.html",
                frozenset({Role.SCHEDULER, Role.RADIATION_THERAPIST}),
                panels.scheduler_home,
                order=20,
                permission="schedule.view",
            )
        )
        registry.add_patient_section(
            PatientSection(
                "rt-appointments",
                _("Radiotherapy appointments"),
                "scheduling/_partials/patient_section.html",
                "schedule.view",
                panels.patient_appointments,
                order=60,
            )
        )
