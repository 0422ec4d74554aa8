"""What one member's request costs in process, without a server: the app's WSGI callable called directly,
one thread, 100 members' cookies in turn, best of seven batches of 1,000 (``--profile``: then cProfile).

    PYTHONPATH=. .venv/bin/python -m bench.poll_profile \\
        --database-url postgresql://postgres@127.0.0.1:5432/portal_boards --request repeat

On the data ``bench/boards.py`` generated. ``partial``: the board panel's poll sent in full; ``repeat``:
sent again with the tag of the panel it was sent (answered 304); ``top600``: the board page with its
top N; ``campaign``: the campaign page (today's panel, totals, runs and the calendar of every day);
``hello``: the minimal "hello" endpoint the board benchmark compares with. The figures in
docs/benchmarks.md ("Boards"; the campaign page's in its history) come from here.

``--instructions N``: only N requests, inside ``functools.reduce``, for a repeatable count of the
instructions they take (see ``bench/step_profile.py``):

    valgrind --tool=callgrind --toggle-collect=functools_reduce --callgrind-out-file=/tmp/cg.out \\
        .venv/bin/python -m bench.poll_profile --database-url … --request partial --instructions 400
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import pstats
import sys
import time
from collections.abc import Callable

from bench.boards import POLL_HEADERS, bench_app, member_cookies, newest_campaign

POLL = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in POLL_HEADERS.items()}


def environ(path: str, query: str, cookie: str, headers: dict[str, str]) -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_COOKIE": cookie,
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        **headers,
    }


def best_of_seven(call: Callable[[int], None]) -> float:
    """Seconds a request takes at best over seven batches of 1,000 (``call(1000)`` makes one)."""
    best = float("inf")
    for _ in range(7):
        begun = time.perf_counter()
        call(1000)
        best = min(best, (time.perf_counter() - begun) / 1000)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument(
        "--request", choices=("partial", "repeat", "top600", "campaign", "hello"), default="partial"
    )
    parser.add_argument("--profile", action="store_true", help="then 3,000 requests under cProfile")
    parser.add_argument("--instructions", type=int, metavar="N", help="only N requests, for callgrind")
    args = parser.parse_args()
    app = bench_app(args.database_url)
    if args.request == "hello":
        from bench.minimal_hello import app as hello_app
    campaign_id = newest_campaign(app)
    cookies = member_cookies(app, campaign_id)
    if args.request == "campaign":
        path, query, headers = f"/campaigns/{campaign_id}", "", {}
    elif args.request == "hello":
        app, path, query, headers = hello_app, "/", "", {}
    else:
        path = f"/campaigns/{campaign_id}/boards/individual"
        query, headers = ("show=all", {}) if args.request == "top600" else ("", POLL)
    environs = [environ(path, query, cookie, headers) for cookie in cookies]
    answers: list[tuple[str, dict]] = []

    def start_response(status, response_headers, exc_info=None):
        answers.append((status, dict(response_headers)))

    def one(index: int) -> int:
        request = {**environs[index % len(environs)], "wsgi.input": io.BytesIO(b"")}
        b"".join(app.wsgi_app(request, start_response))
        return index + 1

    def call(count: int) -> None:
        for index in range(count):
            one(index)

    if args.request == "repeat":  # each member's browser keeps the tag of the panel it was sent
        for request in environs:
            b"".join(app.wsgi_app({**request, "wsgi.input": io.BytesIO(b"")}, start_response))
            request["HTTP_IF_NONE_MATCH"] = answers[-1][1]["ETag"]
    answers.clear()
    call(400)  # warm: the pointers, the rows and the panels are kept now
    statuses = {status for status, _headers in answers}
    expected = "304 NOT MODIFIED" if args.request == "repeat" else "200 OK"
    assert statuses == {expected}, statuses
    if args.instructions:
        functools.reduce(lambda index, _: one(index), range(args.instructions), 0)
        return
    best = best_of_seven(call)
    print(f"{args.request}: {best * 1000:.3f} ms a request (best of seven batches of 1,000; {expected})")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        call(3000)
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
