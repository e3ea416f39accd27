"""Renders bench/results/*.json into the tables of docs/benchmarks.md, between its
`<!-- bench:<block> -->` and `<!-- /bench:<block> -->` markers; the text around them is
written by hand (docs/decisions.md#bench-result-files).

    uv run python -m bench.report --write    # rewrite docs/benchmarks.md
    uv run python -m bench.report            # exit 1 when it is stale
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.results import load_results

PAGE = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
REFRESH = "uv run python -m bench.report --write"
BLOCK = re.compile(r"(<!-- bench:([a-z_]+) -->\n)(.*?)(<!-- /bench:\2 -->)", re.S)

Result = dict[str, Any]
Results = dict[str, Result]


def cell(value: Any, fmt: str = "{}") -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and fmt == "{}":
        return f"{value:g}"
    return fmt.format(value)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def provenance(result: Result) -> str:
    """Where a table's figures come from: the command, the date and the machine."""
    machine = result.get("machine", {})
    load = [
        f"{when} {'/'.join(cell(x) for x in machine[key])}"
        for when, key in (("before", "load_average_before"), ("after", "load_average_after"))
        if machine.get(key)
    ]
    parts = [
        f"`{result['command']}`",
        str(result["date"])[:10],
        f"{machine.get('cores')} cores",
        *(["load average " + ", ".join(load)] if load else []),
        f"Python {machine.get('python')}",
        *([f"livekit-server {machine['livekit_server']}"] if machine.get("livekit_server") else []),
    ]
    line = " · ".join(parts)
    for key in ("note", "source"):
        if result.get(key):
            line += f"; {result[key]}"
    return f"*{line}*" if "*" not in line else line


# --- one function per block ---------------------------------------------------------------


def _met(met: bool) -> str:
    return "met" if met else "**missed**"


def summary(results: Results) -> str:
    rows: list[list[str]] = []
    if (r := results.get("create_session")) is not None:
        run = r["figures"]["runs"][0]
        i, b, ratio = run["issuer"], run["baseline"], run["ratios"]
        rows.append(
            [
                f"Create Voice Session, {run['database']}",
                f"`{r['command']}`",
                f"issuer p50 {cell(i['sequential']['p50_ms'])} ms, p99 "
                f"{cell(i['sequential']['p99_ms'])} ms; at {r['figures']['config']['concurrency']}"
                f" in flight p99 {cell(i['concurrent']['p99_ms'])} ms, "
                f"{cell(i['concurrent']['sessions_per_second'])} sessions/s; baseline p50 "
                f"{cell(b['sequential']['p50_ms'])} ms; **p50 ratio {cell(ratio['p50'])}**; "
                f"the bare HTTP hop alone makes the floor ratio {cell(ratio['floor_p50'])}",
                f"ratio ≤ {cell(run['goal_p50_ratio'])} — {_met(run['goal_met'])}",
            ]
        )
    if (r := results.get("agent_join")) is not None:
        f = r["figures"]
        rows.append(
            [
                "Room created → agent in the room",
                f"`{r['command']}`",
                f"**p50 {cell(f['p50_ms'])} ms**, p95 {cell(f['p95_ms'])} ms, max "
                f"{cell(f['max_ms'])} ms (livekit-server's own timestamps)",
                f"p50 ≤ {f['goal_p50_ms']} ms — {_met(f['p50_ms'] <= f['goal_p50_ms'])}",
            ]
        )
    if (r := results.get("turn_latency")) is not None:
        f = r["figures"]
        new = f["levels"][0]
        result = f"end of speech → first agent audio p50 **{cell(new['p50_ms'])} ms**"
        if f.get("old"):
            result = (
                f"end of speech → first agent audio p50 **{cell(f['old']['p50_ms'])} ms → "
                f"{cell(new['p50_ms'])} ms ({cell(f['new_over_old_p50'])})**, old turn taking "
                "against the new defaults ([figures](#turn-taking-figures))"
            )
        rows.append(
            [
                "Turn latency",
                f"`{r['command']}`",
                result,
                f"p50 ≤ 800 ms — {_met(new['p50_ms'] <= 800)}",
            ]
        )
    if (r := results.get("tool_roundtrip")) is not None:
        f = r["figures"]
        rows.append(
            [
                "Tool round trip in a turn",
                f"`{r['command']}`",
                f"p50 turn {cell(f['plain_p50_ms'])} ms without a tool, {cell(f['tool_p50_ms'])}"
                f" ms with one (ratio {cell(f['ratio_p50'])}): **a tool adds "
                f"{cell(f['added_p50_ms'])} ms p50**, of which "
                f"{cell(f['second_llm_first_token_ms'])} ms is the second LLM request's emulated "
                f"first token; the tool's own cost {cell(f['tool_overhead_p50_ms'])} ms p50, the "
                f"signed HTTP request {cell(f['tool_http_p50_ms'])} ms",
                "—",
            ]
        )
    if (r := results.get("turn_latency-density")) is not None:
        f = r["figures"]
        first = f["levels"][0]
        fits = f["calls_per_worker_core"]
        rows.append(
            [
                "Density",
                f"`{r['command']}`",
                f"**{cell(fits)} calls per worker core** within 15 % of one call's p50; one "
                f"call's job process {cell(first.get('job_cpu_s_per_call_minute'))} CPU-s per "
                f"call-minute, PSS {cell(first.get('job_pss_mb'))} MB, RSS "
                f"{cell(first.get('job_rss_mb'))} MB ([Density](#density))",
                f"≥ 8 per core — {_met((fits or 0) >= 8)}",
            ]
        )
    return table(["benchmark", "command", "result", "goal"], rows)


