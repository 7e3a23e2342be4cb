"""50 concurrent clients against one server process: pages, GraphQL and 5 sign-ins a second.

The mix: every client reads the home page, its API tokens page and `schools`; school users
with full access also open the pupil target page (/targets); LA officers also read
`targetAggregates` for a whole year group and, with full access, `pupilTargets` of a school
that shares pupil-level targets with their LA (the demo's sharing settings).

Goal (issue 8): 0 errors, p99 <= 300 ms, sign-ins never stall other requests. Measured in
one run: a quiet phase (no sign-ins) and a busy phase (5 sign-ins a second), same clients.

Run: .venv/bin/python bench/bench_load.py   (ASPIRE_BENCH_SECONDS=60 by default;
ASPIRE_BENCH_DATABASE_URL=postgres://... to measure on PostgreSQL)
"""

from __future__ import annotations

import asyncio
import os
import platform
import random
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.serving import bench_environment, load_demo, running_server, summary  # noqa: E402

CLIENTS = 50
SECONDS = float(os.environ.get("ASPIRE_BENCH_SECONDS", "60"))
QUIET_SECONDS = max(10.0, SECONDS / 3)
SIGN_INS_PER_SECOND = 5
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


class Recorder:
    def __init__(self) -> None:
        self.phase = "quiet"
        self.samples: dict[tuple[str, str], list[float]] = {}
        self.errors: list[str] = []

    def add(self, kind: str, started: float, response: httpx.Response | None, ok: tuple[int, ...]) -> None:
        millis = (time.perf_counter() - started) * 1000
        self.samples.setdefault((self.phase, kind), []).append(millis)
        if response is None or response.status_code not in ok:
            self.errors.append(f"{kind}: {response.status_code if response else 'no response'}")


async def sign_in(client: httpx.AsyncClient, account: dict) -> httpx.Response:
    path = "/admin/sign-in" if account["kind"] == "administrator" else "/sign-in"
    await client.get(path)
    return await client.post(path, data={"csrftoken": client.cookies.get("csrftoken", ""),
                                         "loginName": account["username"],
                                         "password": account["password"]})


async def graphql(client: httpx.AsyncClient, record: Recorder, kind: str, started: float,
                  query: str, variables: dict, bearer: dict) -> None:
    response = await client.post("/graphql", json={"query": query, "variables": variables},
                                 headers=bearer)
    ok = response.status_code == 200 and "errors" not in response.json()
    record.add(kind, started, response if ok else None, (200,))


def from_address(n: int) -> dict[str, str]:
    """Each client its own address, as the reverse proxy in front of the server would pass it
    on (uvicorn trusts X-Forwarded-For from 127.0.0.1): 50 people are not one IP, whose
    sign-ins the per-IP limit would refuse after 20 a minute.
    """
    return {"x-forwarded-for": f"10.{n // 62500 % 250}.{n // 250 % 250}.{n % 250 + 1}"}


async def virtual_user(base: str, n: int, account: dict, work: dict, record: Recorder,
                       stop: float) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30, headers=from_address(n)) as client:
        first = await sign_in(client, account)
        if first.status_code != 303:
            record.errors.append(f"first sign-in: {first.status_code}")
        bearer = {"authorization": f"Bearer {account['apiToken']}"}
        rng = random.Random(account["username"])
        while time.perf_counter() < stop:
            choice = rng.random()
            started = time.perf_counter()
            try:
                if choice < 0.3:
                    response = await client.get("/")
                    record.add("page /", started, response, (200,))
                elif choice < 0.4:
                    response = await client.get("/account/tokens")
                    record.add("page /account/tokens", started, response, (200,))
                elif choice < 0.65 and "page" in work:
                    response = await client.get(work["page"])
                    record.add("page /targets", started, response, (200,))
                elif choice < 0.65 and "aggregates" in work:
                    await graphql(client, record, "graphql targetAggregates (LA)", started,
                                  AGGREGATES_QUERY, work["aggregates"], bearer)
                elif choice < 0.8 and "pupils" in work:
                    await graphql(client, record, "graphql pupilTargets (LA)", started,
                                  PUPILS_QUERY, work["pupils"], bearer)
                else:
                    await graphql(client, record, "graphql schools", started, SCHOOLS_QUERY, {},
                                  bearer)
            except httpx.HTTPError as error:
                record.errors.append(f"{type(error).__name__}")
            await asyncio.sleep(rng.uniform(0.05, 0.15))


async def sign_in_stream(base: str, accounts: list[dict], record: Recorder, start: float, stop: float) -> None:
    await asyncio.sleep(max(0.0, start - time.perf_counter()))
    record.phase = "busy"
    tasks = []
    i = 0
    while time.perf_counter() < stop:
        account = accounts[i % len(accounts)]
        i += 1

        async def one(account=account, n=CLIENTS + i) -> None:
            async with httpx.AsyncClient(base_url=base, timeout=30,
                                         headers=from_address(n)) as client:
                started = time.perf_counter()
                try:
                    response = await sign_in(client, account)
                    record.add("sign-in", started, response, (303,))
                except httpx.HTTPError as error:
                    record.errors.append(f"sign-in {type(error).__name__}")

        tasks.append(asyncio.create_task(one()))
        await asyncio.sleep(1 / SIGN_INS_PER_SECOND)
    await asyncio.gather(*tasks)


async def main() -> None:
    env = bench_environment(os.environ.get("ASPIRE_BENCH_DATABASE_URL"))
    demo = load_demo(env)
    users = [a for a in demo["accounts"] if a["kind"] == "user" and a["apiToken"]]
    with running_server(env) as base:
        record = Recorder()
        begin = time.perf_counter()
        stop = begin + QUIET_SECONDS + SECONDS
        work = [target_work(users[i % len(users)], demo["schools"]) for i in range(CLIENTS)]
        clients = [virtual_user(base, i, users[i % len(users)], work[i], record, stop)
                   for i in range(CLIENTS)]
        await asyncio.gather(*clients, sign_in_stream(base, users, record, begin + QUIET_SECONDS, stop))
    print(f"# bench_load: {CLIENTS} clients, quiet {QUIET_SECONDS:.0f} s then busy {SECONDS:.0f} s "
          f"with {SIGN_INS_PER_SECOND} sign-ins/s; one server process; {platform.node()}, "
          f"{os.cpu_count()} cores; database {env['ASPIRE_DATABASE_URL'].split(':')[0]}")
    for (phase, kind), millis in sorted(record.samples.items()):
        print(summary(f"{phase:5} {kind}", millis))
    for phase in ("quiet", "busy"):
        others = [m for (p, k), ms in record.samples.items() if p == phase and k != "sign-in" for m in ms]
        print(summary(f"{phase:5} all but sign-in", others))
    print(f"errors: {len(record.errors)}" + (f" (first: {record.errors[:5]})" if record.errors else ""))


if __name__ == "__main__":
    asyncio.run(main())
