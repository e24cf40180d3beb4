"""THE permission table of the REST API: DESIGN.md section 2 ("Who may see and change what") written
out over the rows of the test world (tests/api/conftest.py::world).

For each resource it says which world rows each persona sees (`see`) and may change (`change`;
`delete` when deleting differs), which creations each persona may make (`creates`), and who may
take each action on which rows (`actions`). The expected status of every request follows from that
one declaration and the contract of DESIGN.md section 6:

- anonymous: 401 everywhere;
- a row the persona does not see: 404 on retrieve, update, delete and actions, absent from lists;
- a row it sees but may not change (or act on): 403;
- an action on a row in the wrong state: 400;
- a creation outside its scope: 403, or 400 when the body names an object the persona cannot see;
- otherwise 200 / 201 / 204.

Personas (root conftest.py): alice = college admin of school A, bob = college admin of school B,
carol = liaison of enterprise E, mallory = liaison of enterprise F, dave = reviewer of the region of
A, B, E and F, erin = reviewer of the other province (school O, enterprise G), pat = platform admin.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

PERSONAS = ("anon", "alice", "bob", "carol", "mallory", "dave", "erin", "pat")
SIGNED_IN = PERSONAS[1:]
VERBS = ("list", "retrieve", "create", "patch", "put", "delete")
ALL = "*"  # every world row of the resource


def rows(keys: str) -> frozenset[str]:
    return frozenset(keys.split())


def only(status: int, *who: str, others: int = 403) -> dict[str, int]:
    """Expected statuses of a creation: `status` for the personas named, `others` for the rest."""
    return {p: (status if p in who else others) for p in SIGNED_IN}


@dataclass(frozen=True)
class Create:
    label: str
    body: Callable  # world -> dict
    expect: Mapping[str, int]  # per signed-in persona (anonymous: 401)


@dataclass(frozen=True)
class Action:
    name: str
    allowed: Mapping[str, frozenset[str] | str]  # persona -> rows it may act on (if it sees them)
    valid: frozenset[str]  # rows in a state the action accepts; others answer 400


@dataclass(frozen=True)
class Resource:
    prefix: str  # /api/v1/<prefix>/
    model: str  # app_label.ModelName
    rows: tuple[str, ...]  # the world rows of this resource
    see: Mapping[str, frozenset[str] | str]
    change: Mapping[str, frozenset[str] | str] = field(default_factory=dict)
    delete: Mapping[str, frozenset[str] | str] | None = None  # default: as `change`
    protected: Mapping[str, frozenset[str]] = field(default_factory=dict)  # row -> personas whose delete is 400
    patch: Mapping = field(default_factory=dict)
    creates: tuple[Create, ...] = ()
    actions: tuple[Action, ...] = ()
    verbs: tuple[str, ...] = VERBS
    lookup: str = "pk"  # the URL names a row by this field
    admin_only: bool = False  # every verb is for platform admins only (403 for the others)

    def _expand(self, value) -> frozenset[str]:
        return frozenset(self.rows) if value == ALL else frozenset(value or ())

    def sees(self, persona: str) -> frozenset[str]:
        return self._expand(self.see.get(persona))

    def changes(self, persona: str) -> frozenset[str]:
        return self._expand(self.change.get(persona))

    def deletes(self, persona: str) -> frozenset[str]:
        return self._expand((self.delete if self.delete is not None else self.change).get(persona))

    def action(self, name: str) -> Action:
        return next(a for a in self.actions if a.name == name)


EVERYONE = {p: ALL for p in SIGNED_IN}
PAT_ONLY = {"pat": ALL}


# --- the table --------------------------------------------------------------------------------------

RESOURCES: tuple[Resource, ...] = (
    # Reference data: everyone reads, platform admins change.
    Resource(
        "regions", "portal.Region", ("region_r", "region_o", "region_spare"),
        see=EVERYONE, change=PAT_ONLY, lookup="code",
        protected={"region_r": rows("pat"), "region_o": rows("pat")},  # schools refer to them
        patch={"name_en": "Renamed Province"},
        creates=(Create("a new province", lambda w: {"code": "989898", "name": "新省", "level": "province"},
                        only(201, "pat")),),
    ),
    Resource(
        "sectors", "portal.Sector", ("sector_e", "sector_spare"),
        see=EVERYONE, change=PAT_ONLY, lookup="code",
        protected={"sector_e": rows("pat")},  # programs and enterprises refer to it
        patch={"name_en": "Renamed sector"},
        creates=(Create("a new sector", lambda w: {"code": "T9901", "name": "新行业"}, only(201, "pat")),),
    ),
    # The directory: everyone reads; a college admin changes their own school's profile, a liaison
    # their own enterprise's; neither deletes the organisation itself nor creates new ones.
    Resource(
        "schools", "portal.School", ("school_a", "school_b", "school_o", "school_spare"),
        see=EVERYONE,
        change={"alice": rows("school_a"), "bob": rows("school_b"), "pat": ALL},
        delete=PAT_ONLY,
        protected={k: rows("pat") for k in ("school_a", "school_b", "school_o")},  # users and partnerships
        patch={"name_en": "Renamed College"},
        creates=(Create("a new school", lambda w: {
            "name": "新职业学院", "code": "8888888888", "level": "higher_vocational", "region": w.region_r.code,
            "ownership": "public"}, only(201, "pat")),),
    ),
    Resource(
        "enterprises", "portal.Enterprise", ("ent_e", "ent_f", "ent_g", "ent_spare"),
        see=EVERYONE,
        change={"carol": rows("ent_e"), "mallory": rows("ent_f"), "pat": ALL},
        delete=PAT_ONLY,
        protected={k: rows("pat") for k in ("ent_e", "ent_f", "ent_g")},  # users, placements, partnerships
        patch={"name_en": "Renamed Co."},
        creates=(Create("a new enterprise", lambda w: {
            "name": "新有限公司", "credit_code": _credit_code(), "region": w.region_r.code,
            "sector": w.sector_e.code, "size": "small"}, only(201, "pat")),),
    ),
    # Accounts and tokens: users are for platform admins (others use users/me); tokens are one's own.
    Resource(
        "users", "portal.User", ("user_zoe",),
        see=PAT_ONLY, change=PAT_ONLY, admin_only=True,
        patch={"first_name": "Zoe"},
        creates=(Create("a college admin of school A", lambda w: {
            "username": "newadmin", "password": "Sx-9f!kq-Long", "role": "college_admin",
            "school": w.school_a.pk}, only(201, "pat")),),
    ),
    Resource(
        "tokens", "portal.ApiToken", ("tok_alice", "tok_carol"),
        see={"alice": rows("tok_alice"), "carol": rows("tok_carol"), "pat": ALL},
        change={"alice": rows("tok_alice"), "carol": rows("tok_carol"), "pat": ALL},
        verbs=("list", "create", "delete"),
        creates=(
            Create("an own token", lambda w: {"name": "ci", "read_only": True}, only(201, *SIGNED_IN)),
            # Others do not see carol's account: naming it is naming nothing (400, as an unknown id).
            Create("a token for carol", lambda w: {"name": "ci", "user": w.carol.pk},
                   only(201, "carol", "pat", others=400)),
        ),
    ),
    # Teaching: programs and courses are directory data (everyone reads); the school keeps them.
    Resource(
        "programs", "programs.Program", ("prog_a", "prog_b", "prog_o"),
        see=EVERYONE,
        change={"alice": rows("prog_a"), "bob": rows("prog_b"), "pat": ALL},
        patch={"name": "智能制造技术（调整）"},
        creates=(Create("a program of school A", lambda w: {
            "school": w.school_a.pk, "code": "560701", "name": "新专业", "sector": w.sector_e.code,
            "established_year": 2024}, only(201, "alice", "pat")),),
    ),
    Resource(
        "courses", "programs.Course", ("course_a", "course_b", "course_o"),
        see=EVERYONE,
        change={"alice": rows("course_a"), "bob": rows("course_b"), "pat": ALL},
        patch={"practice_hours": 40},
        creates=(Create("a course of school A's program", lambda w: {
            "program": w.prog_a.pk, "code": "NEW-1", "name": "新课程", "theory_hours": 16, "practice_hours": 48},
            only(201, "alice", "pat")),),
    ),
    # Program years name no enterprise: liaisons see none.
    Resource(
        "program-years", "programs.ProgramYear", ("py_a", "py_b", "py_o"),
        see={"alice": rows("py_a"), "bob": rows("py_b"), "dave": rows("py_a py_b"), "erin": rows("py_o"),
             "pat": ALL},
        change={"alice": rows("py_a"), "bob": rows("py_b"), "pat": ALL},
        patch={"enrolled": 55},
        creates=(Create("school A's program's next year", lambda w: {
            "program": w.prog_a.pk, "year": 2025, "enrolled": 60, "students": 160, "graduates": 50, "employed": 45,
            "employed_in_field": 40, "employed_by_partners": 10, "order_class_students": 20, "apprentices": 5},
            only(201, "alice", "pat")),),  # prog_a is public: 403 for the others
    ),
    # Teachers: the school's own; a liaison reads those its enterprise employs (b_industry) or hosts (a).
    Resource(
        "teachers", "programs.Teacher", ("teacher_a", "teacher_b", "teacher_b_industry", "teacher_o"),
        see={"alice": rows("teacher_a"), "bob": rows("teacher_b teacher_b_industry"),
             "carol": rows("teacher_a teacher_b_industry"), "mallory": rows("teacher_b"),
             "dave": rows("teacher_a teacher_b teacher_b_industry"), "erin": rows("teacher_o"), "pat": ALL},
        change={"alice": rows("teacher_a"), "bob": rows("teacher_b teacher_b_industry"), "pat": ALL},
        protected={"teacher_a": rows("alice")},  # a placement of theirs is verified: only pat deletes them
        patch={"annual_teaching_hours": 300},
        creates=(Create("a teacher of school A", lambda w: {
            "school": w.school_a.pk, "name": "新老师", "staff_no": "NEW001", "employment": "full_time"},
            only(201, "alice", "pat")),),
    ),
    # Placements: the school keeps its teachers' (all but `verified`; not once verified); the host
    # enterprise reads and verifies them.
    Resource(
        "teacher-placements", "programs.TeacherPlacement", ("pl_a_e", "pl_a_e_verified", "pl_b_f", "pl_o"),
        see={"alice": rows("pl_a_e pl_a_e_verified"), "bob": rows("pl_b_f"),
             "carol": rows("pl_a_e pl_a_e_verified"), "mallory": rows("pl_b_f"),
             "dave": rows("pl_a_e pl_a_e_verified pl_b_f"), "erin": rows("pl_o"), "pat": ALL},
        change={"alice": rows("pl_a_e"), "bob": rows("pl_b_f"), "pat": ALL},
        patch={"description": "在产线顶岗两个月"},
        creates=(Create("a placement of school A's teacher at E", lambda w: {
            "teacher": w.teacher_a.pk, "enterprise": w.ent_e.pk, "start_date": "2025-07-01",
            "end_date": "2025-07-31", "activity": "training"},
            {"alice": 201, "bob": 400, "carol": 403, "mallory": 400, "dave": 403, "erin": 400, "pat": 201}),),
        actions=(Action("verify", {"carol": rows("pl_a_e pl_a_e_verified"), "mallory": rows("pl_b_f"), "pat": ALL},
                        valid=rows("pl_a_e pl_b_f pl_o")),),
    ),
    # Consortia: directory data; the education authority of a region keeps those of its region.
    Resource(
        "consortia", "partnerships.Consortium", ("cons_r", "cons_o"),
        see=EVERYONE,
        change={"dave": rows("cons_r"), "erin": rows("cons_o"), "pat": ALL},
        patch={"description": "市域产教联合体（更新）"},
        creates=(
            Create("a consortium in dave's region", lambda w: {
                "name": "新联合体", "kind": "city_consortium", "region": w.region_r.code}, only(201, "dave", "pat")),
            Create("a consortium in erin's province", lambda w: {
                "name": "新共同体", "kind": "industry_community", "region": w.region_o.code}, only(201, "erin", "pat")),
        ),
    ),
    Resource(
        "consortium-members", "partnerships.ConsortiumMember", ("mem_a", "mem_e", "mem_o"),
        see=EVERYONE,
        change={"dave": rows("mem_a mem_e"), "erin": rows("mem_o"), "pat": ALL},
        patch={"joined_on": "2023-07-01"},
        creates=(Create("school B joins dave's consortium", lambda w: {
            "consortium": w.cons_r.pk, "school": w.school_b.pk, "role": "member"}, only(201, "dave", "pat")),),
    ),
    # Partnerships: the college proposes and changes while proposed, suspends or ends; the
    # enterprise accepts or declines; the region reads.
    Resource(
        "partnerships", "partnerships.Partnership", ("ps_ae_proposed", "ps_ae_active", "ps_bf_proposed", "ps_o"),
        see={"alice": rows("ps_ae_proposed ps_ae_active"), "bob": rows("ps_bf_proposed"),
             "carol": rows("ps_ae_proposed ps_ae_active"), "mallory": rows("ps_bf_proposed"),
             "dave": rows("ps_ae_proposed ps_ae_active ps_bf_proposed"), "erin": rows("ps_o"), "pat": ALL},
        change={"alice": rows("ps_ae_proposed"), "bob": rows("ps_bf_proposed"), "pat": ALL},
        patch={"title": "订单班合作协议（修订）"},
        creates=(Create("school A proposes to E", lambda w: {
            "school": w.school_a.pk, "enterprise": w.ent_e.pk, "title": "新合作协议", "kinds": ["order_class"],
            "programs": [w.prog_a.pk], "start_date": "2025-09-01"}, only(201, "alice", "pat")),),
        actions=(
            Action("accept", {"carol": rows("ps_ae_proposed ps_ae_active"), "mallory": rows("ps_bf_proposed"),
                              "pat": ALL}, valid=rows("ps_ae_proposed ps_bf_proposed")),
            Action("decline", {"carol": rows("ps_ae_proposed ps_ae_active"), "mallory": rows("ps_bf_proposed"),
                               "pat": ALL}, valid=rows("ps_ae_proposed ps_bf_proposed")),
            Action("suspend", {"alice": rows("ps_ae_proposed ps_ae_active"), "bob": rows("ps_bf_proposed"),
                               "pat": ALL}, valid=rows("ps_ae_active ps_o")),
            Action("end", {"alice": rows("ps_ae_proposed ps_ae_active"), "bob": rows("ps_bf_proposed"),
                           "pat": ALL}, valid=rows("ps_ae_active ps_o")),
        ),
    ),
    # The ledger: each side keeps its own entries of its partnerships.
    Resource(
        "contributions", "partnerships.Contribution", ("ct_a_school", "ct_a_ent", "ct_b_ent", "ct_o"),
        see={"alice": rows("ct_a_school ct_a_ent"), "bob": rows("ct_b_ent"), "carol": rows("ct_a_school ct_a_ent"),
             "mallory": rows("ct_b_ent"), "dave": rows("ct_a_school ct_a_ent ct_b_ent"), "erin": rows("ct_o"),
             "pat": ALL},
        change={"alice": rows("ct_a_school"), "carol": rows("ct_a_ent"), "mallory": rows("ct_b_ent"), "pat": ALL},
        patch={"note": "设备清单见附件"},
        creates=(
            Create("a school-side entry of A–E", lambda w: {
                "partnership": w.ps_ae_active.pk, "party": "school", "kind": "funds", "value": "20000.00",
                "date": "2025-03-01"},
                {"alice": 201, "bob": 400, "carol": 403, "mallory": 400, "dave": 403, "erin": 400, "pat": 201}),
            Create("an enterprise-side entry of A–E", lambda w: {
                "partnership": w.ps_ae_active.pk, "party": "enterprise", "kind": "equipment", "value": "150000.00",
                "date": "2025-03-01"},
                {"alice": 403, "bob": 400, "carol": 201, "mallory": 400, "dave": 403, "erin": 400, "pat": 201}),
        ),
    ),
    # Projects: open ones are public, drafts are the enterprise's own.
    Resource(
        "projects", "partnerships.EnterpriseProject",
        ("proj_e_open", "proj_e_draft", "proj_f_open", "proj_f_draft", "proj_g_open"),
        see={**{p: rows("proj_e_open proj_f_open proj_g_open") for p in ("alice", "bob", "dave", "erin")},
             "carol": rows("proj_e_open proj_e_draft proj_f_open proj_g_open"),
             "mallory": rows("proj_e_open proj_f_open proj_f_draft proj_g_open"), "pat": ALL},
        change={"carol": rows("proj_e_open proj_e_draft"), "mallory": rows("proj_f_open proj_f_draft"), "pat": ALL},
        patch={"capacity": 40},
        creates=(Create("a draft project of E", lambda w: {
            "enterprise": w.ent_e.pk, "title": "新项目", "sector": w.sector_e.code, "capacity": 20, "status": "draft"},
            only(201, "carol", "pat")),),
    ),
    Resource(
        "project-adoptions", "partnerships.ProjectAdoption", ("ad_a", "ad_b", "ad_o"),
        see={"alice": rows("ad_a"), "bob": rows("ad_b"), "carol": rows("ad_a"), "mallory": rows("ad_b"),
             "dave": rows("ad_a ad_b"), "erin": rows("ad_o"), "pat": ALL},
        change={"alice": rows("ad_a"), "bob": rows("ad_b"), "pat": ALL},
        patch={"students": 25},
        creates=(Create("school A's course adopts F's open project", lambda w: {
            "project": w.proj_f_open.pk, "course": w.course_a.pk, "year": 2025, "students": 20},
            only(201, "alice", "pat")),),  # project and course are public: 403 for the others
    ),
    Resource(
        "talent-demands", "partnerships.TalentDemand", ("td_e", "td_f", "td_g"),
        see=EVERYONE,
        change={"carol": rows("td_e"), "mallory": rows("td_f"), "pat": ALL},
        patch={"headcount": 7},
        creates=(Create("a demand of E", lambda w: {
            "enterprise": w.ent_e.pk, "position": "工业机器人运维", "sector": w.sector_e.code,
            "region": w.region_r.code, "headcount": 3, "year": 2025}, only(201, "carol", "pat")),),
    ),
    # Training bases and their use: the owner keeps them (a consortium's: the region's authority,
    # which keeps the consortium).
    Resource(
        "training-bases", "partnerships.TrainingBase", ("tb_a", "tb_e", "tb_cons", "tb_o"),
        see=EVERYONE,
        change={"alice": rows("tb_a"), "carol": rows("tb_e"), "dave": rows("tb_cons"), "pat": ALL},
        patch={"capacity_hours": 2500},
        creates=(
            Create("a base of school A", lambda w: {"name": "新实训基地", "school": w.school_a.pk},
                   only(201, "alice", "pat")),
            Create("a base of E", lambda w: {"name": "企业实训基地", "enterprise": w.ent_e.pk, "on_campus": False},
                   only(201, "carol", "pat")),
        ),
    ),
    Resource(
        "training-base-usage", "partnerships.TrainingBaseUsage", ("use_a", "use_e", "use_cons", "use_o"),
        see=EVERYONE,
        change={"alice": rows("use_a"), "carol": rows("use_e"), "dave": rows("use_cons"), "pat": ALL},
        patch={"external_hours": 400},
        creates=(Create("next year's use of A's base", lambda w: {
            "base": w.tb_a.pk, "year": 2025, "internal_hours": 100, "external_hours": 10}, only(201, "alice", "pat")),),
    ),
    # A school's services and patents: its own; an enterprise reads those naming it.
    Resource(
        "technical-services", "partnerships.TechnicalService", ("ts_a", "ts_b", "ts_o"),
        see={"alice": rows("ts_a"), "bob": rows("ts_b"), "carol": rows("ts_a"), "mallory": rows("ts_b"),
             "dave": rows("ts_a ts_b"), "erin": rows("ts_o"), "pat": ALL},
        change={"alice": rows("ts_a"), "bob": rows("ts_b"), "pat": ALL},
        patch={"amount": "90000.00"},
        creates=(Create("a service of school A for E", lambda w: {
            "school": w.school_a.pk, "enterprise": w.ent_e.pk, "title": "设备诊断服务", "year": 2025,
            "amount": "1000.00"}, only(201, "alice", "pat")),),
    ),
    Resource(
        "patents", "partnerships.Patent", ("pt_a", "pt_b", "pt_o"),
        see={"alice": rows("pt_a"), "bob": rows("pt_b"), "carol": rows("pt_a"), "dave": rows("pt_a pt_b"),
             "erin": rows("pt_o"), "pat": ALL},
        change={"alice": rows("pt_a"), "bob": rows("pt_b"), "pat": ALL},
        patch={"title": "一种工业机器人末端夹具（更正）"},
        creates=(Create("a patent of school A", lambda w: {
            "school": w.school_a.pk, "number": "ZL209999999999.9", "title": "一种夹具", "granted_on": "2025-01-01"},
            only(201, "alice", "pat")),),
    ),
    # Feedback: an enterprise gives and reads its own; a school reads what is about it; the region reads.
    Resource(
        "feedback", "evaluation.Feedback", ("fb_e_prog_a", "fb_f_ps_bf", "fb_g_prog_o"),
        see={"alice": rows("fb_e_prog_a"), "bob": rows("fb_f_ps_bf"), "carol": rows("fb_e_prog_a"),
             "mallory": rows("fb_f_ps_bf"), "dave": rows("fb_e_prog_a fb_f_ps_bf"), "erin": rows("fb_g_prog_o"),
             "pat": ALL},
        change=PAT_ONLY,
        patch={"comment": "毕业生动手能力强"},
        creates=(
            Create("E's feedback on school A's graduates", lambda w: {
                "enterprise": w.ent_e.pk, "program": w.prog_a.pk, "year": 2025, "comment": "好",
                "scores": [{"dimension": "professional_skills", "score": 5}]},
                only(201, "carol", "pat")),
            Create("F's feedback on its partnership with B", lambda w: {
                "enterprise": w.ent_f.pk, "partnership": w.ps_bf_proposed.pk, "year": 2025,
                "scores": [{"dimension": "communication", "score": 4}]},
                {"alice": 400, "bob": 403, "carol": 400, "mallory": 201, "dave": 403, "erin": 400, "pat": 201}),
        ),
    ),
    # What the evaluation runs publish: only the published run's rows (never those of a run still
    # computing); a school reads its own and its programs' rows, a liaison those of the consortia its
    # enterprise belongs to, a reviewer those of subjects in their region. Nobody writes them.
    Resource(
        "indicator-values", "evaluation.IndicatorValue",
        ("iv_prog_a", "iv_school_a", "iv_school_b", "iv_cons_r", "iv_region_r", "iv_rs_r", "iv_school_o",
         "iv_region_o", "iv_unpublished"),
        see={"alice": rows("iv_prog_a iv_school_a"), "bob": rows("iv_school_b"), "carol": rows("iv_cons_r"),
             "dave": rows("iv_prog_a iv_school_a iv_school_b iv_cons_r iv_region_r iv_rs_r"),
             "erin": rows("iv_school_o iv_region_o"),
             "pat": rows("iv_prog_a iv_school_a iv_school_b iv_cons_r iv_region_r iv_rs_r iv_school_o iv_region_o")},
        verbs=("list", "retrieve"),
    ),
    # Warnings: visible like values; the region's reviewer (or a platform admin) acknowledges an open one.
    Resource(
        "warnings", "evaluation.Warning",
        ("warn_prog_a", "warn_school_a", "warn_school_b", "warn_cons_r", "warn_region_r", "warn_school_o"),
        see={"alice": rows("warn_prog_a warn_school_a"), "bob": rows("warn_school_b"), "carol": rows("warn_cons_r"),
             "dave": rows("warn_prog_a warn_school_a warn_school_b warn_cons_r warn_region_r"),
             "erin": rows("warn_school_o"), "pat": ALL},
        verbs=("list", "retrieve"),
        actions=(Action("acknowledge", {"dave": ALL, "erin": ALL, "pat": ALL},
                        valid=rows("warn_school_a warn_school_b warn_cons_r warn_school_o")),),  # prog_a: acknowledged
    ),
    Resource(
        "program-recommendations", "evaluation.ProgramRecommendation", ("rec_a", "rec_b", "rec_o", "rec_unpublished"),
        see={"alice": rows("rec_a"), "bob": rows("rec_b"), "dave": rows("rec_a rec_b"), "erin": rows("rec_o"),
             "pat": rows("rec_a rec_b rec_o")},
        verbs=("list", "retrieve"),
    ),
    # Runs: everyone follows them; reviewers and platform admins start one (202 with the run).
    Resource(
        "evaluation-runs", "evaluation.EvaluationRun", ("run_2024", "run_2023_running"),
        see=EVERYONE,
        verbs=("list", "retrieve", "create"),
        creates=(Create("a run for 2026", lambda w: {"year": 2026}, only(202, "dave", "erin", "pat")),),
    ),
    # Regional targets: reference data, set by platform admins.
    Resource(
        "target-overrides", "evaluation.TargetOverride", ("to_r", "to_o"),
        see=EVERYONE, change=PAT_ONLY,
        patch={"note": "省级示范校标准"},
        creates=(Create("an employment target for dave's region", lambda w: {
            "indicator": "employment_rate", "region": w.region_r.code, "target": 0.9}, only(201, "pat")),),
    ),
)

BY_PREFIX = {r.prefix: r for r in RESOURCES}


def _credit_code() -> str:
    from portal.tests.factories import credit_code

    return credit_code(987654321, "110000")


# --- expected statuses --------------------------------------------------------------------------


def expected(resource: Resource, verb: str, persona: str, row: str | None = None, create: Create | None = None) -> int:
    """The status DESIGN.md sections 2 and 6 promise for this request."""
    if persona == "anon":
        return 401
    if resource.admin_only and persona != "pat":
        return 403
    if verb == "list":
        return 200
    if verb == "create":
        return create.expect[persona]
    if row not in resource.sees(persona):
        return 404
    if verb == "retrieve":
        return 200
    if verb in ("patch", "put"):
        return 200 if row in resource.changes(persona) else 403
    if verb == "delete":
        if row not in resource.deletes(persona):
            return 403
        return 400 if persona in resource.protected.get(row, ()) else 204
    action = resource.action(verb)
    if row not in resource._expand(action.allowed.get(persona)):
        return 403
    return 200 if row in action.valid else 400


@dataclass(frozen=True)
class Cell:
    """One row of the table: a resource, a verb and the world row (or creation) it is applied to;
    its columns are the personas."""

    resource: Resource
    verb: str  # list, retrieve, create, patch, put, delete or an action's name
    row: str | None = None
    create: Create | None = None

    def status(self, persona: str) -> int:
        return expected(self.resource, self.verb, persona, self.row, self.create)

    @property
    def id(self) -> str:
        target = self.row or (self.create.label if self.create else "")
        return "-".join(filter(None, (self.resource.prefix, self.verb, target.replace(" ", "_"))))


def cells() -> Iterator[Cell]:
    """Every row of the table: resource × verb × world row (or creation)."""
    for resource in RESOURCES:
        if "list" in resource.verbs:
            yield Cell(resource, "list")
        for create in resource.creates:
            yield Cell(resource, "create", create=create)
        for row in resource.rows:
            for verb in ("retrieve", "patch", "put", "delete"):
                if verb in resource.verbs:
                    yield Cell(resource, verb, row=row)
            for action in resource.actions:
                yield Cell(resource, action.name, row=row)


def size() -> tuple[int, int]:
    """(table rows, personas)."""
    return len(list(cells())), len(PERSONAS)
