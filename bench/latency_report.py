"""The latency rows' section and targets in the report (rows: bench/latency.py)."""

import latency
import report

TARGET_BOUND_SHARE = 0.90  # of the latency bound at 32 and 128, of min(latency, CPU) at 512
TARGET_RSS_512_MB = 64.0
PROXY_LIMIT_PCT = 90.0  # a proxy busier than this (of its one Node thread) may be the limit
TARGET_GROUP_SHARE = 0.80  # FIFO with 8 busy widgets: of the per-group bound
TARGET_SCALE_4 = 3.2  # 4 consumer processes on one queue: × one process


def store_cell(bench, result):
    """The final store, compared with the first latency row of the same path (the same
    workload on the same servers) and, for S3, with the fauxqs row when it ran."""
    if result.store is None:
        return "–"
    cell = f"{result.store[0]:,} {result.store_kind} #{result.store[1]}"
    if result.row.path.startswith("SQS → "):
        return cell + " (a standard queue keeps no order: not compared)"
    first = next(r for r in bench.latency_rows if r.row.path == result.row.path)
    if first is not result:
        return cell + (" (same)" if first.store == result.store else " (**DIFFERS**)")
    fauxqs = report.find(bench.rows, "widget-consumer on fauxqs", "S3 → S3", 32)
    known = fauxqs and bench.digests.get(report.digest_key(fauxqs))
    if result.row.path == "S3 → S3" and known and fauxqs.requests == result.row.requests:
        return cell + (" (same as the fauxqs row)" if known == result.store
                       else " (**DIFFERS** from the fauxqs row)")
    return cell


def share(value, of):
    return value / of if value is not None and of else None


def section(bench):
    fmt = report.fmt
    lines = []
    for result in bench.latency_rows:
        row = result.row
        notes = list(row.notes)
        if result.max_in_flight:
            notes.append(f"the busiest proxy held up to {result.max_in_flight} calls at once")
        slow = bench.args.latency_ms + bench.args.jitter_ms
        if result.mean_latency_ms and result.mean_latency_ms > slow:
            notes.append(f"mean latency above {slow:g} ms: calls waited for a server, a proxy "
                         "or a core, beyond the proxy's delay")
        if result.by_proxy:
            notes.append("mean latency by server: " + ", ".join(result.by_proxy))
        conc = (f"{result.processes} × {row.concurrency}" if result.processes > 1
                else row.concurrency)
        lines.append([row.path, result.servers, conc, fmt(row.requests),
                      fmt(row.wall_s, 2), fmt(row.rate), fmt(row.calls_per_request, 2),
                      fmt(result.mean_latency_ms, 1), fmt(result.latency_bound),
                      fmt(share(row.rate, result.latency_bound), 2),
                      fmt(row.cpu_ms_per_request, 3), fmt(result.cpu_bound),
                      fmt(result.machine_bound), fmt(row.rss_mb, 1), fmt(row.threads),
                      fmt(result.pct_of_core(result.proxy_cpu_s), 0, " %"),
                      fmt(row.server_cpu_pct, 0, " %"), fmt(row.other_cpu_pct, 0, " %"),
                      store_cell(bench, result), "; ".join(notes)])
    header = ["source → store", "servers (behind the proxy)", "conc.", "requests", "wall s",
              "requests/s", "calls/request", "mean latency ms", "latency bound",
              "achieved ÷ bound", "CPU ms/request", "CPU bound", "machine bound",
              "peak RSS MB", "peak threads", "proxy CPU", "server CPU", "others' CPU",
              "final store", "notes"]
    first = bench.latency_rows[0].row.scenario if bench.latency_rows else ""
    return "\n".join([
        f"{first}: every call goes through bench/latency_proxy.mjs (one per server, kept-alive "
        "connections both ways), which answers it that long after it arrived.", "",
        report.table(header, lines), "",
        "latency bound = concurrency ÷ (calls/request × mean latency), Little's law, from the "
        "consumer's own call count and the latency the proxy measured per call; CPU bound = "
        f"{latency.CORES} cores ÷ the consumer's CPU per request (its whole life); machine "
        "bound = the same with the proxies' and servers' CPU per request added, since they "
        "share these cores. peak threads: the most `Threads:` in /proc/PID/status, sampled "
        "every 20 ms. proxy, server and others' CPU: % of one core over the consumer's life."])


def verdict(bench, result, ok, proxy_matters=False):
    if result is None or any("INCOMPLETE" in n for n in result.row.notes):
        return "FAIL (not measured)"
    if any("REQUESTS LEFT" in n for n in result.row.notes):
        return "FAIL (requests left in the source)"
    if "DIFFERS" in store_cell(bench, result):
        return "FAIL (wrong final store)"
    if proxy_matters and result.pct_of_core(result.busiest_proxy_cpu_s) >= PROXY_LIMIT_PCT:
        return "FAIL (the latency proxy may be the limit)"
    return "PASS" if ok else "FAIL"


def find(bench, path, concurrency, processes=1):
    return next((r for r in bench.latency_rows if r.row.path == path and
                 r.row.concurrency == concurrency and r.processes == processes), None)


