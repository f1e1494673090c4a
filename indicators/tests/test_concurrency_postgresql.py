"""Real races on PostgreSQL: two writers in two threads, each with its own database connection,
released together by a barrier, many rounds each (DESIGN.md rules 4, 5 and 7).

Every round is a fresh report (a period of its own), so the rounds are independent. Over all
rounds there must be no lost update (a figure whose writer was told it was saved and is not
there, or one whose writer was told it failed and is there) and no server error (a 500, a
deadlock, any exception but the documented refusals). In half the rounds both writers start at
the same instant; in the others one side gets a head start of a changing share of what the other
side's work takes here, so the rounds cover the orders in which the two can meet — before,
inside and after each other's transaction. The assertion message says how many rounds went
each way.

SQLite allows one writer at a time, so these run only where the real deployment runs: CI runs
the suite again with DATABASE_URL pointing at PostgreSQL.
"""

import collections
import datetime
import queue
import threading
import time
import traceback

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import translation

from indicators import jobs, services
from indicators.models import ImportJob, Indicator, Report, ReportStatus, ReportValue
from indicators.testing import entry_form, make_period, make_report, seen
from units.models import Role
from units.testing import grant

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="real concurrency needs PostgreSQL (row locks, several writers at once): set DATABASE_URL",
    ),
    # Each thread has its own connection, so the data must be committed (transaction=True).
    # The catalogue, which the flush between transactional tests removes, is loaded by the
    # fixture below rather than by serialized_rollback: that restores rows by their old ids, and
    # collides with content types that an earlier transactional test's flush made anew.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def catalogue(django_db_blocker):
    from indicators.catalogue import load_catalogue
    from indicators.models import Indicator

    load_catalogue(Indicator)  # get_or_create: the migration's rows, when the flush took them

ROUNDS = 50
OPEN = datetime.date(2099, 12, 31)
CONFLICT = "Có người khác đã lưu báo cáo này trong lúc bạn đang nhập"
CHANGED = "Báo cáo đã thay đổi sau khi bạn mở"  # an approval of a version that is not the latest
STATUS = "Báo cáo đang ở trạng thái"  # … or of a report no longer submitted (returned, a draft again)
# Head starts (seconds) given, in turn, to one side then the other; 0 (half the rounds): both
# are released by the barrier at the same instant.
HEAD_STARTS = (0, 0.05, 0, 0.15, 0, 0.4, 0, 1.0)  # shares of the longest head start, in turn
FORM_LAGS = (0, 0.3, 0.5, 0.65, 0.75, 0.85, 0.95, 1.1)  # shares of an import's time (scenario 2)


# ---------------------------------------------------------------------------------------------
# The machinery: writers in threads with their own connections, released together


class Failed:
    """What a writer raised, with its traceback for the assertion message."""

    def __init__(self, exc):
        self.exc = exc
        self.trace = traceback.format_exc()

    def __repr__(self):
        return f"Failed({self.exc!r})\n{self.trace}"


class Writers:
    """Threads that stay for all the rounds of a test, each with its own database connections
    (Django's are per thread), closed when the test ends. `race(a, b)` gives each thread one
    action, releases them together through a barrier, and returns what each returned (or a
    Failed with what it raised)."""

    TIMEOUT = 60

    def __init__(self, count):
        self.barrier = threading.Barrier(count)
        self.inboxes = [queue.Queue() for _ in range(count)]
        self.outboxes = [queue.Queue() for _ in range(count)]
        self.threads = [
            threading.Thread(target=self._serve, args=(i,), daemon=True, name=f"writer-{i}") for i in range(count)
        ]
        for thread in self.threads:
            thread.start()

    def _serve(self, index):
        try:
            while (action := self.inboxes[index].get()) is not None:
                try:
                    with translation.override("vi"):
                        connection.ensure_connection()  # (re)connecting is not part of the race
                        self.barrier.wait(self.TIMEOUT)
                        self.outboxes[index].put(action())
                except BaseException as exc:  # noqa: BLE001 - everything is reported, nothing swallowed
                    self.outboxes[index].put(Failed(exc))
        finally:
            connections.close_all()  # this thread's connections (default, and progress for imports)

    def race(self, *actions):
        for inbox, action in zip(self.inboxes, actions, strict=True):
            inbox.put(action)
        try:
            return [outbox.get(timeout=self.TIMEOUT) for outbox in self.outboxes]
        except queue.Empty:
            raise AssertionError("a writer is stuck (a deadlock, or a lock never released)") from None

    def close(self):
        for inbox in self.inboxes:
            inbox.put(None)
        for thread in self.threads:
            thread.join(self.TIMEOUT)


