"""50 people (or tools) using the site at once against one server process, 5 sign-ins a second.

Client model. Each of the 50 virtual users is a closed loop, as a person is: ask for a page (or
a tool for a GraphQL answer), wait for it, read it, then ask for the next. The reading time
("think time") is drawn uniformly from 1-3 s (mean 2 s) after each answer. A person reading a
target page or a dashboard takes from a few seconds to minutes before the next click, so 1-3 s
is the fast end of real use: someone clicking straight through menus, or changing the year
group or subject of the targets page (htmx). Tools holding an API token (the GraphQL requests)
are taken to be polite scripts pausing as long between queries. 50 such users ask
~50 / (2 s + answer time) ~ 24 requests a second, ~85,000 an hour: far above the daily
traffic of a target-setting service, a peak-of-term minute sustained for the whole run. The
earlier model (50-150 ms think time, ~300 requests a second asked of one Python process) was a
stress test, not 50 people: each of its clients clicked ten times a second.

A closed loop hides a slow server by asking less of it (coordinated omission), so the bench
prints, per phase, the request rate it achieved beside the one the model intends, and says
when the achieved rate fell below 90 % of it. Users start at random moments within one think
time (no thundering herd), are signed in before the clock starts (their 50 password checks
are set-up, not load) and run a 5 s warm-up that is not reported.

Sign-ins come on top, open loop: from the busy phase on, a new visitor every 0.2 s (5 a
second, whatever the server's answer times) opens /sign-in, reads the CSRF token from the
form and POSTs it with a demo account's login name and password (argon2 at the production
parameters); each from its own address, as the reverse proxy would pass it on.

The mix: every user reads the home page, its API tokens page and `schools`; school users with
full access also open the pupil target page (/targets); LA officers also read
`targetAggregates` for a whole year group and, with full access, `pupilTargets` of a school
that shares pupil-level targets with their LA (the demo's sharing settings).

The morning rush (issue 18): 200 staff signing in from one address (a school behind one public
address) in 60 s, open loop, evenly spread, beside the users' usual mix. Goal: 0 of them
refused (a 429 or a failed sign-in), and the others' p99 within 20 % of the quiet phase's. The
rush sits between two quiet phases of half its length each ("quiet" and "quiet again", the
next starting once the rush's sign-ins are answered), and is compared with the two together:
this VM's speed drifts over minutes, and one quiet phase at the start measured the drift as
much as the rush. The ratio of the two quiet phases is printed as the noise floor. The busy
phase comes last, so the password checks it leaves queued cost nothing that is measured.

Goal (issue 8): 0 errors, p99 <= 300 ms, sign-ins never stall other requests: the busy/quiet
ratio of the other requests' p50/p95/p99, printed at the end, stays near 1.

Run: .venv/bin/python bench/bench_load.py   (ASPIRE_BENCH_SECONDS=60 busy seconds by default,
and as long again quiet; ASPIRE_BENCH_DATABASE_URL=postgres://... to measure on PostgreSQL;
ASPIRE_BENCH_ROOT=../other-checkout serves that tree's code instead (the code before a change);
ASPIRE_BENCH_THINK=0.05-0.15 for another think time; ASPIRE_BENCH_PROFILE=out.txt records
the server process with py-spy, if installed, for the whole run)
"""

from __future__ import annotations

import asyncio
import os
import platform
import random
import re
import ssl
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.serving import (  # noqa: E402
    bench_environment,
    load_demo,
    percentile,
    profiling,
    running_server,
    summary,
)

SERVED_ROOT = Path(os.environ["ASPIRE_BENCH_ROOT"]).resolve() if os.environ.get("ASPIRE_BENCH_ROOT") else None
CLIENTS = 50
SECONDS = float(os.environ.get("ASPIRE_BENCH_SECONDS", "60"))
QUIET_SECONDS = max(5.0, SECONDS / 2)  # twice: before and after the rush
WARM_UP_SECONDS = 5.0
THINK = tuple(float(x) for x in os.environ.get("ASPIRE_BENCH_THINK", "1-3").split("-"))
SIGN_INS_PER_SECOND = 5
RUSH_SIGN_INS = 200
RUSH_SECONDS = 60.0
RUSH_ADDRESS = {"x-forwarded-for": "203.0.113.40"}  # one school's public address
SCHOOLS_QUERY = ("{ viewer { username } schools(first: 50) { totalCount edges { node { urn name "
                 "localAuthority { name } academyChain { name } } } } }")