def create_session(results: Results) -> str:
    parts = []
    for result in _of(results, "create_session"):
        config = result["figures"]["config"]
        n = config["concurrency"]
        rows = []
        for run in result["figures"]["runs"]:

            def row(label: str, target: Result) -> list[str]:
                s, c = target["sequential"], target.get("concurrent", {})
                return [
                    label,
                    *(cell(s.get(k), "{:.2f}") for k in ("p50_ms", "p99_ms", "mean_ms")),
                    *(cell(c.get(k), "{:.2f}") for k in ("p50_ms", "p99_ms")),
                    cell(c.get("sessions_per_second"), "{:.1f}"),
                ]

            ratio = run["ratios"]
            rows += [
                row(f"issuer ({run['database']})", run["issuer"]),
                row("baseline", run["baseline"]),
                [
                    "ratio",
                    *(
                        cell(ratio.get(k), "{:.2f}")
                        for k in ("p50", "p99", "mean", "concurrent_p50", "concurrent_p99")
                    ),
                    cell(ratio.get("throughput"), "{:.2f}"),
                ],
                row("http floor (/healthz)", run["http_floor"]),
                [
                    f"**p50 ratio** (goal ≤ {cell(run['goal_p50_ratio'])}), floor ratio",
                    f"**{cell(ratio['p50'], '{:.2f}')}**",
                    cell(ratio.get("floor_p50"), "{:.2f}"),
                    "",
                    "",
                    "",
                    "",
                ],
            ]
        header = ["", "p50 ms", "p99 ms", "mean ms", f"p50@{n} ms", f"p99@{n} ms", "sessions/s"]
        parts.append(provenance(result) + "\n\n" + table(header, rows))
    return "\n\n".join(parts)


def agent_join(results: Results) -> str:
    parts = []
    for result in _of(results, "agent_join"):
        f = result["figures"]
        parts.append(
            provenance(result)
            + "\n\n"
            + table(
                ["sessions", "p50 ms", "p95 ms", "max ms", "goal p50 ms"],
                [[cell(f[k]) for k in ("sessions", "p50_ms", "p95_ms", "max_ms", "goal_p50_ms")]],
            )
        )
    for result in _of(results, "dispatch_burst"):
        rows = [
            [cell(b.get(k)) for k in ("mode", "sessions", "agents", "p50_ms", "max_ms")]
            + [cell(b.get("p50_vs_1_session"))]
            for b in result["figures"]["bursts"]
        ]
        header = ["mode", "sessions", "agents", "p50 ms", "max ms", "× 1 session"]
        parts.append(provenance(result) + "\n\n" + table(header, rows))
    return "\n\n".join(parts) or f"No result recorded: run `{REFRESH}` after a bench's `--write`."


TURN_KEYS = ("p50_ms", "p95_ms", "overhead_p50_ms", "stored_e2e_p50_ms")
JOB_CPU = "job_cpu_s_per_call_minute"


def _turn_row(label: str, level: Result) -> list[str]:
    return [label, *(cell(level.get(k)) for k in TURN_KEYS), cell(level.get(JOB_CPU))]


