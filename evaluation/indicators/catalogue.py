"""The indicator catalogue of INDICATORS.md as typed definitions, in catalogue order."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from evaluation.choices import Direction, Level

PROGRAM = Level.PROGRAM.value
SCHOOL = Level.SCHOOL.value
CONSORTIUM = Level.CONSORTIUM.value
REGION = Level.REGION.value
REGION_SECTOR = Level.REGION_SECTOR.value
LEVELS = tuple(level.value for level in Level)

RATIO = "ratio"
CNY = "cny"
COUNT = "count"
SCORE = "score"
SUM_UNITS = (CNY, COUNT)  # stored as a numerator with a null denominator

MIN = Direction.MIN.value
MAX = Direction.MAX.value
BAND = Direction.BAND.value


@dataclass(frozen=True)
class Indicator:
    """One row of the catalogue: what is measured, at which levels, against which target."""

    key: str
    name_en: str
    name_zh: str
    levels: tuple[str, ...]
    unit: str
    direction: str | None
    target: float | tuple[float, float] | None
    source: str
    formula: str  # translatable (a lazy string)

    @property
    def is_sum(self) -> bool:
        """Money and counts: the value is the numerator itself."""
        return self.unit in SUM_UNITS


_CATALOGUE = [
    Indicator(
        "practical_hours_share", "Practical teaching share", "实践性教学学时占比",
        (PROGRAM, SCHOOL, REGION), RATIO, MIN, 0.50,
        "[N] 教职成〔2019〕13号: 实践性教学学时原则上占总学时数50%以上",
        _("Σ practice hours ÷ Σ (theory hours + practice hours) over current courses "
        "(all courses of programs that are not closed)"),
    ),
    Indicator(
        "dual_qualified_ratio", "Dual-qualified teacher ratio", '"双师型"教师占专业课教师比例',
        (SCHOOL, REGION), RATIO, MIN, 0.50,
        "[N] 国家职业教育改革实施方案(2019): 双师型教师占专业课教师总数超过一半",
        _("active full-time professional teachers who are dual-qualified ÷ active full-time professional teachers"),
    ),
    Indicator(
        "teacher_practice_rate", "Teacher enterprise-practice rate", "专业课教师企业实践达标率",
        (SCHOOL, REGION), RATIO, MIN, 1.00,
        "[N] 教师每年至少1个月参加企业实践 (教育部教师工作司, 2023); 职业学校教师企业实践规定(2016): 每5年累计不少于6个月",
        _("active full-time professional teachers with at least 30 days of verified placements inside year Y "
        "(days counted inclusively, clipped to 1 Sep Y – 31 Aug Y+1, overlapping placements counted once) "
        "÷ active full-time professional teachers"),
    ),
    Indicator(
        "part_time_teacher_ratio", "Part-time industry teacher ratio", "企业兼职教师占专任教师比例",
        (SCHOOL, REGION), RATIO, MIN, 0.20,
        "[N] 中等职业学校设置标准(2010): 兼职教师应占专任教师总数的20%左右",
        _("active part-time industry teachers ÷ active full-time teachers"),
    ),
    Indicator(
        "program_partnership_rate", "Programs with enterprise partners", "签订校企合作协议的专业比例",
        (SCHOOL, REGION), RATIO, MIN, 0.80,
        "[D]; the field itself is from the national model-school template",
        _("current programs linked to at least one partnership active in Y ÷ current programs"),
    ),
    Indicator(
        "deep_cooperation_share", "Deep cooperation share", "深度合作占比",
        (SCHOOL, CONSORTIUM, REGION), RATIO, MIN, 0.30,
        "[D]",
        _("partnerships active in Y with at least one deep kind (joint R&D, industry college, apprenticeship, "
        "curriculum or textbook co-development, technical service) ÷ partnerships active in Y; for a consortium, "
        "the partnerships between one of its member schools and one of its member enterprises"),
    ),
    Indicator(
        "codeveloped_course_share", "Co-developed course share", "校企共建课程占比",
        (PROGRAM, SCHOOL, REGION), RATIO, MIN, 0.20,
        "[D]",
        _("current professional courses co-developed with an enterprise ÷ current professional courses"),
    ),
    Indicator(
        "project_teaching_share", "Project-based teaching share", "企业真实项目进课堂比例",
        (PROGRAM, SCHOOL, REGION), RATIO, None, None,
        "[D]",
        _("current professional courses with at least one enterprise-project adoption for year Y "
        "÷ current professional courses"),
    ),
    Indicator(
        "order_class_share", "Order-class and apprenticeship share", "订单培养与学徒制学生占比",
        (PROGRAM, SCHOOL, REGION), RATIO, MIN, 0.20,
        "[P] specialty evaluation tiers ≥30/20/5%",
        _("Σ (order-class students + apprentices) ÷ Σ students, program-year records of Y (closed programs included above program level)"),
    ),
    Indicator(
        "employment_rate", "Graduate employment rate", "毕业去向落实率",
        (PROGRAM, SCHOOL, REGION), RATIO, MIN, 0.85,
        "[D]; EU 2025 benchmark 82%",
        _("Σ employed graduates ÷ Σ graduates, program-year records of Y (closed programs included above program level)"),
    ),
    Indicator(
        "field_employment_rate", "Counterpart employment rate", "专业对口就业率",
        (PROGRAM, SCHOOL, REGION), RATIO, MIN, 0.60,
        "[D]",
        _("Σ graduates employed in their field ÷ Σ employed graduates, program-year records of Y (closed programs included above program level)"),
    ),
    Indicator(
        "partner_employment_share", "Hired by partner enterprises", "合作企业录用毕业生占比",
        (PROGRAM, SCHOOL, REGION), RATIO, None, None,
        "[N] field of the national model-school template",
        _("Σ graduates hired by partner enterprises ÷ Σ employed graduates, program-year records of Y (closed programs included above program level)"),
    ),
    Indicator(
        "enrolment_change", "Enrolment change", "招生人数变化",
        (PROGRAM,), RATIO, MIN, -0.30,
        "[D]",
        _("(new intake in Y − new intake in Y−1) ÷ new intake in Y−1; no data without both years' records"),
    ),
    Indicator(
        "enterprise_contribution", "Enterprise resources put in", "企业投入(万元)",
        (SCHOOL, CONSORTIUM, REGION), CNY, None, None,
        "[N] 企业提供的校内实践教学设备值 etc., annual quality report",
        _("Σ value (CNY) of contributions by the enterprise party dated in Y, on partnerships that were agreed "
        "(proposed and declined ones never count); for a consortium, on partnerships between one of its member "
        "schools and one of its member enterprises"),
    ),
    Indicator(
        "enterprise_contribution_share", "Enterprise share of resources", "企业投入占合作总投入比例",
        (SCHOOL, REGION), RATIO, None, None,
        "[D] benefit-sharing balance",
        _("contributions by the enterprise party dated in Y ÷ contributions by all parties dated in Y "
        "(agreed partnerships only)"),
    ),
    Indicator(
        "technical_service_revenue", "Technical-service revenue", "横向技术服务到款额",
        (SCHOOL, REGION), CNY, None, None,
        "[N] annual quality report, service contribution table",
        _("Σ amount (CNY) received for technical services of year Y"),
    ),
    Indicator(
        "patent_conversion_rate", "Patent conversion rate", "专利转化率",
        (SCHOOL, REGION), RATIO, None, None,
        "[D]",
        _("patents granted on or before 31 Aug Y+1 and transferred or licensed on or before 31 Aug Y+1 "
        "÷ patents granted on or before 31 Aug Y+1"),
    ),
    Indicator(
        "training_base_utilisation", "Training base utilisation", "实训基地利用率",
        (SCHOOL, CONSORTIUM, REGION), RATIO, MIN, 0.60,
        "[D]",
        _("Σ (internal hours + external hours) ÷ Σ capacity hours, over the subject's training bases that have a "
        "usage row for Y (record a zero row to count an idle base); a school's bases are those it owns; a "
        "consortium's are those owned by the consortium or by one of its member schools or member enterprises"),
    ),
    Indicator(
        "social_training_share", "Social training share", "实训基地社会培训占比",
        (SCHOOL, REGION), RATIO, None, None,
        "[D] shared bases open to the public",
        _("Σ external hours ÷ Σ (internal hours + external hours), over the school's training bases that have a "
        "usage row for Y"),
    ),
    Indicator(
        "enterprise_satisfaction", "Enterprise satisfaction", "企业满意度",
        (PROGRAM, SCHOOL, REGION), SCORE, MIN, 3.5,
        "[D]",
        _("mean of all feedback scores (1–5) given for year Y about the subject's partnerships or programs "
        "(a program: feedback on its graduates)"),
    ),
    Indicator(
        "consortium_active_share", "Active consortium enterprises", "联合体成员企业实质参与率",
        (CONSORTIUM,), RATIO, MIN, 0.50,
        "[D]",
        _("member enterprises with at least one partnership active in Y with a member school ÷ member enterprises"),
    ),
    Indicator(
        "supply_demand_ratio", "Talent supply / demand", "人才供需比",
        (REGION_SECTOR,), RATIO, BAND, (0.8, 1.5),
        "[D]; structural supply-demand mismatch",
        _("Σ graduates (Y) of programs in the sector at schools in the region ÷ Σ headcount of talent demands (Y) "
        "in the sector and the region; sub-regions included; sectors matched by the code as recorded "
        "(a division's figures do not roll up into its section)"),
    ),
    Indicator(
        "certified_enterprises", "Certified integration enterprises", "产教融合型企业数",
        (REGION,), COUNT, None, None,
        "[N] target ≥ 10,000 nationally by 2025",
        _("enterprises in the region or its sub-regions that are certified industry-education integration enterprises"),
    ),
]

REGISTRY: dict[str, Indicator] = {indicator.key: indicator for indicator in _CATALOGUE}