AGGREGATES_QUERY = """query($ks: KeyStage!, $yg: Int!, $grade: String!) {
  targetAggregates(keyStage: $ks, yearGroup: $yg) {
  school { urn name } subject { code name } pupils suppressed targetsSet averageTargetPoints
  benchmark averageEstimatePoints atOrAbove: targetsAtOrAbove(grade: $grade) } }"""
KEY_GRADE = {"KS2": "100", "KS4": "4", "KS5": "C"}  # on every subject's scale of the key stage
PUPILS_QUERY = """query($urn: String!, $ks: KeyStage!, $yg: Int!) {
  pupilTargets(schoolUrn: $urn, keyStage: $ks, yearGroup: $yg, first: 100) { totalCount
    edges { node { pupil { upn surname } subject { code } targetGrade prepopulated
                   estimate { finePoints grade } } } } }"""
_ONE_SSL_CONTEXT = ssl.create_default_context()
CSRF_INPUT = re.compile(r'name="csrftoken" value="([^"]+)"')


def target_work(account: dict, schools: list[dict]) -> dict:
    """What of the targets this account reads: a year group of its school, or (LA officers)
    a year group its schools share and a school sharing pupil-level targets with its LA.
    """
    org = account["organisation"]
    work: dict = {}
    if org["kind"] == "SCHOOL" and account["pupilAccess"] == "FULL":
        mine = next((s for s in schools if s["urn"] == org["urn"]), None)
        years = [y["yearGroup"] for y in (mine or {}).get("sharing", [])]
        work["page"] = f"/targets?yearGroup={years[0] if years else 10}"
    if org["kind"] == "LOCAL_AUTHORITY":
        ours = [s for s in schools if s["laCode"] == org["laCode"]]
        shared = [(s, y) for s in ours for y in s["sharing"]
                  if y["aggregateWithLa"] or y["pupilLevelWithLa"]]
        if shared:
            _, y = shared[0]
            work["aggregates"] = {"ks": y["keyStage"], "yg": y["yearGroup"],
                                  "grade": KEY_GRADE[y["keyStage"]]}
        pupil_level = [(s, y) for s, y in shared if y["pupilLevelWithLa"]]
        if pupil_level and account["pupilAccess"] == "FULL":
            s, y = pupil_level[0]
            work["pupils"] = {"urn": s["urn"], "ks": y["keyStage"], "yg": y["yearGroup"]}
    return work


def cpu_seconds(pid: int) -> tuple[float, float, float, float]:
    """From /proc (zeros where there is none): CPU time (user + system) of the server process and
    of its main thread (the event loop); the time that thread waited for a core while it could
    have run, and the time this process's thread (the bench's own event loop) did.
    """
    def read(path: str) -> float:
        try:
            fields = Path(path).read_text().rpartition(")")[2].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def waited(path: str) -> float:
        try:
            return int(Path(path).read_text().split()[1]) / 1e9
        except (OSError, IndexError, ValueError):
            return 0.0

    return (read(f"/proc/{pid}/stat"), read(f"/proc/{pid}/task/{pid}/stat"),
            waited(f"/proc/{pid}/task/{pid}/schedstat"), waited("/proc/thread-self/schedstat"))