def turn_taking(results: Results) -> str:
    parts = []
    for result in _of(results, "turn_latency", exclude=("-density", "-voice-")):
        f = result["figures"]
        new = f["levels"][0]
        rows = [_turn_row("new defaults", new)]
        if f.get("old"):
            old = f["old"]
            cpu_ratio = (
                new[JOB_CPU] / old[JOB_CPU] if new.get(JOB_CPU) and old.get(JOB_CPU) else None
            )
            rows = [
                _turn_row("old", old),
                _turn_row("new defaults", new),
                [
                    "new / old",
                    f"**{cell(f['new_over_old_p50'])}**",
                    "",
                    "",
                    "",
                    cell(cpu_ratio, "{:.2f}"),
                ],
            ]
        header = [
            "settings",
            "p50 turn ms",
            "p95 ms",
            "overhead p50 ms",
            "stored e2e p50 ms",
            "job CPU-s per call-minute",
        ]
        parts.append(provenance(result) + "\n\n" + table(header, rows))
    return "\n\n".join(parts)


def voices(results: Results) -> str:
    rows, notes = [], []
    for stem, result in results.items():
        if not stem.startswith("turn_latency-voice-"):
            continue
        level = result["figures"]["levels"][0]
        rows.append(
            [result["figures"]["voice"]]
            + [
                cell(level.get(k))
                for k in (
                    "p50_ms",
                    "stored_tts_ttfb_p50_ms",
                    "stored_llm_ttft_p50_ms",
                    "job_cpu_s_per_call_minute",
                    "loadavg_max",
                )
            ]
        )
        notes.append(f"- {result['figures']['voice']}: {provenance(result)}")
    header = [
        "voice",
        "p50 turn ms",
        "stored TTS first byte p50 ms",
        "stored LLM first token p50 ms",
        "job CPU-s per call-minute",
        "load1 max",
    ]
    return table(header, rows) + "\n\n" + "\n".join(notes)


DENSITY_COLUMNS = (
    ("calls", "calls", "{:.0f}"),
    ("turns", "turns", "{:.0f}"),
    ("failed_calls", "failed", "{:.0f}"),
    ("p50_ms", "p50 ms", "{:.0f}"),
    ("p50_ratio", "×", "{:.2f}"),
    ("p95_ms", "p95 ms", "{:.0f}"),
    ("worker_cpu_percent", "worker core %", "{:.1f}"),
    ("worker_cpu_s_per_call_minute", "cpu-s/call-min", "{:.2f}"),
    ("cpu_ratio", "×", "{:.2f}"),
    ("job_cpu_s_per_call_minute", "in-call cpu-s/call-min", "{:.2f}"),
    ("job_cpu_ratio", "×", "{:.2f}"),
    ("job_pss_mb", "PSS/job MB", "{:.0f}"),
    ("pss_ratio", "×", "{:.2f}"),
    ("job_rss_mb", "RSS/job MB", "{:.0f}"),
    ("rss_ratio", "×", "{:.2f}"),
    ("others_on_worker_core_pct", "others on worker core %", "{:.1f}"),
    ("callers_core_pct", "callers' core %", "{:.1f}"),
    ("loadavg_max", "load1 max", "{:.2f}"),
    ("attempts", "runs", "{:.0f}"),
)


def density(results: Results) -> str:
    parts = []
    # The headline run first, then its variants (the lockstep worst case).
    for stem, result in sorted(
        results.items(), key=lambda r: (r[0] != "turn_latency-density", r[0])
    ):
        if not stem.startswith("turn_latency-density"):
            continue
        f = result["figures"]
        levels = f["levels"]
        shown = [c for c in DENSITY_COLUMNS if any(c[0] in level for level in levels)]
        rows = [[cell(level.get(key), fmt) for key, _, fmt in shown] for level in levels]
        tried = levels[-1]["calls"]
        parts.append(
            provenance(result)
            + "\n\n"
            + table([title for _, title, _ in shown], rows)
            + f"\n\n`calls per worker core within 15 % of the 1-call p50: "
            f"{cell(f['calls_per_worker_core'])} (of {cell(tried)} tried; goal ≥ 8)`"
        )
    return "\n\n".join(parts)


