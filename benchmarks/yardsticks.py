"""Hand-written checks of twelve of the policy's rules: speed yardsticks for bench_engine.py.

The engine's target (500,000 registrations/s on one core) was set on a machine where a
hand-fused Python function over twelve of these rules does about 1.8 million registrations/s and
a plain list of rule functions about 650,000/s. This machine kind is shared, and its speed
differs from hour to hour by more than the distance to the target, so bench_engine.py times both
yardsticks side by side with the engine, on the same objects in the same process: the ratios
carry over between machines where the rates do not.

Both check the same twelve rules with the same derived facts (public or external cloud, material
use) and return the ids of the rules that fire. Like the references they stand for, they build
no findings, deadlines, justifications, verdict or decision: only the tests.
"""

from __future__ import annotations

from collections.abc import Callable

from cloudtoets.domain.model import Organisation, Registration
from cloudtoets.policy.model import Policy

Check = Callable[[Registration], list[str]]

# the twelve rules both yardsticks check
RULE_IDS = frozenset(
    {
        "cb2026.3.1.risk-assessment",
        "cb2026.3.2.data-exit",
        "cb2026.3.2.emergency-plan",
        "cb2026.3.2.exit-plan",
        "cb2026.3.3.notification",
        "cb2026.4.5.documents",
        "cb2026.4.5.email",
        "cb2026.4.6.special-data",
        "cb2026.4.encryption",
        "cb2026.4.key-custody",
        "cb2026.4.location",
        "cb2026.5.2.classified",
    }
)


def _filled(texts: list[str]) -> bool:
    return any(t.strip() for t in texts)


def hand_fused(policy: Policy, organisations: dict[str, Organisation]) -> Check:
    """The twelve rules written out in one function, each shared test done once: the fastest
    plain Python for them (a faster yardstick makes the engine's ratio to it smaller)."""
    parameters = policy.parameters
    allowed = frozenset(parameters.allowed_countries)
    public_deployments = frozenset(str(d) for d in parameters.public_deployments)
    internal_deployments = frozenset(str(d) for d in parameters.internal_deployments)
    classified = frozenset({"stg-confidentieel", "stg-geheim", "stg-zeer-geheim"})
    strip = str.strip  # any(map(strip, texts)): no generator frame, as fast as it gets

    def check(r: Registration) -> list[str]:
        organisations[r.organisation]  # the engine looks the organisation up too
        fired: list[str] = []
        public = r.deployment in public_deployments
        external = r.deployment not in internal_deployments
        material = r.material
        if material is None:
            material = r.core_task or r.business_critical or r.large_scale_personal_data
        if external and material:
            risk, plan, notification = r.risk_assessment, r.exit_plan, r.notification
            if risk is None or risk.date is None:
                fired.append("cb2026.3.1.risk-assessment")
            if plan is None or not (plan.data_return and plan.data_destruction):
                fired.append("cb2026.3.2.data-exit")
            emergency = None if plan is None else plan.emergency
            if not (
                emergency is not None
                and emergency.lead_time_days is not None
                and any(map(strip, emergency.preconditions))
            ):
                fired.append("cb2026.3.2.emergency-plan")
            planned = None if plan is None else plan.planned
            if not (
                planned is not None
                and planned.lead_time_days is not None
                and any(map(strip, planned.preconditions))
            ):
                fired.append("cb2026.3.2.exit-plan")
            if notification is None or notification.submitted_on is None:
                fired.append("cb2026.3.3.notification")
        if public:
            functions = r.functions
            if "document-management" in functions:
                fired.append("cb2026.4.5.documents")
            if "email" in functions:
                fired.append("cb2026.4.5.email")
            if r.personal_data == "special":
                fired.append("cb2026.4.6.special-data")
            if not r.open_data:
                if not (r.encrypted_at_rest and r.encrypted_in_transit):
                    fired.append("cb2026.4.encryption")
                if r.key_custody == "provider":
                    fired.append("cb2026.4.key-custody")
            if not (
                allowed.issuperset(r.storage_countries)
                and allowed.issuperset(r.processing_countries)
            ):
                fired.append("cb2026.4.location")
            if r.classification in classified or (r.tbb_level in (1, 2, 3)):
                fired.append("cb2026.5.2.classified")
        return fired

    return check


def rule_functions(policy: Policy, organisations: dict[str, Organisation]) -> Check:
    """The same twelve rules as a plain list of functions, each deriving what it needs."""
    parameters = policy.parameters
    allowed = frozenset(parameters.allowed_countries)
    public_deployments = frozenset(str(d) for d in parameters.public_deployments)
    internal_deployments = frozenset(str(d) for d in parameters.internal_deployments)
    classified = frozenset({"stg-confidentieel", "stg-geheim", "stg-zeer-geheim"})

    def public(r: Registration) -> bool:
        return r.deployment in public_deployments

    def material_external(r: Registration) -> bool:
        if r.deployment in internal_deployments:
            return False
        material = r.material
        if material is None:
            material = r.core_task or r.business_critical or r.large_scale_personal_data
        return bool(material)

    def risk_assessment(r: Registration) -> bool:
        risk = r.risk_assessment
        return material_external(r) and (risk is None or risk.date is None)

    def data_exit(r: Registration) -> bool:
        plan = r.exit_plan
        return material_external(r) and (
            plan is None or not (plan.data_return and plan.data_destruction)
        )

    def emergency_plan(r: Registration) -> bool:
        s = None if r.exit_plan is None else r.exit_plan.emergency
        return material_external(r) and not (
            s is not None and s.lead_time_days is not None and _filled(s.preconditions)
        )

    def exit_plan(r: Registration) -> bool:
        s = None if r.exit_plan is None else r.exit_plan.planned
        return material_external(r) and not (
            s is not None and s.lead_time_days is not None and _filled(s.preconditions)
        )

    def notification(r: Registration) -> bool:
        n = r.notification
        return material_external(r) and (n is None or n.submitted_on is None)

    def documents(r: Registration) -> bool:
        return public(r) and "document-management" in r.functions

    def email(r: Registration) -> bool:
        return public(r) and "email" in r.functions

    def special_data(r: Registration) -> bool:
        return public(r) and r.personal_data == "special"

    def encryption(r: Registration) -> bool:
        return (
            public(r) and not r.open_data and not (r.encrypted_at_rest and r.encrypted_in_transit)
        )

    def key_custody(r: Registration) -> bool:
        return public(r) and not r.open_data and r.key_custody == "provider"

    def location(r: Registration) -> bool:
        return public(r) and not (
            allowed.issuperset(r.storage_countries) and allowed.issuperset(r.processing_countries)
        )

    def classified_data(r: Registration) -> bool:
        return public(r) and (r.classification in classified or (r.tbb_level in (1, 2, 3)))

    rules: list[tuple[str, Callable[[Registration], bool]]] = [
        ("cb2026.3.1.risk-assessment", risk_assessment),
        ("cb2026.3.2.data-exit", data_exit),
        ("cb2026.3.2.emergency-plan", emergency_plan),
        ("cb2026.3.2.exit-plan", exit_plan),
        ("cb2026.3.3.notification", notification),
        ("cb2026.4.5.documents", documents),
        ("cb2026.4.5.email", email),
        ("cb2026.4.6.special-data", special_data),
        ("cb2026.4.encryption", encryption),
        ("cb2026.4.key-custody", key_custody),
        ("cb2026.4.location", location),
        ("cb2026.5.2.classified", classified_data),
    ]

    def check(r: Registration) -> list[str]:
        organisations[r.organisation]
        return [rule_id for rule_id, test in rules if test(r)]

    return check