class Recorder:
    def __init__(self, pid: int = 0) -> None:
        self.pid = pid
        self.phase = "warm-up"
        self.phase_started: dict[str, float] = {"warm-up": time.perf_counter()}
        self.phase_seconds: dict[str, float] = {}
        self.cpu_at: dict[str, tuple[float, ...]] = {"warm-up": cpu_seconds(pid)}
        self.phase_cpu: dict[str, tuple[float, ...]] = {}
        self.samples: dict[tuple[str, str], list[float]] = {}
        self.errors: dict[str, list[str]] = {}

    def enter(self, phase: str) -> None:
        moment, cpu = time.perf_counter(), cpu_seconds(self.pid)
        self.phase_seconds[self.phase] = moment - self.phase_started[self.phase]
        before = self.cpu_at[self.phase]
        self.phase_cpu[self.phase] = tuple(now - then for now, then in zip(cpu, before, strict=True))
        self.phase, self.phase_started[phase], self.cpu_at[phase] = phase, moment, cpu

    def add(self, kind: str, started: float, response: httpx.Response | None, ok: tuple[int, ...],
            phase: str | None = None) -> None:
        """Record a request under the phase it was sent in."""
        millis = (time.perf_counter() - started) * 1000
        phase = phase or self.phase
        self.samples.setdefault((phase, kind), []).append(millis)
        if response is None or response.status_code not in ok:
            self.error(phase, f"{kind}: {response.status_code if response is not None else 'bad answer'}")

    def error(self, phase: str, message: str) -> None:
        self.errors.setdefault(phase, []).append(message)


async def sign_in(client: httpx.AsyncClient, account: dict, record: Recorder | None = None,
                  kind: str = "sign-in") -> httpx.Response:
    """The sign-in form as a browser sends it: GET the page, POST its CSRF token back."""
    path = "/admin/sign-in" if account["kind"] == "administrator" else "/sign-in"
    phase = record.phase if record else None
    started = time.perf_counter()
    form = await client.get(path)
    if record:
        record.add(f"{kind} form (GET)", started, form, (200,), phase)
    found = CSRF_INPUT.search(form.text)
    started = time.perf_counter()
    response = await client.post(path, data={"csrftoken": found.group(1) if found else "",
                                             "loginName": account["username"],
                                             "password": account["password"]})
    if record:
        record.add(f"{kind} (POST)", started, response, (303,), phase)
    return response


async def graphql(client: httpx.AsyncClient, record: Recorder, kind: str, phase: str,
                  query: str, variables: dict, bearer: dict) -> None:
    started = time.perf_counter()
    response = await client.post("/graphql", json={"query": query, "variables": variables},
                                 headers=bearer)
    ok = response.status_code == 200 and "errors" not in response.json()
    record.add(kind, started, response if ok else None, (200,), phase)


def from_address(n: int) -> dict[str, str]:
    """Each client its own address, as the reverse proxy in front of the server would pass it
    on (uvicorn trusts X-Forwarded-For from 127.0.0.1). The morning rush (one address for
    200 people) is separate: morning_rush.
    """
    return {"x-forwarded-for": f"10.{n // 62500 % 250}.{n // 250 % 250}.{n % 250 + 1}"}


def visitor(base: str, headers: dict[str, str]) -> httpx.AsyncClient:
    """A browser of its own (its own cookies and connection). httpx builds an SSL context for
    each new client unless given one: 30-45 ms of this process's event loop, which every answer
    in flight then waited for, so sign-ins (a new client each) looked as if they slowed the
    others by as much. The server is plain HTTP; one context serves every client."""
    return httpx.AsyncClient(base_url=base, timeout=30, headers=headers, verify=_ONE_SSL_CONTEXT)