def tool_roundtrip(results: Results) -> str:
    keys = (
        ("turns_each", "turns each"),
        ("plain_p50_ms", "plain p50 ms"),
        ("tool_p50_ms", "with a tool p50 ms"),
        ("ratio_p50", "ratio"),
        ("added_p50_ms", "added p50 ms"),
        ("tool_overhead_p50_ms", "tool overhead p50 ms"),
        ("tool_http_p50_ms", "HTTP request p50 ms"),
    )
    parts = []
    for result in _of(results, "tool_roundtrip"):
        f = result["figures"]
        row = [cell(f.get(k)) for k, _ in keys]
        parts.append(provenance(result) + "\n\n" + table([t for _, t in keys], [row]))
    return "\n\n".join(parts)


def call_components(results: Results) -> str:
    parts = []
    for result in _of(results, "call_components"):
        f = result["figures"]
        rows = [
            [
                c["component"],
                cell(c["cpu_s_per_minute"], "{:.2f}"),
                cell(100 * c["cpu_s_per_minute"] / 60, "{:.1f}"),
            ]
            for c in f["components"]
        ]
        rows.append(["a minute of recording, kB", cell(f.get("recording_kb_per_minute")), ""])
        if eot := f.get("end_of_turn_model"):
            rows += [
                [
                    "end-of-turn model: CPU ms per prediction",
                    cell(eot["cpu_ms_per_prediction"]),
                    "",
                ],
                ["end-of-turn model: RSS when loaded, MB", cell(eot["rss_load_mb"]), ""],
                [
                    "end-of-turn model: private MB of a forked job process that predicts",
                    cell(eot["private_after_fork_mb"]),
                    "",
                ],
            ]
        header = ["component", "CPU-s per minute of audio", "% of a core"]
        parts.append(provenance(result) + "\n\n" + table(header, rows))
    return "\n\n".join(parts)


def call_threads(results: Results) -> str:
    parts = []
    for result in _of(results, "call_threads"):
        f = result["figures"]
        rows = [[r["thread"], cell(r["quiet_pct"]), cell(r["talking_pct"])] for r in f["threads"]]
        rows.append(
            ["**all threads**", cell(f["total"]["quiet_pct"]), cell(f["total"]["talking_pct"])]
        )
        header = ["thread", "quiet call, % of a core", "talking call, % of a core"]
        parts.append(provenance(result) + "\n\n" + table(header, rows))
    return "\n\n".join(parts)


def _of(results: Results, name: str, exclude: Sequence[str] = ()) -> list[Result]:
    return [
        result
        for stem, result in results.items()
        if (stem == name or stem.startswith(name + "-")) and not any(x in stem for x in exclude)
    ]


BLOCKS: dict[str, Callable[[Results], str]] = {
    "summary": summary,
    "create_session": create_session,
    "agent_join": agent_join,
    "turn_taking": turn_taking,
    "voices": voices,
    "density": density,
    "tool_roundtrip": tool_roundtrip,
    "call_components": call_components,
    "call_threads": call_threads,
}


def unshown(results: Results) -> list[str]:
    """Result files that no block of the page renders: a bench or variant without a table."""
    claimed = {
        stem
        for stem in results
        for prefix in (
            "create_session",
            "agent_join",
            "dispatch_burst",
            "turn_latency",
            "tool_roundtrip",
            "call_components",
            "call_threads",
        )
        if stem == prefix or stem.startswith(prefix + "-")
    }
    return sorted(set(results) - claimed)


def render(page: str, results: Results) -> str:
    seen: set[str] = set()

    def fill(match: re.Match[str]) -> str:
        name = match.group(2)
        if name not in BLOCKS:
            raise ValueError(f"docs/benchmarks.md has an unknown block {name!r}")
        seen.add(name)
        body = BLOCKS[name](results).strip()
        note = f"<!-- rendered from bench/results by `{REFRESH}`: do not edit -->\n"
        return f"{match.group(1)}{note}{body}\n{match.group(4)}"

    rendered = BLOCK.sub(fill, page)
    if missing := set(BLOCKS) - seen:
        raise ValueError(f"docs/benchmarks.md lacks the blocks {sorted(missing)}")
    if stray := unshown(results):
        raise ValueError(f"no block renders {stray}")
    return rendered


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__)
    parser.add_argument("--write", action="store_true", help="rewrite docs/benchmarks.md")
    args = parser.parse_args(argv)
    current = PAGE.read_text()
    rendered = render(current, load_results())
    if args.write:
        if rendered != current:
            PAGE.write_text(rendered)
        print(f"{PAGE.name}: {'rewritten' if rendered != current else 'up to date'}")
    elif rendered != current:
        sys.exit(f"docs/benchmarks.md is stale: run `{REFRESH}`")


if __name__ == "__main__":
    main()