@pytest.fixture
def writers():
    pair = Writers(2)
    yield pair
    pair.close()  # before the database is flushed: no connection of ours is left open


def typical(seconds, default):
    """The median of the durations measured so far (`default` before the first)."""
    return sorted(seconds)[len(seconds) // 2] if seconds else default


def head_starts(round_number, longest=0.02):
    """(delay of the first writer, delay of the second) for this round: in half the rounds none
    at all, in the others a head start of up to `longest` seconds, to one side then the other."""
    fraction = HEAD_STARTS[(round_number // 2) % len(HEAD_STARTS)]
    delay = fraction * longest
    return (delay, 0) if round_number % 2 else (0, delay)


def after(delay, action):
    """`action`, started `delay` seconds after the barrier."""

    def delayed():
        if delay:
            time.sleep(delay)
        return action()

    return delayed


def fresh_periods():
    """A period of its own for every round (2031-Q1, 2031-Q2, …), open for editors."""
    year = 2031
    while True:
        for kind in ("Q1", "Q2", "Q3", "Q4"):
            yield make_period(year, kind, closes=OPEN)
        year += 1


def figure(unit, period, code):
    """(numerator, denominator) of `code` in the report of (unit, period), or None."""
    value = ReportValue.objects.filter(report__unit=unit, report__period=period, indicator__code=code).first()
    return None if value is None else (int(value.numerator), int(value.denominator))


def tally(outcomes, problems, note=""):
    """The assertion message: how many rounds went each way, and the first problems."""
    rounds = sum(outcomes.values())
    head = f"{len(problems)} problem(s) in {rounds} rounds; rounds by outcome {dict(outcomes)}{note}"
    return "\n".join([head, *problems[:5]])


@pytest.fixture
def cast(tree, editor, reviewer, django_user_model):
    colleague = grant(
        django_user_model.objects.create_user("canbo_a2", first_name="Võ Thị Hoa"), tree["district_a"], Role.EDITOR
    )
    second_reviewer = grant(
        django_user_model.objects.create_user("sonoivu2", first_name="Đỗ Thanh Bình"), tree["province"], Role.REVIEWER
    )
    return {
        "unit": tree["commune_a1"],
        "editor": editor,
        "colleague": colleague,
        "reviewer": reviewer,
        "second_reviewer": second_reviewer,
        "ontime": Indicator.objects.get(code="TTHC_ONTIME"),
        "online": Indicator.objects.get(code="TTHC_ONLINE"),
    }


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _entry_url(unit, period):
    return reverse("indicators:report-entry", args=[unit.pk, period.code])


def _post(client, url, data):
    def post():
        response = client.post(url, data)
        return response.status_code, response.content.decode()

    return post


def _fields(indicator, numerator, denominator):
    return {f"n_{indicator.pk}": str(numerator), f"d_{indicator.pk}": str(denominator)}


# ---------------------------------------------------------------------------------------------
# 1. Two first saves of a report that does not exist yet, through the entry page


@pytest.fixture
def unique_clashes(monkeypatch):
    """Counts the first saves that met another's report under the unique constraint (and
    started again against it): the path this scenario is about. It only counts."""
    clashes = []
    create = Report.objects.create

    def counting_create(**kwargs):
        try:
            return create(**kwargs)
        except IntegrityError:
            clashes.append(kwargs["period"].code)
            raise

    monkeypatch.setattr(Report.objects, "create", counting_create)
    return clashes


def _first_saves(cast, writers, figures_a, figures_b):
    """Rounds of two tabs that loaded the page when there was no report (both post version 0)
    and save at once; yields (period, [(status, html) or Failed, for each tab])."""
    unit = cast["unit"]
    first, second = _client(cast["editor"]), _client(cast["colleague"])
    periods = fresh_periods()
    page = None
    for round_number in range(ROUNDS):
        period = next(periods)
        url = _entry_url(unit, period)
        if page is None:
            # What both tabs post back: the page of a report not yet created carries version 0
            # and no figures, the same for every period (loaded once to keep the rounds quick).
            page = entry_form(first, url)
            assert page["version"] == "0"
        assert not Report.objects.filter(unit=unit, period=period).exists()
        delay_a, delay_b = head_starts(round_number)
        yield (
            period,
            writers.race(
                after(delay_a, _post(first, url, {**page, "action": "save", **figures_a})),
                after(delay_b, _post(second, url, {**page, "action": "save", **figures_b})),
            ),
        )


def test_two_first_saves_of_different_figures_are_merged(cast, writers, unique_clashes):
    ontime, online, unit = cast["ontime"], cast["online"], cast["unit"]
    outcomes, problems = collections.Counter(), []
    sides = (("TTHC_ONTIME", (9, 10)), ("TTHC_ONLINE", (5, 10)))
    for period, answers in _first_saves(cast, writers, _fields(ontime, 9, 10), _fields(online, 5, 10)):
        if any(isinstance(a, Failed) for a in answers):
            problems.append(f"{period.code}: {answers}")
            outcomes["server error"] += 1
            continue
        statuses = tuple(status for status, _html in answers)
        created_by = Report.history.filter(unit=unit, period=period).earliest("history_id").history_user.username
        outcomes[f"{statuses[0]}/{statuses[1]}, created by {created_by}"] += 1
        for (code, expected), (status, html) in zip(sides, answers, strict=True):
            if status not in (302, 409):
                problems.append(f"{period.code} {code}: status {status}")
            elif status == 302 and figure(unit, period, code) != expected:
                problems.append(f"{period.code} {code}: told saved, database has {figure(unit, period, code)}")
            elif status == 409 and CONFLICT not in html:
                problems.append(f"{period.code} {code}: a 409 that does not say why")
        saved = {code: figure(unit, period, code) for code, _expected in sides}
        if saved != dict(sides):
            problems.append(f"{period.code}: not merged, the database has {saved}; answers {statuses}")
        version = Report.objects.get(unit=unit, period=period).version
        if version != statuses.count(302):
            problems.append(f"{period.code}: version {version} after {statuses.count(302)} save(s)")
    note = f"; the second save met the first under the unique constraint in {len(unique_clashes)}"
    assert not problems, tally(outcomes, problems, note)
    print(f"\nfirst saves, different figures: {tally(outcomes, problems, note)}")


def test_two_first_saves_of_the_same_figure_one_stands_the_other_is_told(cast, writers, unique_clashes):
    ontime, unit = cast["ontime"], cast["unit"]
    outcomes, problems = collections.Counter(), []
    typed = ((9, 10), (7, 10))
    for period, answers in _first_saves(cast, writers, _fields(ontime, *typed[0]), _fields(ontime, *typed[1])):
        if any(isinstance(a, Failed) for a in answers):
            problems.append(f"{period.code}: {answers}")
            outcomes["server error"] += 1
            continue
        statuses = tuple(status for status, _html in answers)
        outcomes[f"{statuses[0]}/{statuses[1]}"] += 1
        if sorted(statuses) != [302, 409]:
            problems.append(f"{period.code}: answers {statuses}, expected one 302 and one 409")
            continue
        winner = statuses.index(302)
        stored = figure(unit, period, "TTHC_ONTIME")
        if stored != typed[winner]:
            problems.append(f"{period.code}: the 302 saved {typed[winner]}, the database has {stored}")
        html = answers[1 - winner][1]
        if CONFLICT not in html or "9 / 10" not in html or "7 / 10" not in html:
            problems.append(f"{period.code}: the 409 does not show the conflict with both figures")
        version = Report.objects.get(unit=unit, period=period).version
        if version != 1:
            problems.append(f"{period.code}: version {version} after one save")
    note = f"; the second save met the first under the unique constraint in {len(unique_clashes)}"
    assert not problems, tally(outcomes, problems, note)
    print(f"\nfirst saves, same figure: {tally(outcomes, problems, note)}")


def test_did_not_occur_and_figures_saved_at_once_one_stands_the_other_is_told(cast, writers, unique_clashes):
    """One officer ticks "không phát sinh" while a colleague types the figures of the same
    indicator: one save stands, the other is told (409), and the row never holds both."""
    ontime, unit = cast["ontime"], cast["unit"]
    outcomes, problems = collections.Counter(), []
    said = {f"k_{ontime.pk}": "1"}
    for period, answers in _first_saves(cast, writers, said, _fields(ontime, 9, 10)):
        if any(isinstance(a, Failed) for a in answers):
            problems.append(f"{period.code}: {answers}")
            continue
        statuses = tuple(status for status, _html in answers)
        outcomes[f"{statuses[0]}/{statuses[1]}"] += 1
        if sorted(statuses) != [302, 409]:
            problems.append(f"{period.code}: answers {statuses}, expected one 302 and one 409")
            continue
        value = ReportValue.objects.get(report__unit=unit, report__period=period, indicator=ontime)
        stored = ("not occurred" if value.not_occurred else "figures", value.numerator, value.denominator)
        expected = ("not occurred", None, None) if statuses[0] == 302 else ("figures", 9, 10)
        if stored != expected:
            problems.append(f"{period.code}: the 302 side was {expected}, the database has {stored}")
        if CONFLICT not in answers[statuses.index(409)][1]:
            problems.append(f"{period.code}: the 409 does not say why")
    assert not problems, tally(outcomes, problems)


# ---------------------------------------------------------------------------------------------
# 2. Confirming an import while the officer saves the same figure through the form


def _csv(unit, period, numerator):
    rows = [
        "unit_code,period,indicator_code,numerator,denominator,value,comment",
        f"{unit.code},{period.code},TTHC_ONTIME,{numerator},10,,",
    ]
    return SimpleUploadedFile("quy.csv", "\n".join(rows).encode())


def test_an_import_confirmed_while_the_form_saves_never_loses_either(cast, writers, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    unit, editor, ontime = cast["unit"], cast["editor"], cast["ontime"]
    officer = _client(cast["colleague"])
    outcomes, problems = collections.Counter(), []
    stale = []  # rounds where the job, sent back to READY, offered a preview of before the form's save
    import_seconds = []  # how long confirming and writing takes here: the form's head starts follow it
    # Every round's draft report and its previewed job, prepared up front (one worker run
    # previews them all): a job READY for its report changing TTHC_ONTIME from 8 / 10 to 9 / 10.
    rounds = []
    for _round, period in zip(range(ROUNDS), fresh_periods(), strict=False):
        report = make_report(unit, period, "draft", TTHC_ONTIME=(8, 10))
        with translation.override("vi"):
            rounds.append((period, report, jobs.job_create(user=editor, upload=_csv(unit, period, 9))))
    jobs.work(once=True)
    page = None
    for round_number, (period, report, job) in enumerate(rounds):
        job.refresh_from_db()
        assert job.status == ImportJob.Status.READY, (job.status, job.message, job.errors)
        url = _entry_url(unit, period)
        if page is None:
            # The officer's page, loaded before: the version and the figures shown (8 / 10), the
            # same for every round's fresh report (loaded once to keep the rounds quick).
            page = entry_form(officer, url)
        assert page["version"] == str(seen(report)), "the page shows another version than the report's"

        def confirm_and_write(job=job):
            start = time.perf_counter()
            if not jobs.job_confirm(job=job, user=editor):
                raise AssertionError("the job could not be confirmed")
            jobs.work(once=True)
            import_seconds.append(time.perf_counter() - start)
            return ImportJob.objects.get(pk=job.pk)

        # The import does much more than the form before it takes the report's lock: started
        # together, the form always comes first. So in most rounds the form starts later, by a
        # share of what an import takes here, to come in before, during and after its write.
        lag = typical(import_seconds, 0.1) * FORM_LAGS[round_number % len(FORM_LAGS)]
        posted = {**page, "action": "save", **_fields(ontime, 6, 10)}
        imported, answer = writers.race(confirm_and_write, after(lag, _post(officer, url, posted)))
        if isinstance(imported, Failed) or isinstance(answer, Failed):
            problems.append(f"{period.code}: {imported!r} {answer!r}")
            outcomes["server error"] += 1
            continue
        status, html = answer
        stored = figure(unit, period, "TTHC_ONTIME")
        outcomes[f"form {status}, job {imported.status}"] += 1
        if status == 302 and imported.status == ImportJob.Status.READY:
            if stored != (6, 10):
                problems.append(f"{period.code}: the form was told saved, the database has {stored}")
            if unit.name not in imported.message or period.code not in imported.message:
                problems.append(f"{period.code}: the job's message does not name the report: {imported.message!r}")
            # "The preview below shows the figures as they are now: check it and confirm again."
            now = [[unit.pk, period.pk, seen(report)]]
            if imported.versions != now or not imported.preview[0]["old"].startswith("6 / 10"):
                stale.append(
                    f"{period.code}: the preview offered again shows {imported.preview[0]['old']} at version "
                    f"{imported.versions[0][2]}; the report holds {stored} at version {seen(report)}"
                )
        elif status == 409 and imported.status == ImportJob.Status.DONE:
            if stored != (9, 10):
                problems.append(f"{period.code}: the import was done, the database has {stored}")
            if CONFLICT not in html or "9 / 10" not in html or "6 / 10" not in html:
                problems.append(f"{period.code}: the 409 does not show the conflict with both figures")
        else:
            problems.append(
                f"{period.code}: form {status}, job {imported.status} ({imported.message or imported.errors}), "
                f"the database has {stored}"
            )
    assert not problems, tally(outcomes, problems)
    # Confirming a preview made before the form's save would be refused once more, for a change
    # the user was already told about: the preview offered again must be read after that save.
    assert not stale, f"{len(stale)} of {outcomes['form 302, job ready']} rounds:\n" + "\n".join(stale[:5])
    print(f"\nimport confirm against form save: {tally(outcomes, problems)}")


# ---------------------------------------------------------------------------------------------
# 3. A reviewer approves while another returns it, the officer edits and resubmits


def test_an_approval_never_covers_figures_changed_since_the_reviewer_looked(cast, writers):
    unit, ontime, editor = cast["unit"], cast["ontime"], cast["editor"]
    reviewer, second_reviewer = cast["reviewer"], cast["second_reviewer"]
    outcomes, problems = collections.Counter(), []
    other_seconds = []  # how long returning, editing and resubmitting takes here: head starts follow it
    periods = fresh_periods()
    for round_number in range(ROUNDS):
        period = next(periods)
        report = make_report(unit, period, "submitted", TTHC_ONTIME=(8, 10))
        looked_at = seen(report)  # reviewer R1 has it open
        steps = []  # how far the other side got

        def approve(pk=report.pk, looked_at=looked_at):
            try:
                services.report_approve(report=Report.objects.get(pk=pk), user=reviewer, seen_version=looked_at)
            except services.Refused as exc:
                return str(exc)
            return None

        def return_edit_resubmit(pk=report.pk, period=period, looked_at=looked_at, steps=steps):
            start = time.perf_counter()
            try:
                returned = services.report_return(
                    report=Report.objects.get(pk=pk), user=second_reviewer, reason="Kiểm tra lại mẫu số",
                    seen_version=looked_at,
                )  # fmt: skip
            except services.Refused as exc:
                return str(exc)
            steps.append("returned")
            saved = services.report_values_write(
                user=editor, unit=unit, period=period,
                changes={ontime.pk: {"numerator": "7", "denominator": "10", "comment": "Đã đối chiếu sổ"}},
                indicators=[ontime], base_version=returned.version, source=services.Source.FORM,
                original={ontime.pk: {"numerator": 8, "denominator": 10, "value": None, "comment": ""}},
            )  # fmt: skip
            if not (saved.ok and saved.saved):
                raise AssertionError(f"the officer's edit was not saved: {saved}")
            steps.append("edited")
            services.report_submit(report=saved.report, user=editor, indicators=[], seen_version=saved.report.version)
            steps.append("resubmitted")
            other_seconds.append(time.perf_counter() - start)
            return None

        # In turn: R1 approves a little later (up to after the whole resubmission), or the
        # return comes a little later (up to after the approval).
        delay_a, delay_b = head_starts(round_number, longest=1.2 * typical(other_seconds, 0.05))
        approval, other = writers.race(after(delay_a, approve), after(delay_b, return_edit_resubmit))
        if isinstance(approval, Failed) or isinstance(other, Failed):
            problems.append(f"{period.code}: {approval!r} {other!r}")
            outcomes["server error"] += 1
            continue
        report.refresh_from_db()
        stored = figure(unit, period, "TTHC_ONTIME")
        if approval is None:  # approved first: the return was refused; the figures are those looked at
            outcomes["approved first, return refused"] += 1
            if other is None or steps:
                problems.append(f"{period.code}: approved, and the return went through too ({steps})")
            if report.status != ReportStatus.APPROVED or stored != (8, 10):
                problems.append(f"{period.code}: approved, yet {report.status} with {stored}")
        else:  # the approval refused, saying why; the officer's figure stands, submitted again
            why = "changed" if CHANGED in approval else "status" if STATUS in approval else "unexplained"
            outcomes[f"approval refused ({why}); return, edit, resubmit went through"] += 1
            if why == "unexplained":
                problems.append(f"{period.code}: the refusal does not say why: {approval}")
            if other is not None or steps != ["returned", "edited", "resubmitted"]:
                problems.append(f"{period.code}: approval refused, yet the other side stopped at {steps}: {other}")
            if stored != (7, 10) or report.status != ReportStatus.SUBMITTED:
                problems.append(f"{period.code}: the officer's resubmission is lost: {report.status} with {stored}")
        if report.status == ReportStatus.APPROVED and stored != (8, 10):
            problems.append(f"{period.code}: approved with a figure nobody reviewed: {stored}")
    assert not problems, tally(outcomes, problems)
    print(f"\napprove against return, edit and resubmit: {tally(outcomes, problems)}")


def test_two_reviewers_approving_the_same_reports_at_once_approve_each_once_and_name_the_rest(
    cast, writers, tree
):
    """Two reviewers tick the same five reports in their inboxes and press approve together; an
    officer resubmits one of them meanwhile in some rounds. Every report ends approved exactly
    once (one history row of approval), by one of them; the other's list names it as skipped."""
    reviewer, second_reviewer = cast["reviewer"], cast["second_reviewer"]
    units = [tree[name] for name in ("commune_a1", "commune_a2", "commune_b1", "district_a", "district_b")]
    periods = fresh_periods()
    outcomes, problems = collections.Counter(), []
    for round_number in range(8):
        period = next(periods)
        reports = [make_report(unit, period, "submitted", TTHC_ONTIME=(8, 10)) for unit in units]
        listed = {r.pk: seen(r) for r in reports}  # both inboxes show these versions

        def approve_all(user, listed=listed):
            return lambda: services.report_approve_many(user=user, seen=listed)

        first, second = writers.race(*(after(d, approve_all(u)) for d, u in zip(
            head_starts(round_number), (reviewer, second_reviewer), strict=True)))  # fmt: skip
        for result in (first, second):
            if isinstance(result, Failed):
                problems.append(f"round {round_number}: {result!r}")
        if problems:
            continue
        approved = [r.pk for r in first.approved] + [r.pk for r in second.approved]
        skipped = [r.pk for r, _reason in first.skipped + second.skipped]
        outcomes[(len(first.approved), len(second.approved))] += 1
        if sorted(approved) != sorted(listed) or sorted(skipped) != sorted(listed):
            problems.append(f"round {round_number}: approved {approved}, skipped {skipped}")
        for report in reports:
            report.refresh_from_db()
            approvals = report.history.filter(status="approved").count()
            if report.status != "approved" or approvals != 1 or report.version != listed[report.pk] + 1:
                problems.append(f"round {round_number}: {report.unit.name} {report.status}, {approvals} approvals")
    assert not problems, tally(outcomes, problems)