async def virtual_user(client: httpx.AsyncClient, account: dict, work: dict, record: Recorder,
                       finished: asyncio.Event) -> None:
    bearer = {"authorization": f"Bearer {account['apiToken']}"}
    rng = random.Random(account["username"] + str(id(client)))
    await asyncio.sleep(rng.uniform(0, THINK[1]))
    while not finished.is_set():
        choice = rng.random()
        phase = record.phase
        started = time.perf_counter()
        try:
            if choice < 0.3:
                record.add("page /", started, await client.get("/"), (200,), phase)
            elif choice < 0.4:
                record.add("page /account/tokens", started, await client.get("/account/tokens"),
                           (200,), phase)
            elif choice < 0.65 and "page" in work:
                record.add("page /targets", started, await client.get(work["page"]), (200,), phase)
            elif choice < 0.65 and "aggregates" in work:
                await graphql(client, record, "graphql targetAggregates (LA)", phase,
                              AGGREGATES_QUERY, work["aggregates"], bearer)
            elif choice < 0.8 and "pupils" in work:
                await graphql(client, record, "graphql pupilTargets (LA)", phase,
                              PUPILS_QUERY, work["pupils"], bearer)
            else:
                await graphql(client, record, "graphql schools", phase, SCHOOLS_QUERY, {}, bearer)
        except httpx.HTTPError as error:
            record.add("transport error", started, None, (), phase)
            record.error(phase, type(error).__name__)
        await asyncio.sleep(rng.uniform(*THINK))


async def sign_in_stream(base: str, accounts: list[dict], record: Recorder, seconds: float,
                         ) -> list[asyncio.Task]:
    """Open loop: one new visitor signing in every 1/5 s for `seconds`, however slow the
    answers; the sign-ins still under way at the end are returned."""
    record.enter("busy")
    start = time.perf_counter()
    stop = start + seconds
    tasks = []
    i = 0
    while (due := start + i / SIGN_INS_PER_SECOND) < stop:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        account = accounts[i % len(accounts)]
        i += 1

        async def one(account=account, n=CLIENTS + i) -> None:
            async with visitor(base, from_address(n)) as client:
                try:
                    await sign_in(client, account, record)
                except httpx.HTTPError as error:
                    record.error("busy", f"sign-in {type(error).__name__}")

        tasks.append(asyncio.create_task(one()))
    return tasks


async def morning_rush(base: str, accounts: list[dict], record: Recorder) -> None:
    """Open loop: RUSH_SIGN_INS staff of one school signing in from one address, evenly over
    the rush phase; returns when all are answered."""
    record.enter("rush")
    start = time.perf_counter()
    tasks = []
    for i in range(RUSH_SIGN_INS):
        await asyncio.sleep(max(0.0, start + i * RUSH_SECONDS / RUSH_SIGN_INS - time.perf_counter()))

        async def one(account=accounts[i % len(accounts)]) -> None:
            async with visitor(base, RUSH_ADDRESS) as client:
                try:
                    await sign_in(client, account, record, kind="sign-in rush, one address")
                except httpx.HTTPError as error:
                    record.error("rush", f"sign-in rush {type(error).__name__}")

        tasks.append(asyncio.create_task(one()))
    await asyncio.gather(*tasks)


PHASES = ("quiet", "rush", "quiet again", "busy")