def sqs_target_lines(bench):
    """The FIFO per-group target and the 4-process scaling target, when those rows ran."""
    fmt, lines = report.fmt, []
    fifo8 = next((r for r in bench.latency_rows if r.group_bound is not None), None)
    if fifo8:
        achieved = share(fifo8.row.rate, fifo8.group_bound)
        lines.append([f"at {bench.args.latency_ms:g} ms, {fifo8.row.path}: requests/s ÷ the "
                      "per-group bound",
                      f"{fmt(fifo8.row.rate)} ÷ {fmt(fifo8.group_bound)} = "
                      f"{fmt(100 * (achieved or 0), 0, ' %')}",
                      f"≥ {100 * TARGET_GROUP_SHARE:.0f} %",
                      verdict(bench, fifo8, (achieved or 0) >= TARGET_GROUP_SHARE)])
    one, four = find(bench, "SQS FIFO → S3", 32, 1), find(bench, "SQS FIFO → S3", 32, 4)
    if one or four:
        ratio = share(four and four.row.rate, one and one.row.rate)
        server_pct = four.row.server_cpu_pct if four else None
        proxy_pct = four.pct_of_core(four.busiest_proxy_cpu_s) if four else None
        busy = max(server_pct or 0, proxy_pct or 0) >= PROXY_LIMIT_PCT
        machine = four.machine_bound if four else None
        of_machine = share(four and four.row.rate, machine)
        measured = (f"{fmt(four and four.row.rate)} ÷ {fmt(one and one.row.rate)} = "
                    f"{fmt(ratio, 2)} ×; fauxqs {fmt(server_pct, 0, ' %')}, busiest proxy "
                    f"{fmt(proxy_pct, 0, ' %')} of a core; 4 processes at "
                    f"{fmt(of_machine and 100 * of_machine, 0, ' %')} of the machine bound "
                    f"{fmt(machine)}")
        result = verdict(bench, four, (ratio or 0) >= TARGET_SCALE_4) if one else \
            "FAIL (not measured)"
        if busy and result.startswith("FAIL"):
            result = "FAIL (the server or a proxy may be the limit)"
        elif (of_machine or 0) >= 0.9 and result.startswith("FAIL"):
            result = "FAIL (this machine's cores are the limit: consumers, proxies and server)"
        lines.append([f"at {bench.args.latency_ms:g} ms, 4 consumer processes on one FIFO queue "
                      "÷ one process", measured,
                      f"≥ {TARGET_SCALE_4} ×, the server not the limit", result])
    return lines


def target_lines(bench):
    """Issue 16's latency targets, one line each, for report.targets_table."""
    fmt, lines = report.fmt, []
    limit = f"≥ {100 * TARGET_BOUND_SHARE:.0f} %"
    paths = {r.row.path for r in bench.latency_rows}
    for path in [p for p in ("S3 → S3", "S3 → DynamoDB") if p in paths]:
        for concurrency in latency.CONCURRENCY[:2]:
            result = find(bench, path, concurrency)
            achieved = result and share(result.row.rate, result.latency_bound)
            lines.append([f"at {bench.args.latency_ms:g} ms, {path}, conc. {concurrency}: "
                          "requests/s ÷ latency bound",
                          result and f"{fmt(result.row.rate)} ÷ {fmt(result.latency_bound)} = "
                                     f"{fmt(100 * (achieved or 0), 0, ' %')}",
                          limit + " of the latency bound",
                          verdict(bench, result, (achieved or 0) >= TARGET_BOUND_SHARE)])
        result = find(bench, path, latency.CONCURRENCY[-1])
        if result is None:
            lines.append([f"{path}, conc. {latency.CONCURRENCY[-1]}", "–", limit,
                          "FAIL (not measured)"])
            continue
        lower = min(b for b in (result.latency_bound, result.cpu_bound) if b)
        achieved = share(result.row.rate, lower)
        lines.append([f"at {bench.args.latency_ms:g} ms, {path}, conc. {result.row.concurrency}: "
                      "requests/s ÷ the lower of the latency and CPU bounds",
                      f"{fmt(result.row.rate)} ÷ min({fmt(result.latency_bound)}, "
                      f"{fmt(result.cpu_bound)}) = {fmt(100 * (achieved or 0), 0, ' %')} "
                      f"(machine bound {fmt(result.machine_bound)}); busiest proxy "
                      f"{fmt(result.pct_of_core(result.busiest_proxy_cpu_s), 0, ' %')} of its "
                      "core",
                      limit + ", the latency proxy not the limit",
                      verdict(bench, result, (achieved or 0) >= TARGET_BOUND_SHARE, True)])
        lines.append([f"peak RSS at {bench.args.latency_ms:g} ms, {path}, conc. "
                      f"{result.row.concurrency}", f"{fmt(result.row.rss_mb, 1)} MB "
                      f"({fmt(result.row.threads)} threads)", f"≤ {TARGET_RSS_512_MB:.0f} MB",
                      verdict(bench, result, result.row.rss_mb <= TARGET_RSS_512_MB)])
    return lines + sqs_target_lines(bench)