def report(record: Recorder) -> None:
    intended = CLIENTS / ((THINK[0] + THINK[1]) / 2)
    for phase in PHASES:
        seconds = record.phase_seconds[phase]
        users = sum(len(ms) for (p, k), ms in record.samples.items() if p == phase and not k.startswith("sign-in"))
        signing = sum(len(ms) for (p, k), ms in record.samples.items() if p == phase and k.startswith("sign-in"))
        flag = "" if users >= 0.9 * intended * seconds else "  << below 90 % of the model: the server held clients back"
        print(f"{phase:11} offered: {users / seconds:.1f} user requests/s (model ~{intended:.0f}/s less "
              f"answer time) + {signing / seconds:.1f} sign-in requests/s over {seconds:.0f} s{flag}")
        process, loop, loop_waited, bench_waited = record.phase_cpu[phase]
        requests = max(1, users + signing)
        print(f"{phase:11} server CPU: {process / seconds:.0%} of a core in all (event loop thread "
              f"{loop / seconds:.0%}, others {(process - loop) / seconds:.0%}); event loop "
              f"{loop * 1000 / requests:.1f} ms per request, and {loop_waited * 1000 / requests:.1f} "
              f"ms waiting for a core (this bench's own loop {bench_waited * 1000 / requests:.1f} ms)")
    for (phase, kind), millis in sorted(record.samples.items()):
        if phase in PHASES:
            print(summary(f"{phase:11} {kind}", millis))
    others = {phase: [m for (p, k), ms in record.samples.items()
                      if p == phase and not k.startswith("sign-in") for m in ms]
              for phase in PHASES}
    others["both quiet"] = others["quiet"] + others["quiet again"]
    for phase in (*PHASES, "both quiet"):
        print(summary(f"{phase:11} all but sign-in", others[phase]))
    for phase, against in (("quiet again", "quiet"), ("rush", "both quiet"), ("busy", "both quiet")):
        ratios = "  ".join(f"p{p}={percentile(others[phase], p) / percentile(others[against], p):.2f}"
                           for p in (50, 95, 99))
        print(f"{phase}/{against}, all but sign-in: {ratios}"
              + ("  (the noise floor)" if phase == "quiet again" else ""))
    rush_errors = [e for e in record.errors.get("rush", []) if "sign-in rush" in e]
    refused = sum(e.endswith((": 429", ": 400")) for e in rush_errors)
    answered = len(record.samples.get(("rush", "sign-in rush, one address (POST)"), []))
    print(f"morning rush: {RUSH_SIGN_INS} sign-ins from one address in {RUSH_SECONDS:.0f} s: "
          f"{answered} answered, {refused} refused (429 or 400), "
          f"{len(rush_errors) - refused} other errors (timeouts)")
    for phase in PHASES:
        errors = record.errors.get(phase, [])
        print(f"{phase:11} errors: {len(errors)}" + (f" (first: {errors[:5]})" if errors else ""))


async def main() -> None:
    env = bench_environment(os.environ.get("ASPIRE_BENCH_DATABASE_URL"))
    demo = load_demo(env)
    users = [a for a in demo["accounts"] if a["kind"] == "user" and a["apiToken"]]
    accounts = [users[i % len(users)] for i in range(CLIENTS)]
    work = [target_work(account, demo["schools"]) for account in accounts]
    with (running_server(env, root=SERVED_ROOT) as base,
          profiling(base.pid, os.environ.get("ASPIRE_BENCH_PROFILE"))):
        clients = [visitor(base, from_address(i)) for i in range(CLIENTS)]
        limit = asyncio.Semaphore(4)

        async def first_sign_in(client: httpx.AsyncClient, account: dict) -> None:
            async with limit:
                if (await sign_in(client, account)).status_code != 303:
                    raise RuntimeError(f"{account['username']} could not sign in")

        await asyncio.gather(*(first_sign_in(c, a) for c, a in zip(clients, accounts, strict=True)))
        record = Recorder(base.pid)
        finished = asyncio.Event()

        async def phases() -> None:
            try:
                await asyncio.sleep(WARM_UP_SECONDS)
                record.enter("quiet")
                await asyncio.sleep(QUIET_SECONDS)
                await morning_rush(base, users, record)
                record.enter("quiet again")
                await asyncio.sleep(QUIET_SECONDS)
                await asyncio.gather(*await sign_in_stream(base, users, record, SECONDS))
                record.enter("done")  # what was sent before stays in its phase
            finally:
                finished.set()

        await asyncio.gather(*(virtual_user(c, a, w, record, finished)
                               for c, a, w in zip(clients, accounts, work, strict=True)),
                             phases())
        for client in clients:
            await client.aclose()
    print(f"# bench_load: {CLIENTS} users, think time {THINK[0]:g}-{THINK[1]:g} s, quiet "
          f"{QUIET_SECONDS:.0f} s, a rush of {RUSH_SIGN_INS} sign-ins from one address in "
          f"{RUSH_SECONDS:.0f} s, quiet {QUIET_SECONDS:.0f} s again, then busy {SECONDS:.0f} s "
          f"with {SIGN_INS_PER_SECOND} sign-ins/s; {SERVED_ROOT or 'this tree'}, one server process; "
          f"{platform.node()}, {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; database "
          f"{env['ASPIRE_DATABASE_URL'].split(':')[0]}")
    report(record)


if __name__ == "__main__":
    asyncio.run(main())
